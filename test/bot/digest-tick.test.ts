// A scheduler tick with many weekly digests due, on both dialects, against real stores and the real
// job runners: the batch (set-based, many partnerships at once) leaves exactly what running the jobs
// one at a time leaves, reads with a number of queries that does not grow with the digests due (a
// fixed cost per slice), and a batch that fails leaves nothing behind and is run one job at a time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlStore } from '../../db/store.ts';
import { JOBS } from '../../src/bot/app.ts';
import type { JobRunner, JobTable } from '../../src/bot/context.ts';
import { createScheduler } from '../../src/bot/scheduler.ts';
import { nextDigestJob } from '../../src/domain/digest.ts';
import { message, para, t } from '../../src/domain/message.ts';
import type { ChannelRef, Member, Partnership } from '../../src/domain/partnership.ts';
import type { NewJob, Repo } from '../../src/domain/ports.ts';
import { DIALECTS, type SharedDb } from '../reliability/support/dialects.ts';
import { testDeps } from '../support/bot.ts';
import { consultation, GENERAL, member, partnership, poll, response, SLACK_CHANNEL } from '../support/fixtures.ts';

// Monday 4 January 2027, a minute after the 09:00 digest (London is on GMT).
const NOW = new Date('2027-01-04T09:01:00Z');
const LAST_WEEK = '2026-12-28T09:00:00.000Z';

function digestJob(p: Partnership, dueAt?: string): NewJob {
  const job = nextDigestJob(p, new Date('2027-01-03T20:00:00Z'));
  return dueAt ? { ...job, step: dueAt.slice(0, 10), dueAt } : job;
}

const channel = (name: string): ChannelRef => ({ platform: 'local', workspace: 'local', channel: name });

/** Three ended consultations asked of everyone; `answering` members answered each of them. */
async function pastConsultations(store: SqlStore, p: Partnership, answering: Member[]): Promise<void> {
  for (const [i, deadline] of ['2026-11-02', '2026-11-16', '2026-11-30'].entries()) {
    const c = consultation({ id: `c-${p.id}-old${i}`, partnershipId: p.id, title: `Old ${i}`, openedAt: '2026-10-01T09:00:00Z', deadline, status: 'closed' });
    await store.insertConsultation(c);
    for (const m of answering) await store.upsertResponse(response(m.id, { consultationId: c.id, at: '2026-10-20T10:00:00Z' }));
  }
}

async function addPartnership(store: Repo, p: Partnership, channels: ChannelRef[], members: Member[]): Promise<void> {
  await store.insertPartnership(p);
  for (const ch of channels) await store.addChannel(p.id, ch);
  for (const m of members) await store.insertMember({ ...m, partnershipId: p.id });
}

