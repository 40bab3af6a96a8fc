// Three instances of the whole app (each its own pool, scheduler and dispatcher) on one PostgreSQL
// schema, ticking together through a simulated week: every digest, nudge and reminder is delivered
// once, each job runs once, and when one instance dies mid-dispatch the others take its work over
// after the lease (only what it had in flight is sent twice).
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/connect.ts';
import type { SqlStore } from '../../db/store.ts';
import { TEST_DATABASE_URL, postgresAnswers } from '../../db/testing.ts';
import type { InboxEntry } from '../../src/adapters/local/inbox.ts';
import { startApp, type App } from '../../src/bot/app.ts';
import { loadConfig } from '../../src/bot/config.ts';
import type { Actor } from '../../src/bot/context.ts';
import type { Sender } from '../../src/bot/dispatcher.ts';
import type { Message } from '../../src/domain/message.ts';
import type { Target } from '../../src/domain/partnership.ts';

const CI = process.env.CI === 'true';
const postgresUp = await postgresAnswers();
if (!postgresUp && !CI) console.warn(`PostgreSQL does not answer at ${TEST_DATABASE_URL}: the several-instances test is skipped.`);

const CHANNELS = ['northside', 'riverside', 'hillside'];
const HOUR = 3_600_000;
const START = Date.parse('2027-01-04T08:00:00Z'); // Monday, London in GMT
const END = Date.parse('2027-01-12T00:00:00Z');
const CRASH_AT = Date.parse('2027-01-06T10:00:00Z'); // Wednesday, just after the 2-days-left nudge
const CONCURRENCY = 8;

let now = START;
const clock = { now: () => new Date(now) };
const schema = `inst_${process.pid}_${randomBytes(3).toString('hex')}`;
let store: SqlStore;
const apps: App[] = [];
/** Messages the dying instance delivered and then never heard back about. */
const caughtInFlight: string[] = [];
let crashed = false;

/** Instance C's senders: after the crash, each send is delivered and then hangs forever. */
function dying(inner: Sender): Sender {
  return {
    async send(target: Target, message: Message) {
      await inner.send(target, message);
      if (!crashed) return;
      caughtInFlight.push(keyOf(target, message));
      await new Promise(() => undefined);
    },
  };
}

function keyOf(target: Target, message: Message): string {
  return `${target.kind}:${target.kind === 'channel' ? target.channel : target.user}:${JSON.stringify(message)}`;
}

function entryKey(e: InboxEntry): string {
  return e.channel !== undefined ? `channel:${e.channel}:${JSON.stringify(e.message)}` : `user:${e.user}:${JSON.stringify(e.message)}`;
}

const actor = (user: string, channel: string): Actor => ({
  identity: { platform: 'local', workspace: 'local', user },
  displayName: user,
  channel: { platform: 'local', workspace: 'local', channel },
});

