// The dispatcher under faults, on SQLite and PostgreSQL: bounded concurrency and per-conversation
// order, two instances sharing the outbox, takeover after an instance dies mid-send, a 429 suspending
// a workspace everywhere (and the dispatcher waking by itself when it ends), platform rates never
// exceeded (per conversation and per workspace), a conversation's wait holding no sender, a send that
// never finishes timing out, and bursts of failures losing nothing. test/reliability/platform-faults
// runs the same faults through the real Slack and Teams adapters.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../db/store.ts';
import type { Deps } from '../../src/bot/context.ts';
import { createDispatcher as create, SendError, type Dispatcher, type Sender } from '../../src/bot/dispatcher.ts';
import { PLATFORM_LIMITS } from '../../src/bot/rate-limit.ts';
import { message, para, t, type Message } from '../../src/domain/message.ts';
import type { Target } from '../../src/domain/partnership.ts';
import type { NewOutbox } from '../../src/domain/ports.ts';
import { testDeps } from '../support/bot.ts';
import { partnership } from '../support/fixtures.ts';
import { DIALECTS, type SharedDb } from './support/dialects.ts';

const p = partnership();
const T0 = Date.parse('2026-12-01T10:00:00Z');

const dm = (user: string): Target => ({ kind: 'user', platform: 'local', workspace: 'local', user });
const channel = (ch: string, platform: Target['platform'] = 'local', workspace = 'local'): Target => ({ kind: 'channel', platform, workspace, channel: ch });
const row = (key: string, target: Target): NewOutbox => ({ key, partnershipId: p.id, target, message: message(key, para(t('x'))) });
const whereTo = (target: Target) => `${target.platform}/${target.workspace}/${target.kind === 'channel' ? target.channel : target.user}`;

/** Records what it was asked to send, when (monotonic ms), and how many sends overlapped at most. */
class Recorder implements Sender {
  sent: { to: string; heading: string; at: number }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly work: (target: Target, m: Message) => Promise<void> = () => pause(1 + Math.random() * 4)) {}
  async send(target: Target, m: Message): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.work(target, m);
      this.sent.push({ to: whereTo(target), heading: m.heading ?? '', at: performance.now() });
    } finally {
      this.inFlight--;
    }
  }
  headings(to?: string): string[] {
    return this.sent.filter((s) => !to || s.to === to).map((s) => s.heading);
  }
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(done: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await pause(10);
  }
}