/** Partnerships of every kind a Monday meets, each with its digest due now. */
async function seedVaried(store: SqlStore): Promise<void> {
  // Much to say, two channels, one organisation gone quiet, a digest of last week left over.
  const full = partnership({ id: 'p-full', name: 'Full', reviewDate: '2027-01-20' });
  const ann = member('Ann', { id: 'm-ann', roles: ['coordinator'], organisation: 'Alpha' });
  const bob = member('Bob', { id: 'm-bob', organisation: 'Beta', sector: 'third' });
  const cat = member('Cat', { id: 'm-cat', organisation: 'Gamma', sector: 'private' });
  await addPartnership(store, full, [GENERAL, SLACK_CHANNEL], [ann, bob, cat]);
  await store.insertConsultation(consultation({ id: 'c-full-open', partnershipId: full.id, title: 'Open one', openedAt: '2026-12-01T09:00:00Z', deadline: '2027-01-08' }));
  await store.upsertResponse(response(bob.id, { consultationId: 'c-full-open' }));
  await store.insertConsultation(consultation({ id: 'c-full-await', partnershipId: full.id, title: 'Awaiting', openedAt: '2026-11-01T09:00:00Z', deadline: '2026-12-20', status: 'awaiting_feedback' }));
  await store.upsertResponse(response(ann.id, { consultationId: 'c-full-await' }));
  await pastConsultations(store, full, [ann, bob]);
  await store.insertPoll(poll({ id: 'poll-full', partnershipId: full.id, status: 'open', openedAt: '2027-01-02T10:00:00.000Z', closesAt: '2027-01-07T09:30:00Z' }));
  // No channel: its digest goes nowhere, but its coordinator still hears who is quiet.
  const bare = partnership({ id: 'p-bare', name: 'Bare' });
  await addPartnership(store, bare, [], [member('Dan', { id: 'm-dan', roles: ['coordinator'], organisation: 'Delta' }), member('Eve', { id: 'm-eve', organisation: 'Epsilon' })]);
  await store.insertConsultation(consultation({ id: 'c-bare-open', partnershipId: bare.id, openedAt: '2026-12-01T09:00:00Z', deadline: '2027-01-10' }));
  await pastConsultations(store, bare, []);
  // Wound up: its job is done without running, and no next one.
  const wound = partnership({ id: 'p-wound', status: 'wound_up' });
  await addPartnership(store, wound, [channel('wound')], [member('Fay', { id: 'm-fay', roles: ['coordinator'] })]);
  await store.insertConsultation(consultation({ id: 'c-wound', partnershipId: wound.id, deadline: '2027-01-08' }));
  // Nothing to say.
  const empty = partnership({ id: 'p-empty' });
  await addPartnership(store, empty, [channel('empty')], [member('Gus', { id: 'm-gus', roles: ['coordinator'] })]);
  // Down since last week: that digest is skipped, this week's still goes.
  const late = partnership({ id: 'p-late' });
  await addPartnership(store, late, [channel('late')], [member('Hal', { id: 'm-hal' })]);
  await store.insertConsultation(consultation({ id: 'c-late', partnershipId: late.id, openedAt: '2026-12-01T09:00:00Z', deadline: '2027-01-06' }));
  // A month's retention: two consultations are reduced to counts first, one of them still in the digest.
  const kept = partnership({ id: 'p-kept', retentionMonths: 1 });
  const ivy = member('Ivy', { id: 'm-ivy', roles: ['coordinator'], organisation: 'Iota' });
  const jo = member('Jo', { id: 'm-jo', organisation: 'Kappa', sector: 'community' });
  await addPartnership(store, kept, [channel('kept')], [ivy, jo]);
  await store.insertConsultation(consultation({ id: 'c-kept-closed', partnershipId: kept.id, openedAt: '2026-08-01T09:00:00Z', deadline: '2026-10-01', status: 'closed' }));
  await store.insertConsultation(consultation({ id: 'c-kept-await', partnershipId: kept.id, openedAt: '2026-10-01T09:00:00Z', deadline: '2026-11-20', status: 'awaiting_feedback' }));
  await store.insertConsultation(consultation({ id: 'c-kept-open', partnershipId: kept.id, openedAt: '2026-12-01T09:00:00Z', deadline: '2027-01-12' }));
  for (const c of ['c-kept-closed', 'c-kept-await', 'c-kept-open']) await store.upsertResponse(response(jo.id, { consultationId: c, at: '2026-09-10T10:00:00Z' }));

  await store.scheduleJobs([full, bare, wound, empty, late, kept].map((p) => digestJob(p, p === late ? LAST_WEEK : undefined)));
  await store.scheduleJobs([digestJob(full, LAST_WEEK)]);
}

/** What a tick leaves that anyone could see: outbox rows, jobs, kept counts and responses. */
async function snapshot(store: SqlStore) {
  const outbox = await store.db.selectFrom('outbox').select(['key', 'partnership_id', 'target', 'message', 'status', 'created_at']).execute();
  const jobs = await store.db.selectFrom('jobs').select(['kind', 'partnership_id', 'ref', 'step', 'due_at', 'done_at']).execute();
  const kept = await store.db.selectFrom('consultation_summaries' as never).select(['consultation_id', 'asked', 'answered', 'summary'] as never[]).execute();
  const responses = await store.db.selectFrom('consultation_responses').select(['consultation_id', 'member_id', 'kind']).execute();
  const text = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));
  const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();
  return {
    outbox: sorted(outbox.map((r) => ({ ...r, target: JSON.parse(r.target), message: JSON.parse(r.message), created_at: text(r.created_at) }))),
    jobs: sorted(jobs.map((j) => ({ ...j, due_at: new Date(text(j.due_at)).toISOString(), done_at: j.done_at !== null }))),
    kept: sorted(kept),
    responses: sorted(responses),
  };
}

