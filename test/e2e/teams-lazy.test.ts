// The Teams SDK is loaded on first use (src/adapters/teams/index.ts): these check both first uses
// work in a freshly started app. A proactive send from the outbox (a digest after a restart) before
// any Teams request has come in, and two requests arriving together as the very first ones: each is
// answered, and the SDK is set up once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../db/store.ts';
import { TeamsConversationStore } from '../../db/teams-conversations.ts';
import { startApp, type App } from '../../src/bot/app.ts';
import { loadConfig } from '../../src/bot/config.ts';
import { message, para, t } from '../../src/domain/message.ts';
import { callText, FakeBotConnector } from '../fakes/bot-connector.ts';
import { BOT, person, personalChatOf, TeamsClient, TENANT, textMessage } from '../fakes/teams-activities.ts';
import { inChat } from '../fakes/teams-calls.ts';
import { TEAMS_ENV } from '../fakes/teams-world.ts';

const LOADED = 'teams: SDK loaded on first use';

interface Started {
  app: App;
  fake: FakeBotConnector;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function start(): Promise<Started> {
  const fake = await new FakeBotConnector().start();
  const dir = mkdtempSync(join(tmpdir(), 'partnerbot-teams-lazy-'));
  stops.push(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const config = loadConfig({ DATABASE_URL: join(dir, 'bot.sqlite'), PORT: '0', SCHEDULER: 'false', LOG_LEVEL: 'info', ...TEAMS_ENV });
  const app = await startApp(config, { log });
  stops.unshift(() => app.stop());
  return { app, fake, logs };
}

const loads = (logs: Record<string, unknown>[]) => logs.filter((l) => l.msg === LOADED);

describe('the Teams SDK loaded on first use', () => {
  it('is not loaded by starting, and a proactive message from the outbox goes out before any Teams request has come in', async () => {
    const { app, fake, logs } = await start();
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect(loads(logs)).toEqual([]);

    // A channel the bot was added to before the restart, and a digest waiting in the outbox for it.
    const channel = '19:restart0general@thread.tacv2';
    const reference = { channelId: 'msteams', serviceUrl: fake.url, bot: BOT, conversation: { id: channel, isGroup: true, conversationType: 'channel', tenantId: TENANT } };
    const now = new Date().toISOString();
    await new TeamsConversationStore((app.deps.store as SqlStore).db).saveConversation({ conversationId: channel, tenantId: TENANT, kind: 'channel', teamId: channel, reference }, now);
    const digest = message('Weekly digest', para(t('Two consultations closed this week.')));
    await app.deps.store.enqueue([{ key: 'digest:restart', partnershipId: null, target: { kind: 'channel', platform: 'teams', workspace: TENANT, channel }, message: digest }], now);
    await app.core.flush();

    const posts = fake.calls.filter((c) => c.conversationId === channel && (c.op === 'send' || c.op === 'reply'));
    expect(posts).toHaveLength(1);
    expect(callText(posts[0]!)).toMatch(/Two consultations closed this week/);
    expect(await app.deps.store.outboxTotals()).toEqual({ pending: 0, sent: 1, dead: 0 });
    expect(loads(logs).map((l) => l.firstUse)).toEqual(['send']);
  });

  it('answers two requests that arrive together as the very first ones, setting the SDK up once', async () => {
    const { app, fake, logs } = await start();
    const client = new TeamsClient(app.url);
    const carol = person('carol', 'Carol Chair');
    const bob = person('bob', 'Bob Builder');
    const answers = await Promise.all([carol, bob].map((p) => client.post(textMessage(p, { kind: 'personal' }, '/partner help', fake.url))));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await app.core.flush();

    for (const p of [carol, bob]) {
      const replies = inChat(fake.calls, personalChatOf(p));
      expect(replies).toHaveLength(1);
      expect(callText(replies[0]!)).toMatch(/partnerbot commands/);
    }
    expect(loads(logs).map((l) => l.firstUse)).toEqual(['request']);

    // Later requests and sends use the same loaded SDK.
    expect((await client.post(textMessage(carol, { kind: 'personal' }, '/partner help', fake.url))).status).toBe(200);
    expect(inChat(fake.calls, personalChatOf(carol))).toHaveLength(2);
    expect(loads(logs)).toHaveLength(1);
  });
});
