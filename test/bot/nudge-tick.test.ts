// A scheduler tick with many nudges due, against a real store and the real job runners: the nudges
// are decided with a fixed number of queries however many are due (and a tick with nothing due costs
// one), go to exactly those asked who have not answered, are written once per decision, and a batch
// that fails leaves nothing behind and is retried one job at a time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlStore } from '../../db/store.ts';
import { JOBS } from '../../src/bot/app.ts';
import type { Deps, JobRunner, JobTable } from '../../src/bot/context.ts';
import { createScheduler } from '../../src/bot/scheduler.ts';
import { nudgePlan, type Consultation } from '../../src/domain/consultation.ts';
import { message, para, t } from '../../src/domain/message.ts';
import type { Partnership } from '../../src/domain/partnership.ts';
import type { NewJob } from '../../src/domain/ports.ts';
import { outbox, seededStore, testDeps } from '../support/bot.ts';
import { consultation, member, partnership, response } from '../support/fixtures.ts';

const OPENED = '2026-09-01T09:00:00Z';
const DEADLINE = '2026-10-20'; // Tue; the 7-day nudge is Tue 13 Oct 09:30 London, the 2-day one Fri 16 Oct

function nudgeJob(c: Consultation, p: Partnership, step: string): NewJob {
  const job = nudgePlan(c, p, new Date(OPENED)).find((j) => j.kind === 'consultation.nudge' && j.step === step);
  if (!job) throw new Error(`no ${step}-day nudge`);
  return job;
}

const SEVEN = nudgeJob(consultation({ openedAt: OPENED, deadline: DEADLINE }), partnership(), '7');
const AT = new Date(Date.parse(SEVEN.dueAt) + 60_000);

let store: SqlStore;
let deps: Deps;

beforeEach(async () => {
  store = await seededStore(partnership({ id: 'p-0' }), []);
  deps = testDeps(store, AT);
});
afterEach(() => store.close());

/** `n` partnerships, each with three members who have not answered and a consultation at its 7-day nudge. */
async function seedMany(n: number, from = 1): Promise<void> {
  await store.transaction(async (tx) => {
    for (let i = from; i < from + n; i++) {
      const p = partnership({ id: `p-${i}` });
      await tx.insertPartnership(p);
      for (const who of ['a', 'b', 'c']) await tx.insertMember(member(`${who}${i}`, { id: `m-${i}-${who}`, partnershipId: p.id }));
      const c = consultation({ id: `c-${i}`, partnershipId: p.id, openedAt: OPENED, deadline: DEADLINE });
      await tx.insertConsultation(c);
      await tx.scheduleJobs([nudgeJob(c, p, '7')]);
    }
  });
}

/** Counts the statements the store sends while `fn` runs on it. */
async function counting(fn: (store: SqlStore) => Promise<unknown>): Promise<number> {
  let n = 0;
  const counted = new SqlStore(
    store.db.withPlugin({
      transformQuery: (args) => (n++, args.node),
      transformResult: async (args) => args.result,
    }),
    'sqlite',
  );
  await fn(counted);
  return n;
}

