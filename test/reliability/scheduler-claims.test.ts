// Scheduler claims on SQLite and PostgreSQL: instances ticking at once run each job once; a job
// claimed by an instance that died is taken over after its lease; one taken over mid-way is not run
// by its first owner; a job that fails halfway leaves nothing behind. Nudges, taken in bulk (locked
// for one transaction rather than claimed), are likewise decided once, and one under another
// instance's live claim is left to it until the lease runs out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deps, JobRunner, JobTable } from '../../src/bot/context.ts';
import { createScheduler } from '../../src/bot/scheduler.ts';
import type { NewJob, Repo } from '../../src/domain/ports.ts';
import { outbox, testDeps } from '../support/bot.ts';
import { partnership } from '../support/fixtures.ts';
import { DIALECTS, type SharedDb } from './support/dialects.ts';

const p = partnership();
const NOW = new Date('2026-12-01T10:00:00Z');
const digestJob = (step: string, dueAt = '2026-12-01T09:00:00Z'): NewJob => ({ kind: 'digest', partnershipId: p.id, ref: p.id, step, dueAt });
const nudgeJob = (ref: string, dueAt = '2026-12-01T09:30:00Z'): NewJob => ({ kind: 'consultation.nudge', partnershipId: p.id, ref, step: '7', dueAt });