describe.each(DIALECTS)('dispatcher on $name', ({ open }) => {
  let db: SharedDb;
  let now: number;
  let deps: Deps;
  const clock = () => new Date(now);

  /** Dispatchers made by a test, stopped after it (their wake-up timers with them). */
  const made: Dispatcher[] = [];
  const createDispatcher = (...args: Parameters<typeof create>): Dispatcher => {
    const d = create(...args);
    made.push(d);
    return d;
  };

  beforeEach(async () => {
    now = T0;
    db = await open();
    await db.store.insertPartnership(p);
    deps = testDeps(db.store, clock);
  });
  afterEach(async () => {
    for (const d of made.splice(0)) await d.stop(0);
    await db.dispose();
  });

  const enqueue = (rows: NewOutbox[], store: SqlStore = db.store) => store.enqueue(rows, new Date(now).toISOString());
  /** 3 channels × 5 posts, interleaved as several decisions would write them. */
  const channelPosts = () => [0, 1, 2, 3, 4].flatMap((i) => ['east', 'west', 'north'].map((ch) => row(`${ch}-${i}`, channel(ch))));

  it('keeps at most `concurrency` sends in flight, and each conversation in order', async () => {
    await enqueue([...Array.from({ length: 40 }, (_, i) => row(`dm-${i}`, dm(`u${i}`))), ...channelPosts()]);
    const sender = new Recorder();
    const d = createDispatcher(deps, { local: sender }, { concurrency: 4 });
    expect(await d.flush()).toBe(55);
    expect(sender.maxInFlight).toBe(4);
    for (const ch of ['east', 'west', 'north']) expect(sender.headings(`local/local/${ch}`)).toEqual([0, 1, 2, 3, 4].map((i) => `${ch}-${i}`));
    expect(await db.store.outboxTotals()).toEqual({ pending: 0, sent: 55, dead: 0 });
  });

  it('shares the outbox between two instances: nothing sent twice, each conversation still in order', async () => {
    await enqueue([...Array.from({ length: 60 }, (_, i) => row(`dm-${i}`, dm(`u${i % 20}`))), ...channelPosts()]);
    const sender = new Recorder();
    const one = createDispatcher(deps, { local: sender }, { concurrency: 3, batch: 10, owner: 'one' });
    const two = createDispatcher(testDeps(await db.another(), clock), { local: sender }, { concurrency: 3, batch: 10, owner: 'two' });
    await Promise.all([one.flush(), two.flush(), one.flush(), two.flush()]);
    // A dispatcher also runs on its own (a wake-up after a busy run): join any such run and look again.
    await Promise.all([one.flush(), two.flush()]);
    const headings = sender.headings();
    expect(headings).toHaveLength(75);
    expect(new Set(headings).size).toBe(75);
    for (const ch of ['east', 'west', 'north']) expect(sender.headings(`local/local/${ch}`)).toEqual([0, 1, 2, 3, 4].map((i) => `${ch}-${i}`));
    for (let u = 0; u < 20; u++) {
      const mine = sender.headings(`local/local/u${u}`).map((h) => Number(h.slice(3)));
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
  });

  it('takes over the rows of an instance that died mid-send once their lease runs out', async () => {
    await enqueue(Array.from({ length: 10 }, (_, i) => row(`dm-${i}`, dm(`u${i}`))));
    let calls = 0;
    const dead = createDispatcher(deps, { local: { send: () => (calls++, new Promise(() => undefined)) } }, { concurrency: 2, leaseMs: 60_000, owner: 'dead' });
    void dead.flush(); // never returns: its two sends hang, the rest of its claim waits behind them
    while (calls < 2) await pause(5);
    const sender = new Recorder();
    const heir = createDispatcher(testDeps(await db.another(), clock), { local: sender }, { owner: 'heir' });
    expect(await heir.flush()).toBe(0); // claimed by a live lease
    now += 60_000;
    expect(await heir.flush()).toBe(10);
    expect(sender.headings().sort()).toEqual(Array.from({ length: 10 }, (_, i) => `dm-${i}`).sort());
  });

  it('suspends a workspace for the time a 429 says, in every instance, then sends it all in order', async () => {
    await enqueue([row('a1', channel('C1', 'slack', 'T1')), row('b1', channel('C2', 'slack', 'T1')), row('z1', channel('C9', 'slack', 'T2')), row('a2', channel('C1', 'slack', 'T1'))]);
    let limited = false;
    const sender = new Recorder(async (target) => {
      if (target.workspace === 'T1' && !limited) {
        limited = true;
        throw new SendError('ratelimited', { retryAfterMs: 5_000 });
      }
    });
    const one = createDispatcher(deps, { slack: sender }, { concurrency: 1, limits: {}, owner: 'one' });
    expect(await one.flush()).toBe(1);
    expect(sender.headings()).toEqual(['z1']);
    await one.stop(); // from here only `two` sends (one's own wake-ups would otherwise join in)
    const two = createDispatcher(testDeps(await db.another(), clock), { slack: sender }, { limits: {}, owner: 'two' });
    now += 4_999;
    expect(await two.flush()).toBe(0); // the suspension is in the database, not only in `one`
    now += 1;
    expect(await two.flush()).toBe(3);
    expect(sender.headings('slack/T1/C1')).toEqual(['a1', 'a2']);
    expect(sender.headings('slack/T1/C2')).toEqual(['b1']);
  });

  it("never posts faster than Slack's one message a second per channel, on the receiver's clock", async () => {
    await enqueue([0, 1, 2].flatMap((i) => [row(`c1-${i}`, channel('C1', 'slack', 'T1')), row(`c2-${i}`, channel('C2', 'slack', 'T1'))]));
    const sender = new Recorder(async () => undefined);
    const d = createDispatcher(deps, { slack: sender });
    const started = performance.now();
    expect(await d.flush()).toBe(6);
    for (const ch of ['C1', 'C2']) {
      const times = sender.sent.filter((s) => s.to === `slack/T1/${ch}`).map((s) => s.at);
      expect(times).toHaveLength(3);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(995);
    }
    // Channels are paced separately: two channels take no longer than one.
    expect(performance.now() - started).toBeLessThan(3_500);
  });

  it('sends by itself when a Retry-After ends: no poll, no flush from outside', async () => {
    const live = testDeps(db.store, () => new Date());
    await db.store.enqueue([row('w1', channel('C1', 'slack', 'T1')), row('w2', channel('C2', 'slack', 'T1'))], new Date().toISOString());
    let limited = false;
    const sender = new Recorder(async () => {
      if (!limited) {
        limited = true;
        throw new SendError('ratelimited', { retryAfterMs: 400 });
      }
    });
    const d = createDispatcher(live, { slack: sender }, { concurrency: 1, limits: {} });
    const t0 = performance.now();
    expect(await d.flush()).toBe(0); // w1 answered 429; w2 held back with it
    await until(() => sender.sent.length === 2, 'both sent after the Retry-After');
    const first = Math.min(...sender.sent.map((s) => s.at)) - t0;
    expect(first).toBeGreaterThanOrEqual(400);
    expect(first).toBeLessThan(1_400);
    expect(sender.headings().sort()).toEqual(['w1', 'w2']);
  });

  it("keeps a fan-out to one Slack workspace within its workspace bucket on the receiver's clock, and close to its rate", async () => {
    const [bucket] = PLATFORM_LIMITS.slack.filter((l) => l.scope === 'workspace');
    if (bucket?.scope !== 'workspace') throw new Error('Slack has a workspace-wide limit');
    const { perSecond, burst } = bucket;
    await enqueue(Array.from({ length: 80 }, (_, i) => row(`f-${i}`, channel(`C${i}`, 'slack', 'T1'))));
    const sender = new Recorder(async () => undefined);
    const d = createDispatcher(deps, { slack: sender }, { concurrency: 8 });
    const t0 = performance.now();
    expect(await d.flush()).toBe(80);
    const at = sender.sent.map((s) => s.at).sort((a, b) => a - b);
    // Within a platform bucket of twice our burst at our rate, in any stretch of arrivals: the burst we
    // keep below the platform's is the room for sends bunched up on the way (a busy event loop here).
    for (let i = 0; i < at.length; i++) for (let j = i + 1; j < at.length; j++) expect(j - i + 1).toBeLessThanOrEqual(2 * burst + (perSecond * (at[j]! - at[i]!)) / 1000);
    const least = ((80 - burst) / perSecond) * 1000;
    const took = at[at.length - 1]! - t0;
    expect(took).toBeGreaterThanOrEqual(least - 20);
    expect(took).toBeLessThan(least + 3_000);
  });

  it('holds no sender while a conversation waits for its rate: other conversations go on meanwhile', async () => {
    await enqueue([0, 1, 2].flatMap((i) => [row(`s-${i}`, channel('C1', 'slack', 'T1')), row(`l-${i}`, channel('L')), row(`m-${i}`, channel('L'))]));
    const sender = new Recorder(async () => undefined);
    const d = createDispatcher(deps, { slack: sender, local: sender }, { concurrency: 1 });
    expect(await d.flush()).toBe(9);
    const slack = sender.sent.filter((s) => s.to === 'slack/T1/C1').map((s) => s.at);
    const local = sender.sent.filter((s) => s.to === 'local/local/L').map((s) => s.at);
    for (let i = 1; i < slack.length; i++) expect(slack[i]! - slack[i - 1]!).toBeGreaterThanOrEqual(1_000);
    // All six local messages were out before Slack's second one (1 s after its first) was due.
    expect(Math.max(...local)).toBeLessThan(slack[1]!);
    expect(sender.headings('local/local/L')).toEqual(['l-0', 'm-0', 'l-1', 'm-1', 'l-2', 'm-2']);
  });

  it('gives up on a send that never finishes after sendTimeoutMs, and retries it', async () => {
    await enqueue([row('slow', dm('u1'))]);
    let calls = 0;
    const sender: Sender = { send: () => (++calls === 1 ? new Promise<void>(() => undefined) : Promise.resolve()) };
    const d = createDispatcher(deps, { local: sender }, { sendTimeoutMs: 200, baseDelayMs: 1_000 });
    const t0 = performance.now();
    expect(await d.flush()).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(195);
    const [failed] = await db.store.db.selectFrom('outbox').select(['attempts', 'last_error', 'status']).execute();
    expect(failed).toMatchObject({ attempts: 1, status: 'pending' });
    expect(failed!.last_error).toMatch(/did not finish within 200 ms/);
    now += 1_000;
    expect(await d.flush()).toBe(1);
    expect(calls).toBe(2);
  });

  it("keeps a sender's one-off set-up (ready) out of sendTimeoutMs: a slow first load sends once, a failed one is retried", async () => {
    await enqueue([row('first', dm('u1')), row('second', dm('u2'))]);
    let loads = 0;
    const sent: string[] = [];
    // Like Teams loading its SDK on first use: slower than the send's limit, and failing the first time.
    const sender: Sender = {
      ready: async () => {
        await pause(300);
        if (++loads === 1) throw new Error('Cannot find module botbuilder');
      },
      send: async (_target, m) => void sent.push(m.heading ?? ''),
    };
    const d = createDispatcher(deps, { local: sender }, { sendTimeoutMs: 200, baseDelayMs: 1_000, concurrency: 1 });
    expect(await d.flush()).toBe(1);
    const [failed] = await db.store.db.selectFrom('outbox').select(['attempts', 'last_error', 'status']).where('status', '=', 'pending').execute();
    expect(failed).toMatchObject({ attempts: 1, status: 'pending' });
    expect(failed!.last_error).toMatch(/botbuilder/);
    now += 60_000;
    expect(await d.flush()).toBe(1);
    expect(sent.sort()).toEqual(['first', 'second']);
    expect(await db.store.outboxTotals()).toEqual({ pending: 0, sent: 2, dead: 0 });
  });

  it('rides out bursts of 500s, 503s, timeouts, refused connections and 429s, and loses nothing', async () => {
    await enqueue(Array.from({ length: 30 }, (_, i) => row(`dm-${i}`, dm(`u${i}`))));
    const faults = [
      () => new Error('An HTTP protocol error occurred: statusCode = 500'),
      () => new Error('An HTTP protocol error occurred: statusCode = 503'),
      () => Object.assign(new Error('timeout of 10000ms exceeded'), { code: 'ETIMEDOUT' }),
      () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }),
      () => new SendError('ratelimited', { retryAfterMs: 30_000 }),
    ];
    let call = 0;
    const sender = new Recorder(async () => {
      call++;
      // Bursts: 12 calls failing, 8 succeeding, and so on.
      if (call % 20 < 12) throw faults[Math.floor(call / 20) % faults.length]!();
    });
    const d = createDispatcher(deps, { local: sender }, { concurrency: 4 });
    for (let round = 0; round < 40 && (await db.store.outboxTotals()).pending > 0; round++) {
      await d.flush();
      now += 5 * 60_000;
    }
    expect(await db.store.outboxTotals()).toEqual({ pending: 0, sent: 30, dead: 0 });
    expect(sender.headings().sort()).toEqual(Array.from({ length: 30 }, (_, i) => `dm-${i}`).sort());
  });
});
