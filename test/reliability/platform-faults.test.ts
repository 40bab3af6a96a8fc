// Platform faults through the real adapters: the real app sends its outbox with the real Slack adapter
// (Bolt's WebClient) to the fake Slack Web API, and with the real Teams adapter (botbuilder's connector
// client) to the fake Bot Connector, while the fakes answer in bursts with 429 + Retry-After, 500, 503,
// no answer at all (the client's timeout ends the call) and a reset connection with the port closed for
// a while (connection refused). On the fake's clock: every message arrives exactly once and in order,
// nothing goes to a conversation before a Retry-After it was given has passed, and no conversation gets
// more than the platform documents (Slack: one message a second per channel; the Bot Connector: 7 in
// 1 s, 8 in 2 s and 60 in 30 s per conversation). Nothing polls: only the dispatcher's own wake-ups
// (when a suspension, a backoff or a rate wait ends) send what was put off.
import { afterEach, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../db/store.ts';
import { TeamsConversationStore } from '../../db/teams-conversations.ts';
import type { Target } from '../../src/domain/partnership.ts';
import { FakeBotConnector, type ConnectorCall, type Fault } from '../fakes/bot-connector.ts';
import type { Failure, SlackCall } from '../fakes/slack-api.ts';
import { slackEnv, startFakeSlack, TEAM } from '../fakes/slack-world.ts';
import { BOT, TENANT } from '../fakes/teams-activities.ts';
import { TEAMS_ENV } from '../fakes/teams-world.ts';
import { faultId, faultRows, launchFaultApp, until, windowBreaches, type FaultApp } from './support/fault-app.ts';

let running: FaultApp | null = null;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await running?.stop();
  running = null;
  for (const stop of stops.splice(0)) await stop();
});

/** The n-th call (1-based) falls in a burst: [from, to] inclusive, and what it gets. */
function bursts<F>(plan: [number, number, F][]): (n: number) => F | null {
  return (n) => plan.find(([from, to]) => n >= from && n <= to)?.[2] ?? null;
}

/** Every 429 in `arrivals` (time order) and the first later arrival in the same conversation. */
function afterEach429(arrivals: { at: number; retryAfterMs: number | null }[]): { at: number; retryAfterMs: number; next: number | null }[] {
  return arrivals.flatMap((a, i) => (a.retryAfterMs === null ? [] : [{ at: a.at, retryAfterMs: a.retryAfterMs, next: arrivals[i + 1]?.at ?? null }]));
}

describe('the real Slack adapter against a faulty Slack Web API', () => {
  it('rides out 429s, 5xx, timeouts and refused connections: each message once, in order, never faster than 1/s per channel', async () => {
    const fake = await startFakeSlack();
    stops.push(() => fake.stop());
    const channels = Array.from({ length: 20 }, (_, i) => `C0FAULT${String(i).padStart(3, '0')}`);
    const perChannel = 3;
    const burst = bursts<Failure>([
      [4, 9, { status: 429, retryAfter: 1 }],
      [14, 18, { status: 500 }],
      [22, 26, { status: 503 }],
      [30, 32, { hang: true }],
      [36, 36, { refuseForMs: 600 }],
    ]);
    let posts = 0;
    fake.plan = (call) => (call.method === 'chat.postMessage' ? burst(++posts) : null);
    running = await launchFaultApp(slackEnv(fake));
    const { app } = running;
    const targets: Target[] = channels.map((channel) => ({ kind: 'channel', platform: 'slack', workspace: TEAM, channel }));
    await app.deps.store.enqueue(faultRows(targets, perChannel), new Date().toISOString());
    void app.core.flush();

    const accepted = () => fake.calls.filter((c) => c.method === 'chat.postMessage' && c.answer === 'ok');
    await until(() => accepted().length >= channels.length * perChannel, 'every message to be accepted', 25_000);
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would show up by now
    expect(await app.deps.store.outboxTotals()).toEqual({ pending: 0, sent: channels.length * perChannel, dead: 0 });

    // Every fault happened, so each was ridden out.
    const all = fake.calls.filter((c) => c.method === 'chat.postMessage');
    for (const kind of ['429', '500', '503', 'hang', 'reset']) expect(all.some((c) => c.answer === kind), `a ${kind} answer`).toBe(true);

    const headingOf = (c: SlackCall) => faultId(JSON.stringify(c.args.blocks ?? ''));
    const ids = accepted().map(headingOf);
    expect(ids).toHaveLength(channels.length * perChannel);
    expect(ids.every((id) => id !== null)).toBe(true);
    expect(new Set(ids.map((id) => `${id!.conversation}-${id!.n}`)).size).toBe(ids.length); // exactly once
    for (const channel of channels) {
      const mine = all.filter((c) => c.args.channel === channel).sort((a, b) => a.at - b.at);
      // In order: each channel got its messages 0, 1, 2.
      expect(mine.filter((c) => c.answer === 'ok').map((c) => headingOf(c)!.n)).toEqual([0, 1, 2]);
      // One message a second per channel, counting every request that reached it (failed ones too).
      expect(windowBreaches(mine.map((c) => c.at), 1, 1_000)).toEqual([]);
      // After a 429, nothing to that channel before its Retry-After has passed.
      const limited = afterEach429(mine.map((c) => ({ at: c.at, retryAfterMs: c.answer === '429' ? 1_000 : null })));
      for (const l of limited) if (l.next !== null) expect(l.next - l.at).toBeGreaterThanOrEqual(l.retryAfterMs);
    }
  }, 40_000);
});