/** The digest runner without its batch: the scheduler then runs each job by itself. */
const ONE_BY_ONE: JobTable = { ...JOBS, digest: (ctx) => JOBS.digest!(ctx) };

/** The real digest runner, noting which jobs went through its batch. */
function watched(seen: string[]): JobTable {
  const real = JOBS.digest!;
  const digest: JobRunner = (ctx) => real(ctx);
  digest.batch = async (ctx) => {
    seen.push(...ctx.items.map((i) => `${i.job.ref}:${i.job.step}`));
    await real.batch!(ctx);
  };
  digest.bulk = real.bulk;
  return { ...JOBS, digest };
}

/** Counts the statements the store sends while `fn` runs on it (by their results: the outbox INSERT
 * is compiled once and then run as it is, which passes no plugin's transformQuery). */
async function counting(store: SqlStore, fn: (store: SqlStore) => Promise<unknown>): Promise<number> {
  let n = 0;
  const counted = new SqlStore(
    store.db.withPlugin({
      transformQuery: (args) => args.node,
      transformResult: async (args) => (n++, args.result),
    }),
    store.dialect,
  );
  await fn(counted);
  return n;
}

describe.each(DIALECTS)('a tick with many digests due, on $name', ({ open }) => {
  let dbs: SharedDb[] = [];
  const fresh = async () => {
    const db = await open();
    dbs.push(db);
    return db.store;
  };
  beforeEach(() => {
    dbs = [];
  });
  afterEach(async () => {
    for (const db of dbs) await db.dispose();
  });

  it('leaves exactly what running the digests one at a time leaves', async () => {
    const [batched, single] = [await fresh(), await fresh()];
    await seedVaried(batched);
    await seedVaried(single);
    const seen: string[] = [];
    // 7 jobs due, and the one that p-late's skipped digest schedules (this week's, inside the window).
    expect(await createScheduler(testDeps(batched, NOW), watched(seen)).tick(NOW)).toEqual({ ran: 8, failed: 0 });
    expect(await createScheduler(testDeps(single, NOW), ONE_BY_ONE).tick(NOW)).toEqual({ ran: 8, failed: 0 });
    // All but the wound-up one went through the batch (p-late's second one is left to the claims).
    expect(seen.sort()).toEqual(['p-bare:2027-01-04', 'p-empty:2027-01-04', 'p-full:2026-12-28', 'p-full:2027-01-04', 'p-kept:2027-01-04', 'p-late:2026-12-28']);

    const got = await snapshot(batched);
    expect(got).toEqual(await snapshot(single));
    // And it is what it should be, not merely the same.
    const keys = got.outbox.map((r) => (JSON.parse(r) as { key: string }).key);
    const digests = keys.filter((k) => k.startsWith('digest:'));
    expect(digests.sort()).toEqual(
      ['digest:p-full:2027-01-04:local:local:general', 'digest:p-full:2027-01-04:slack:T1:C1', 'digest:p-kept:2027-01-04:local:local:kept', 'digest:p-late:2027-01-04:local:local:late'].sort(),
    );
    const quiet = keys.filter((k) => k.startsWith('quiet:'));
    expect(quiet.map((k) => `${k.split(':')[1]} ${k.split(':').at(-1)}`).sort()).toEqual(['p-bare m-dan', 'p-full m-ann']);
    const fullDigest = got.outbox.map((r) => JSON.parse(r) as { key: string; message: unknown }).find((r) => r.key.startsWith('digest:p-full'))!;
    const text = JSON.stringify(fullDigest.message);
    for (const what of ['Open one', 'Awaiting', 'Poll poll-full is open', 'Review: ', '1 of 3 asked have answered']) expect(text).toContain(what);
    const keptDigest = JSON.stringify(got.outbox.map((r) => JSON.parse(r) as { key: string; message: unknown }).find((r) => r.key.startsWith('digest:p-kept'))!.message);
    expect(keptDigest).toContain('1 of 2 asked have answered');
    expect(got.kept.map((r) => (JSON.parse(r) as { consultation_id: string }).consultation_id).sort()).toEqual(['c-kept-await', 'c-kept-closed']);
    const pending = got.jobs.map((j) => JSON.parse(j) as { partnership_id: string; step: string; done_at: boolean }).filter((j) => !j.done_at);
    expect(pending.map((j) => `${j.partnership_id} ${j.step}`).sort()).toEqual(['p-bare', 'p-empty', 'p-full', 'p-kept', 'p-late'].map((id) => `${id} 2027-01-11`));
  });

  it('reads with the same number of queries for 10 digests as for 90, and per committed slice of 100 beyond', async () => {
    const store = await fresh();
    let next = 0;
    const seed = (n: number) =>
      store.transaction(async (tx) => {
        for (let i = 0; i < n; i++, next++) {
          const p = partnership({ id: `p-${next}`, name: `P${next}` });
          await addPartnership(tx, p, [channel(`ch-${next}`)], [member('A', { id: `m-${next}-a`, roles: ['coordinator'] }), member('B', { id: `m-${next}-b`, organisation: 'Other' })]);
          await tx.insertConsultation(consultation({ id: `c-${next}`, partnershipId: p.id, openedAt: '2026-12-01T09:00:00Z', deadline: '2027-01-08' }));
          await tx.upsertResponse(response(`m-${next}-a`, { consultationId: `c-${next}` }));
          await tx.scheduleJobs([digestJob(p)]);
        }
      });
    const tick = async (n: number) => {
      await seed(n);
      const before = (await store.outboxTotals()).pending;
      let commits = 0;
      const queries = await counting(store, (s) => createScheduler(testDeps(s, NOW), JOBS, { committed: () => commits++ }).tick(NOW));
      expect((await store.outboxTotals()).pending - before).toBe(n);
      // The dispatcher is told after each committed slice, not only at the end of the tick.
      expect(commits).toBe(Math.ceil(n / 100));
      return queries;
    };
    const [ten, ninety, oneTen, oneNinety] = [await tick(10), await tick(90), await tick(110), await tick(190)];
    expect(ninety).toBe(ten);
    expect(oneNinety).toBe(oneTen);
    expect(oneTen).toBeGreaterThan(ten);
    expect(ten).toBeLessThan(25);
  });

  it('keeps nothing of a batch that fails, and then runs its jobs one at a time: only the bad one waits', async () => {
    const store = await fresh();
    for (let i = 1; i <= 5; i++) {
      const p = partnership({ id: `p-${i}` });
      await addPartnership(store, p, [channel(`ch-${i}`)], [member('A', { id: `m-${i}` })]);
      await store.insertConsultation(consultation({ id: `c-${i}`, partnershipId: p.id, openedAt: '2026-12-01T09:00:00Z', deadline: '2027-01-08' }));
      await store.scheduleJobs([digestJob(p)]);
    }
    const real = JOBS.digest!;
    const bad = 'p-3';
    const digest: JobRunner = async (ctx) => {
      if (ctx.partnership.id === bad) throw new Error('this digest cannot be decided');
      await real(ctx);
    };
    digest.batch = async (ctx) => {
      await real.batch!(ctx);
      const marker = { key: 'batch-marker', partnershipId: null, target: { kind: 'user' as const, platform: 'local' as const, workspace: 'local', user: 'x' }, message: message('x', para(t('x'))) };
      await ctx.tx.enqueue([marker], NOW.toISOString());
      if (ctx.items.some((i) => i.partnership.id === bad)) throw new Error('the batch failed halfway');
    };
    const s = createScheduler(testDeps(store, NOW), { ...JOBS, digest });
    expect(await s.tick(NOW)).toEqual({ ran: 4, failed: 1 });
    const keys = (await snapshot(store)).outbox.map((r) => (JSON.parse(r) as { key: string }).key);
    expect(keys).not.toContain('batch-marker');
    expect(keys.sort()).toEqual([1, 2, 4, 5].map((i) => `digest:p-${i}:2027-01-04:local:local:ch-${i}`));
    expect((await store.pendingJobs(bad, 10)).map((j) => j.step)).toEqual(['2027-01-04']);
    for (const id of ['p-1', 'p-5']) expect((await store.pendingJobs(id, 10)).map((j) => j.step)).toEqual(['2027-01-11']);
    const [left] = await store.db.selectFrom('jobs').select(['claimed_by', 'lease_until']).where('partnership_id', '=', bad).execute();
    expect(left).toEqual({ claimed_by: null, lease_until: null });
  });
});