describe('a tick with many nudges due', () => {
  it('decides them with the same few queries whether 3 or 60 are due', async () => {
    await seedMany(3);
    const few = await counting((s) => createScheduler(testDeps(s, AT), JOBS).tick(AT));
    expect(await outbox(store)).toHaveLength(9);

    await seedMany(60, 100);
    const many = await counting((s) => createScheduler(testDeps(s, AT), JOBS).tick(AT));
    expect(await outbox(store)).toHaveLength(9 + 180);
    expect(many).toBe(few);
    expect(many).toBeLessThan(25);
  });

  it('costs one query when nothing is due, however many jobs are pending or done', async () => {
    await seedMany(20);
    const before = new Date(Date.parse(SEVEN.dueAt) - 60_000);
    expect(await counting((s) => createScheduler(testDeps(s, before), JOBS).tick(before))).toBe(1);
    await createScheduler(deps, JOBS).tick(AT);
    expect(await counting((s) => createScheduler(testDeps(s, AT), JOBS).tick(AT))).toBe(1);
  });

  it('nudges exactly those asked who have not answered, and writes each nudge once', async () => {
    const p = partnership({ id: 'p-1' });
    await store.insertPartnership(p);
    const ann = member('Ann', { partnershipId: p.id, sector: 'public' });
    const bob = member('Bob', { partnershipId: p.id, sector: 'third' });
    const cat = member('Cat', { partnershipId: p.id, sector: 'third', identities: [] }); // no chat identity: nothing to send to
    const dev = member('Dev', { partnershipId: p.id, sector: 'private' });
    for (const m of [ann, bob, cat, dev]) await store.insertMember(m);
    const all = consultation({ id: 'c-all', partnershipId: p.id, openedAt: OPENED, deadline: DEADLINE, title: 'Everyone' });
    const some = consultation({ id: 'c-some', partnershipId: p.id, openedAt: OPENED, deadline: DEADLINE, audience: { sectors: ['third'], memberIds: [ann.id] } });
    const closed = consultation({ id: 'c-closed', partnershipId: p.id, openedAt: OPENED, deadline: DEADLINE, status: 'awaiting_feedback' });
    // Down since before the 7-day nudge of this one: only its latest due (the 2-day one) goes out.
    const late = consultation({ id: 'c-late', partnershipId: p.id, openedAt: OPENED, deadline: '2026-10-15', title: 'Late' });
    // In a partnership no longer active, and one whose job names another partnership.
    const archived = partnership({ id: 'p-archived', status: 'wound_up' });
    await store.insertPartnership(archived);
    await store.insertMember(member('Eve', { partnershipId: archived.id }));
    const gone = consultation({ id: 'c-archived', partnershipId: archived.id, openedAt: OPENED, deadline: DEADLINE });
    for (const c of [all, some, closed, late, gone]) await store.insertConsultation(c);
    await store.upsertResponse(response(ann.id, { consultationId: all.id, kind: 'responded' }));
    await store.upsertResponse(response(bob.id, { consultationId: some.id, kind: 'not_relevant' }));
    await store.upsertResponse(response(dev.id, { consultationId: some.id, kind: 'more_time' })); // not asked there
    await store.scheduleJobs([
      nudgeJob(all, p, '7'),
      nudgeJob(some, p, '7'),
      nudgeJob(closed, p, '7'),
      nudgeJob(late, p, '7'),
      nudgeJob(late, p, '2'),
      nudgeJob(gone, archived, '7'),
      { ...nudgeJob(all, p, '2'), ref: gone.id, dueAt: SEVEN.dueAt },
      { ...nudgeJob(all, p, '14'), ref: 'c-deleted', dueAt: SEVEN.dueAt },
    ]);
    const now = new Date('2026-10-13T09:31:00Z');
    expect(Date.parse(nudgeJob(late, p, '2').dueAt)).toBeLessThan(now.getTime());

    expect(await createScheduler(testDeps(store, now), JOBS).tick(now)).toEqual({ ran: 8, failed: 0 });
    const sent = (await outbox(store)).map((r) => `${r.key} ${r.message.heading}`);
    expect(sent.sort()).toEqual(
      [
        'nudge:c-all:7:m-bob Consultation reminder: 7 days left',
        'nudge:c-all:7:m-dev Consultation reminder: 7 days left',
        'nudge:c-some:7:m-ann Consultation reminder: 7 days left',
        'nudge:c-late:2:m-ann Consultation reminder: 2 days left',
        'nudge:c-late:2:m-bob Consultation reminder: 2 days left',
        'nudge:c-late:2:m-dev Consultation reminder: 2 days left',
      ].sort(),
    );
    const bobs = (await outbox(store)).find((r) => r.key === 'nudge:c-all:7:m-bob')!;
    expect(bobs.target).toEqual({ kind: 'user', ...bob.identities[0] });
    expect(bobs.partnershipId).toBe(p.id);
    expect(await store.pendingJobs(p.id, 10)).toEqual([]);
    expect(await store.pendingJobs(archived.id, 10)).toEqual([]);

    // The same decisions again (the jobs made due once more): no second row for any of them.
    await store.db.updateTable('jobs').set({ done_at: null, claimed_by: null, lease_until: null }).execute();
    expect(await createScheduler(testDeps(store, now), JOBS).tick(now)).toEqual({ ran: 8, failed: 0 });
    expect(await outbox(store)).toHaveLength(6);
  });

  it('keeps nothing of a batch that fails, and then runs its jobs one by one: only the bad one waits', async () => {
    await seedMany(5);
    const real = JOBS['consultation.nudge']!;
    const bad = 'c-3';
    // The batch writes every nudge, then fails on the bad job; one by one, only the bad job fails.
    const nudge: JobRunner = async (ctx) => {
      if (ctx.job.ref === bad) throw new Error('this consultation cannot be decided');
      await real(ctx);
    };
    nudge.batch = async (ctx) => {
      await real.batch!(ctx);
      await ctx.tx.enqueue([{ key: 'batch-marker', partnershipId: null, target: { kind: 'user', platform: 'local', workspace: 'local', user: 'x' }, message: message('x', para(t('x'))) }], AT.toISOString());
      if (ctx.items.some((i) => i.job.ref === bad)) throw new Error('the batch failed halfway');
    };
    const jobs: JobTable = { ...JOBS, 'consultation.nudge': nudge };
    const s = createScheduler(deps, jobs);
    expect(await s.tick(AT)).toEqual({ ran: 4, failed: 1 });
    const keys = (await outbox(store)).map((r) => r.key);
    expect(keys).not.toContain('batch-marker');
    expect(keys.filter((k) => k.startsWith(`nudge:${bad}:`))).toEqual([]);
    expect(keys).toHaveLength(12);
    expect((await store.pendingJobs('p-3', 10)).map((j) => j.ref)).toEqual([bad]);
    // Given back, not held: the next tick tries it again.
    const [left] = await store.db.selectFrom('jobs').select(['claimed_by', 'lease_until']).where('ref', '=', bad).execute();
    expect(left).toEqual({ claimed_by: null, lease_until: null });
  });
});