/** A message posted into a conversation (a proactive post goes as a reply to the conversation). */
const isPost = (c: ConnectorCall) => c.op === 'send' || c.op === 'reply';

describe('the real Teams adapter against a faulty Bot Connector', () => {
  it('rides out 429s, 5xx, timeouts and refused connections: each message once, in order, within the per-conversation limits', async () => {
    const fake = await new FakeBotConnector().start();
    stops.push(() => fake.stop());
    const conversations = Array.from({ length: 6 }, (_, i) => `19:fault${i}@thread.tacv2`);
    const perConversation = 6;
    const burst = bursts<Fault>([
      [3, 6, { status: 429, headers: { 'Retry-After': '1' } }],
      [10, 13, { status: 500 }],
      [16, 18, { status: 503 }],
      [21, 22, { hang: true }],
      [25, 25, { refuseForMs: 600 }],
      [28, 29, { status: 502 }],
    ]);
    let posts = 0;
    fake.plan = (call) => (isPost(call) ? burst(++posts) : null);
    running = await launchFaultApp(TEAMS_ENV);
    const { app } = running;
    // The conversations the bot was added to, as it records them from Teams' activities.
    const book = new TeamsConversationStore((app.deps.store as SqlStore).db);
    for (const id of conversations) {
      const reference = { channelId: 'msteams', serviceUrl: fake.url, bot: BOT, conversation: { id, isGroup: true, conversationType: 'channel', tenantId: TENANT } };
      await book.saveConversation({ conversationId: id, tenantId: TENANT, kind: 'channel', teamId: id, reference }, new Date().toISOString());
    }
    const targets: Target[] = conversations.map((channel) => ({ kind: 'channel', platform: 'teams', workspace: TENANT, channel }));
    await app.deps.store.enqueue(faultRows(targets, perConversation), new Date().toISOString());
    void app.core.flush();

    const total = conversations.length * perConversation;
    await until(() => fake.posts().length >= total, 'every message to be accepted', 25_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(await app.deps.store.outboxTotals()).toEqual({ pending: 0, sent: total, dead: 0 });

    const all = fake.calls.filter(isPost);
    for (const status of [429, 500, 503, 502, 0]) expect(all.some((c) => c.status === status), `a ${status} answer`).toBe(true);
    expect(all.filter((c) => c.status === 0).length).toBeGreaterThanOrEqual(3); // two hung, one reset

    const headingOf = (c: ConnectorCall) => faultId(String(c.body?.summary ?? ''));
    const ids = fake.posts().map(headingOf);
    expect(ids).toHaveLength(total);
    expect(ids.every((id) => id !== null)).toBe(true);
    expect(new Set(ids.map((id) => `${id!.conversation}-${id!.n}`)).size).toBe(total); // exactly once
    for (const id of conversations) {
      const mine = all.filter((c) => c.conversationId === id).sort((a, b) => a.at - b.at);
      expect(mine.filter((c) => c.status === 200).map((c) => headingOf(c)!.n)).toEqual(Array.from({ length: perConversation }, (_, n) => n));
      // The Bot Connector's per-conversation limits, counting every request that reached it.
      const times = mine.map((c) => c.at);
      expect(windowBreaches(times, 7, 1_000)).toEqual([]);
      expect(windowBreaches(times, 8, 2_000)).toEqual([]);
      expect(windowBreaches(times, 60, 30_000)).toEqual([]);
      const limited = afterEach429(mine.map((c) => ({ at: c.at, retryAfterMs: c.status === 429 ? 1_000 : null })));
      for (const l of limited) if (l.next !== null) expect(l.next - l.at).toBeGreaterThanOrEqual(l.retryAfterMs);
    }
  }, 40_000);
});