beforeAll(async () => {
  if (!(postgresUp || CI)) return;
  store = await openStore(TEST_DATABASE_URL, { schema });
  const url = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const config = loadConfig({ DATABASE_URL: url, PARTNERBOT_SECRET: 'instances-test-secret-0123', LOCAL_ADAPTER: 'true', SCHEDULER: 'false', PORT: '0', LOG_LEVEL: 'silent' });
  for (const name of ['a', 'b', 'c']) {
    apps.push(
      await startApp(config, {
        log: pino({ level: 'silent' }),
        clock,
        reliability: { concurrency: CONCURRENCY, owner: `instance-${name}` },
        ...(name === 'c' ? { wrapSender: (_p: unknown, s: Sender) => dying(s) } : {}),
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  for (const app of apps) await app.stop();
  if (store) {
    await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
    await store.close();
  }
}, 60_000);

describe.runIf(postgresUp || CI)('three instances on one PostgreSQL database', () => {
  it('deliver every digest, nudge and reminder of a week once, and lose nothing when one dies', async () => {
    const [a, b, c] = apps as [App, App, App];
    // Commands go to whichever instance a load balancer would pick.
    const run = async (app: App, user: string, text: string, ch: string) => {
      const replies = await app.core.runCommand(actor(user, ch), text);
      expect(JSON.stringify(replies)).not.toMatch(/went wrong/);
      return replies;
    };
    const people = ['alice', 'bob', 'dan', 'erin', 'frank', 'gina', 'hal', 'ivy'];
    // Three partnerships, so each tick has several jobs and messages for the instances to race for.
    for (const [n, ch] of CHANNELS.entries()) {
      const [x, y, z] = [apps[n % 3]!, apps[(n + 1) % 3]!, apps[(n + 2) % 3]!];
      await run(x, 'carol', `/partner setup "Partnership ${ch}" purpose="Better outcomes"`, ch);
      await run(y, 'carol', '/partner settings pulse=off', ch);
      await run(z, 'carol', '/partner join public "Northside Council"', ch);
      for (const [i, user] of people.entries()) await run(apps[i % 3]!, user, `/partner join third "Org ${user}"`, ch);
      await run(x, 'carol', '/partner role frank member,chair', ch);
      await run(y, 'carol', '/partner consult "Draft local plan" by 2027-01-08', ch);
      await run(z, 'frank', '/partner review set 2027-01-08', ch);
      await run(x, 'carol', '/partner pulse start short days=3', ch);
    }
    for (const app of apps) await app.core.flush();

    let hung: Promise<void> | null = null;
    for (now = START; now <= END; now += HOUR) {
      if (now === CRASH_AT) {
        // C ticks first and dies mid-dispatch: it delivers what it claimed and never marks it sent.
        crashed = true;
        hung = c.core.tick(new Date(now));
        // Until C has something in flight (a fixed wait was too short on a loaded machine).
        for (const until = Date.now() + 15_000; caughtInFlight.length === 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 25));
      }
      const live = crashed ? [a, b] : [a, b, c];
      await Promise.all(live.map((app) => app.core.tick(new Date(now))));
      // Sends still in flight finish before the clock jumps an hour: otherwise their 60 s claims look
      // expired and another instance sends the same rows again (a duplicate the test did not cause).
      await Promise.all(live.map((app) => app.core.flush()));
    }
    void hung;

    // Everything decided was sent; every due job ran, and ran once across the three.
    expect(await store.outboxTotals()).toMatchObject({ pending: 0, dead: 0 });
    const sentRows = await store.db.selectFrom('outbox').select(['target', 'message']).where('status', '=', 'sent').execute();
    const done = await store.db.selectFrom('jobs').select('kind').where('done_at', 'is not', null).execute();
    const undone = await store.db.selectFrom('jobs').select('kind').where('done_at', 'is', null).where('due_at', '<=', new Date(END).toISOString()).execute();
    expect(undone).toEqual([]);
    let ran = 0;
    for (const app of apps) ran += (await app.metrics.jobs.get()).values.filter((v) => v.labels.outcome === 'ran').reduce((n, v) => n + v.value, 0);
    expect(ran).toBe(done.length);
    const kinds = new Set(done.map((j) => j.kind));
    for (const kind of ['digest', 'consultation.nudge', 'review.reminder', 'pulse.reminder', 'pulse.close', 'consultation.deadline']) expect(kinds).toContain(kind);

    // Delivered: every row at least once; more than once only what C had in flight when it died.
    const delivered = new Map<string, number>();
    for (const app of apps) {
      const entries = app.inbox!.since(0).filter((e) => e.from === null);
      for (const e of entries) delivered.set(entryKey(e), (delivered.get(entryKey(e)) ?? 0) + 1);
    }
    const expected = sentRows.map((r) => keyOf(JSON.parse(String(r.target)) as Target, JSON.parse(String(r.message)) as Message));
    expect(expected.filter((k) => !delivered.has(k))).toEqual([]);
    expect(new Set(expected).size).toBe(expected.length);
    const twice = [...delivered].filter(([, n]) => n > 1).map(([k]) => k);
    expect(caughtInFlight.length).toBeGreaterThan(0);
    expect(caughtInFlight.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(twice.sort()).toEqual([...caughtInFlight].sort());
    expect([...delivered.values()].every((n) => n <= 2)).toBe(true);
    expect(delivered.size).toBe(expected.length);
    console.info(`${done.length} jobs ran once each (${[...kinds].join(", ")}); ${expected.length} messages, ${caughtInFlight.length} in flight at the crash`);
    const texts = [...delivered.keys()].join('\n');
    for (const what of [/digest/i, /Consultation reminder/, /[Rr]eview/]) expect(texts).toMatch(what);
  }, 180_000);
});
