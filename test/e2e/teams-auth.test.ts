// With MICROSOFT_APP_ID set, the TeamsAdapter checks every activity's Bot Framework token: an
// unsigned or forged request gets 401 and nothing runs (no reply, nothing stored).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/bot/config.ts';
import { startApp, type App } from '../../src/bot/app.ts';
import { TeamsConversationStore } from '../../db/teams-conversations.ts';
import { FakeBotConnector } from '../fakes/bot-connector.ts';
import { CHANNEL, person, personalChatOf, TeamsClient, TENANT, textMessage } from '../fakes/teams-activities.ts';

let app: App;
let fake: FakeBotConnector;
let client: TeamsClient;
let dir: string;
const carol = person('carol', 'Carol Chair');

beforeAll(async () => {
  fake = await new FakeBotConnector().start();
  dir = mkdtempSync(join(tmpdir(), 'partnerbot-teams-auth-'));
  const config = loadConfig({
    DATABASE_URL: join(dir, 'bot.sqlite'),
    PORT: '0',
    SCHEDULER: 'false',
    LOG_LEVEL: 'silent',
    MICROSOFT_APP_ID: '5d3f0000-0000-4000-8000-0000000000ab',
    MICROSOFT_APP_PASSWORD: 'not-a-real-secret',
    MICROSOFT_APP_TYPE: 'SingleTenant',
    MICROSOFT_APP_TENANT_ID: TENANT,
  });
  app = await startApp(config, { log: pino({ level: 'silent' }) });
  client = new TeamsClient(app.url);
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Teams with an app id: Bot Framework authentication', () => {
  it.each([
    ['no Authorization header', {}],
    // Its issuer is not Microsoft's, so it is refused before any key lookup (no traffic leaves loopback).
    ['a forged bearer token', { authorization: 'Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImZvcmdlZCJ9.eyJpc3MiOiJodHRwczovL2V2aWwuZXhhbXBsZS8iLCJhdWQiOiI1ZDNmMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwYWIiLCJzZXJ2aWNldXJsIjoiaHR0cDovLzEyNy4wLjAuMS8ifQ.c2lnbmF0dXJl' }],
    ['a malformed header', { authorization: 'Basic Y2Fyb2w6cGFzcw==' }],
  ])('rejects an activity with %s (401) and runs nothing', async (_what, headers) => {
    const setup = textMessage(carol, { kind: 'channel' }, '<at>partnerbot</at> partner setup "Hijacked"', fake.url);
    const help = textMessage(carol, { kind: 'personal' }, '/partner help', fake.url);
    for (const activity of [setup, help]) {
      const { status } = await client.post(activity, headers as Record<string, string>);
      expect(status).toBe(401);
    }
    await app.core.flush();
    expect(fake.calls).toEqual([]);
    expect(await app.deps.store.partnershipByChannel({ platform: 'teams', workspace: TENANT, channel: CHANNEL })).toBeNull();
    const book = new TeamsConversationStore((app.deps.store as unknown as { db: never }).db);
    expect(await book.conversation(CHANNEL)).toBeNull();
    expect(await book.conversation(personalChatOf(carol))).toBeNull();
  });
});
