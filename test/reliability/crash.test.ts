// kill -9 in the middle of dispatching, five times, on SQLite (one process) and on PostgreSQL (three
// processes sharing the database): every message arrives, and the only duplicates are messages that
// were in flight when a process died (at most DISPATCH_CONCURRENCY per kill).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/connect.ts';
import { TEST_DATABASE_URL, postgresAnswers } from '../../db/testing.ts';
import type { SqlStore } from '../../db/store.ts';
import { startBot, slackEnv, type BotProcess } from './support/bot-process.ts';
import { keyOf, Receiver } from './support/receiver.ts';
import { seedBusyPartnership, type Seeded } from './support/seed.ts';

const CONCURRENCY = 8;
const SIZE = { members: 250, directs: 200, channels: 20, perChannel: 5 }; // 550 messages
const TOTAL = SIZE.members + SIZE.directs + SIZE.channels * SIZE.perChannel;
const KILLS_AT = [40, 140, 250, 350, 450];

const CI = process.env.CI === 'true';
const postgresUp = await postgresAnswers();
if (!postgresUp && !CI) console.warn(`PostgreSQL does not answer at ${TEST_DATABASE_URL}: the PostgreSQL crash test is skipped.`);

const dir = mkdtempSync(join(tmpdir(), 'partnerbot-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  /** Arrival index at which each kill took effect. */
  boundaries: number[];
  /** One process at a time, so each duplicate can be laid at one kill's door. */
  oneProcess: boolean;
}

/** Waits until `threshold` messages have arrived and kills `victim()` with SIGKILL right then. */
function killAt(receiver: Receiver, threshold: number, victim: () => BotProcess): Promise<void> {
  return new Promise((resolve) => {
    receiver.onArrival = (_a, n) => {
      if (n < threshold) return;
      receiver.onArrival = () => undefined;
      victim().child.kill('SIGKILL');
      resolve();
    };
  });
}

function check(receiver: Receiver, seeded: Seeded, outcome: Outcome): void {
  const counts = receiver.counts();
  // Every seeded message and every member's nudge arrived.
  const missing = seeded.outboxKeys.filter((k) => !counts.has(k));
  expect(missing).toEqual([]);
  for (const user of seeded.nudged) {
    const texts = new Set(receiver.arrivals.filter((a) => a.channel === user).map((a) => a.text));
    expect(texts.size, `nudges to ${user}`).toBe(1);
  }
  expect(counts.size).toBe(TOTAL);

  // Duplicates: only messages in flight at a kill, so at most CONCURRENCY each time.
  const duplicates = receiver.arrivals.length - counts.size;
  console.info(`${receiver.arrivals.length} arrivals, ${counts.size} distinct, ${duplicates} duplicates over ${outcome.boundaries.length} kills`);
  expect(duplicates).toBeLessThanOrEqual(CONCURRENCY * outcome.boundaries.length);
  if (outcome.oneProcess) {
    // One process: a duplicate's first send was in flight at the first kill after it.
    const perKill = outcome.boundaries.map(() => 0);
    for (const [key, n] of counts) {
      if (n < 2) continue;
      const first = receiver.arrivals.findIndex((a) => keyOf(a) === key);
      const kill = outcome.boundaries.findIndex((b) => b > first);
      expect(kill, `${key} was sent twice with no kill in between`).toBeGreaterThanOrEqual(0);
      perKill[kill]! += n - 1;
    }
    console.info(`duplicates per kill: ${perKill.join(', ')}`);
    for (const d of perKill) expect(d).toBeLessThanOrEqual(CONCURRENCY);
  }

  // One channel's messages arrive in order (first arrivals; a duplicate may repeat an earlier one).
  for (const [channel, headings] of seeded.channelOrder) {
    const seen: string[] = [];
    for (const a of receiver.arrivals) if (a.channel === channel && !seen.includes(a.text)) seen.push(a.text);
    expect(seen, `order in ${channel}`).toEqual(headings);
  }
}

async function checkDatabase(store: SqlStore): Promise<void> {
  expect(await store.outboxTotals()).toEqual({ pending: 0, sent: TOTAL, dead: 0 });
  const claimed = await store.db.selectFrom('outbox').select('id').where('status', '=', 'pending').where('claimed_by', 'is not', null).execute();
  expect(claimed).toEqual([]);
  expect(await store.db.selectFrom('jobs').select('id').where('done_at', 'is', null).where('due_at', '<=', new Date().toISOString()).execute()).toEqual([]);
}

describe('kill -9 mid-dispatch', () => {
  it('on SQLite: loses nothing over five kills, and refuses a second instance on the same file', async () => {
    const file = join(dir, 'crash.sqlite');
    const store = await openStore(file);
    const seeded = await seedBusyPartnership(store, SIZE);
    await store.close();

    const receiver = await new Receiver().start();
    const env = { ...slackEnv(receiver.apiUrl), DATABASE_URL: file, DISPATCH_CONCURRENCY: String(CONCURRENCY) };
    const outcome: Outcome = { boundaries: [], oneProcess: true };
    try {
      let bot = startBot(env);
      for (const threshold of KILLS_AT) {
        const killed = killAt(receiver, threshold, () => bot);
        await Promise.race([killed, bot.exited.then(() => Promise.reject(new Error(`the bot exited before the kill:\n${bot.output()}`)))]);
        await bot.exited;
        outcome.boundaries.push(receiver.arrivals.length);
        bot = startBot(env);
      }
      await bot.ready();
      const second = startBot(env);
      expect(await second.exited).not.toBe(0);
      expect(second.output()).toMatch(/Another partnerbot is already running on the SQLite database .*crash\.sqlite/);

      await receiver.until(() => receiver.counts().size >= TOTAL, 'every message', 60_000);
      await new Promise((r) => setTimeout(r, 300)); // nothing more should come
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      check(receiver, seeded, outcome);
    } finally {
      await receiver.stop();
    }
    const after = await openStore(file);
    try {
      await checkDatabase(after);
    } finally {
      await after.close();
    }
  }, 240_000);

  it.runIf(postgresUp || CI)('on PostgreSQL with three processes: loses nothing over five kills, each killed one restarted', async () => {
    const schema = `crash_${process.pid}_${randomBytes(3).toString('hex')}`;
    const store = await openStore(TEST_DATABASE_URL, { schema });
    const receiver = await new Receiver().start();
    const bots: BotProcess[] = [];
    try {
      const seeded = await seedBusyPartnership(store, SIZE);
      const url = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const env = {
        ...slackEnv(receiver.apiUrl),
        DATABASE_URL: url,
        PARTNERBOT_SECRET: 'crash-test-secret-0123456789',
        DISPATCH_CONCURRENCY: String(CONCURRENCY),
        // Short, so a dead instance's claims are taken over within the test.
        CLAIM_LEASE_SECONDS: '2',
      };
      for (let i = 0; i < 3; i++) bots.push(startBot(env));
      const outcome: Outcome = { boundaries: [], oneProcess: false };
      for (const [n, threshold] of KILLS_AT.entries()) {
        const victim = n % 3;
        await killAt(receiver, threshold, () => bots[victim]!);
        await bots[victim]!.exited;
        outcome.boundaries.push(receiver.arrivals.length);
        bots[victim] = startBot(env);
      }
      await receiver.until(() => receiver.counts().size >= TOTAL, 'every message', 90_000);
      await new Promise((r) => setTimeout(r, 300));
      for (const bot of bots) await bot.ready(); // SIGTERM is handled once the bot is up
      for (const bot of bots) bot.child.kill('SIGTERM');
      for (const bot of bots) expect(await bot.exited).toBe(0);
      check(receiver, seeded, outcome);
      await checkDatabase(store);
    } finally {
      for (const bot of bots) if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
      await receiver.stop();
      await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await store.close();
    }
  }, 240_000);
});
