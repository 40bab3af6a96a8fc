// Graceful shutdown: claim nothing more, let sends in flight finish (or give them back after a
// bounded grace), release every claim, close the database, exit 0 — and a restart sends the rest
// with no duplicates at all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../db/connect.ts';
import type { Deps } from '../../src/bot/context.ts';
import { createDispatcher, type Sender } from '../../src/bot/dispatcher.ts';
import { message, para, t } from '../../src/domain/message.ts';
import { testDeps } from '../support/bot.ts';
import { partnership } from '../support/fixtures.ts';
import { startBot, slackEnv } from './support/bot-process.ts';
import { Receiver } from './support/receiver.ts';
import { seedBusyPartnership } from './support/seed.ts';
import { DIALECTS, type SharedDb } from './support/dialects.ts';

const p = partnership();
const NOW = new Date('2026-12-01T10:00:00Z');
const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe.each(DIALECTS)('dispatcher stop on $name', ({ open }) => {
  let db: SharedDb;
  let deps: Deps;
  beforeEach(async () => {
    db = await open();
    await db.store.insertPartnership(p);
    deps = testDeps(db.store, NOW);
    await db.store.enqueue(
      Array.from({ length: 20 }, (_, i) => ({ key: `m-${i}`, partnershipId: p.id, target: { kind: 'user' as const, platform: 'local' as const, workspace: 'local', user: `u${i}` }, message: message(`m-${i}`, para(t('x'))) })),
      NOW.toISOString(),
    );
  });
  afterEach(() => db.dispose());

  async function unclaimedPending(): Promise<number> {
    const rows = await db.store.db.selectFrom('outbox').select(['claimed_by', 'next_attempt_at']).where('status', '=', 'pending').execute();
    expect(rows.filter((r) => r.claimed_by !== null)).toEqual([]);
    expect(rows.every((r) => String(r.next_attempt_at) <= NOW.toISOString())).toBe(true);
    return rows.length;
  }

  it('finishes the sends in flight, gives the rest back, and a successor sends them once', async () => {
    const sent: string[] = [];
    let started = 0;
    const slow: Sender = { send: async (_t, m) => void (started++, await pause(150), sent.push(m.heading!)) };
    const d = createDispatcher(deps, { local: slow }, { concurrency: 3, owner: 'stopping' });
    const flushing = d.flush();
    while (started < 3) await pause(5);
    const t0 = performance.now();
    await d.stop(2_000);
    expect(performance.now() - t0).toBeLessThan(1_000);
    await flushing;
    expect(sent).toHaveLength(3);
    expect(await db.store.outboxTotals()).toMatchObject({ sent: 3 });
    expect(await unclaimedPending()).toBe(17);
    const after: string[] = [];
    const successor = createDispatcher(deps, { local: { send: async (_t, m) => void after.push(m.heading!) } }, { owner: 'next' });
    expect(await successor.flush()).toBe(17);
    expect(new Set([...sent, ...after]).size).toBe(20);
  });

  it('stops within its grace even when a send hangs, and gives everything back', async () => {
    let started = 0;
    const hung: Sender = { send: () => (started++, new Promise(() => undefined)) };
    const d = createDispatcher(deps, { local: hung }, { concurrency: 2, owner: 'stuck' });
    void d.flush();
    while (started < 2) await pause(5);
    const t0 = performance.now();
    await d.stop(300);
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect(await unclaimedPending()).toBe(20);
  });
});

describe('SIGTERM mid-dispatch (the real process on SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'partnerbot-term-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 promptly with every arrived message marked sent, and a restart sends the rest with no duplicate', async () => {
    const file = join(dir, 'term.sqlite');
    const seedStore = await openStore(file);
    await seedBusyPartnership(seedStore, { members: 10, directs: 100, channels: 0, perChannel: 0 });
    await seedStore.close();
    const receiver = await new Receiver([150, 250]).start(); // slow answers: sends are in flight when the signal comes
    const env = { ...slackEnv(receiver.apiUrl), DATABASE_URL: file, DISPATCH_CONCURRENCY: '8' };
    try {
      const bot = startBot(env);
      await bot.ready();
      await receiver.until(() => receiver.arrivals.length >= 20, 'the first messages', 30_000);
      const t0 = Date.now();
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);

      const check = await openStore(file);
      const arrived = receiver.arrivals.length;
      expect(arrived).toBeLessThan(110);
      expect(await check.outboxTotals()).toEqual({ pending: 110 - arrived, sent: arrived, dead: 0 });
      expect(await check.db.selectFrom('outbox').select('id').where('claimed_by', 'is not', null).where('status', '=', 'pending').execute()).toEqual([]);
      await check.close();

      const again = startBot(env);
      await receiver.until(() => receiver.arrivals.length >= 110, 'the rest', 60_000);
      await pause(300);
      await again.ready();
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
      expect(receiver.counts().size).toBe(110);
      expect(receiver.arrivals).toHaveLength(110); // no duplicates at all
    } finally {
      await receiver.stop();
    }
  }, 120_000);
});