describe.each(DIALECTS)('scheduler claims on $name', ({ open }) => {
  let db: SharedDb;
  let deps: Deps;

  beforeEach(async () => {
    db = await open();
    await db.store.insertPartnership(p);
    deps = testDeps(db.store, NOW);
  });
  afterEach(() => db.dispose());

  /** Runners that count runs and write one outbox row per run (keyed, as real runners do). */
  function counting(runs: Map<string, number>): JobTable {
    return {
      digest: async ({ tx, job, now }) => {
        runs.set(job.step, (runs.get(job.step) ?? 0) + 1);
        await tx.enqueue([{ key: `k:${job.step}`, partnershipId: p.id, target: { kind: 'user', platform: 'local', workspace: 'local', user: 'ann' }, message: { blocks: [] } }], now.toISOString());
      },
    };
  }

  it('runs each due job once when three instances tick at the same moment', async () => {
    await db.store.scheduleJobs(Array.from({ length: 60 }, (_, i) => digestJob(String(i))));
    const runs = new Map<string, number>();
    const schedulers = await Promise.all(['a', 'b', 'c'].map(async (owner) => createScheduler(testDeps(await db.another(), NOW), counting(runs), { owner, batch: 7 })));
    const reports = await Promise.all(schedulers.map((s) => s.tick(NOW)));
    expect(reports.reduce((n, r) => n + r.ran, 0)).toBe(60);
    expect(runs.size).toBe(60);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(await outbox(db.store)).toHaveLength(60);
  });

  /** A nudge runner with a batch (run in bulk), counting each job it decides and writing one keyed row for it. */
  function countingNudges(runs: Map<string, number>): JobTable {
    const decide = async (tx: Repo, refs: string[], now: Date) => {
      for (const ref of refs) runs.set(ref, (runs.get(ref) ?? 0) + 1);
      await tx.enqueue(refs.map((ref) => ({ key: `nudge:${ref}`, partnershipId: p.id, target: { kind: 'user', platform: 'local', workspace: 'local', user: 'ann' }, message: { blocks: [] } })), now.toISOString());
    };
    const nudge: JobRunner = ({ tx, job, now }) => decide(tx, [job.ref], now);
    nudge.batch = ({ tx, items, now }) => decide(tx, items.map((i) => i.job.ref), now);
    return { 'consultation.nudge': nudge };
  }

  it('decides each nudge once when three instances take them in bulk at the same moment', async () => {
    await db.store.scheduleJobs(Array.from({ length: 60 }, (_, i) => nudgeJob(`c-${i}`)));
    const runs = new Map<string, number>();
    const schedulers = await Promise.all(['a', 'b', 'c'].map(async (owner) => createScheduler(testDeps(await db.another(), NOW), countingNudges(runs), { owner, bulk: 7 })));
    const reports = await Promise.all(schedulers.map((s) => s.tick(NOW)));
    expect(reports.reduce((n, r) => n + r.ran, 0)).toBe(60);
    expect(runs.size).toBe(60);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(await outbox(db.store)).toHaveLength(60);
    expect(await db.store.pendingJobs(p.id, 100)).toEqual([]);
  });

  it('leaves a nudge under another instance\'s live claim to it, and takes it over after the lease', async () => {
    await db.store.scheduleJobs([nudgeJob('c-held', '2026-12-01T09:00:00Z'), nudgeJob('c-1'), nudgeJob('c-2')]);
    // The other instance claimed the earliest one (one job at a time, after a batch of its own failed) and died.
    expect((await db.store.claimJobs(NOW.toISOString(), { owner: 'dead', until: new Date(NOW.getTime() + 120_000).toISOString() }, 1)).map((j) => j.ref)).toEqual(['c-held']);
    const runs = new Map<string, number>();
    const heir = createScheduler(testDeps(await db.another(), NOW), countingNudges(runs), { owner: 'heir' });
    expect(await heir.tick(NOW)).toEqual({ ran: 2, failed: 0 });
    expect([...runs.keys()].sort()).toEqual(['c-1', 'c-2']);
    expect(await heir.tick(new Date(NOW.getTime() + 120_000))).toEqual({ ran: 1, failed: 0 });
    expect(runs.get('c-held')).toBe(1);
  });

  it('takes over a job claimed by an instance that died, after its lease', async () => {
    await db.store.scheduleJobs([digestJob('x')]);
    // The dead instance claimed the job and never ran it (its transaction died with it).
    expect(await db.store.claimJobs(NOW.toISOString(), { owner: 'dead', until: new Date(NOW.getTime() + 120_000).toISOString() }, 10)).toHaveLength(1);
    const runs = new Map<string, number>();
    const heir = createScheduler(testDeps(await db.another(), NOW), counting(runs), { owner: 'heir' });
    expect(await heir.tick(NOW)).toEqual({ ran: 0, failed: 0 });
    expect(await heir.tick(new Date(NOW.getTime() + 120_000))).toEqual({ ran: 1, failed: 0 });
    expect(runs.get('x')).toBe(1);
  });

  it('does not run a job its lease lost to another instance', async () => {
    await db.store.scheduleJobs([digestJob('x')]);
    const [job] = await db.store.claimJobs(NOW.toISOString(), { owner: 'slow', until: NOW.toISOString() }, 10);
    // The lease ran out and another instance took the job over before the slow one got to it.
    const later = new Date(NOW.getTime() + 1);
    expect(await db.store.claimJobs(later.toISOString(), { owner: 'quick', until: new Date(later.getTime() + 60_000).toISOString() }, 10)).toHaveLength(1);
    expect(await db.store.transaction((tx) => tx.holdJob(job!.id, 'slow'))).toBe(false);
    expect(await db.store.transaction((tx) => tx.holdJob(job!.id, 'quick'))).toBe(true);
  });

  it('leaves nothing behind when a job fails halfway, and runs it on the next tick', async () => {
    await db.store.scheduleJobs([digestJob('x')]);
    let fail = true;
    const jobs: JobTable = {
      digest: async ({ tx, now, job }) => {
        await tx.enqueue([{ key: `half:${job.step}`, partnershipId: p.id, target: { kind: 'user', platform: 'local', workspace: 'local', user: 'ann' }, message: { blocks: [] } }], now.toISOString());
        await tx.scheduleJobs([digestJob('follow-up', '2026-12-08T09:00:00Z')]);
        if (fail) throw new Error('the database went away halfway');
      },
    };
    const s = createScheduler(deps, jobs, { owner: 'a' });
    expect(await s.tick(NOW)).toEqual({ ran: 0, failed: 1 });
    expect(await outbox(db.store)).toEqual([]);
    expect((await db.store.pendingJobs(p.id, 10)).map((j) => j.step)).toEqual(['x']);
    fail = false;
    expect(await s.tick(NOW)).toEqual({ ran: 1, failed: 0 });
    expect((await outbox(db.store)).map((r) => r.key)).toEqual(['half:x']);
  });
});
