// The store's set-based reads and batched writes that a scheduler tick with thousands of nudges
// uses, on SQLite and PostgreSQL: lists longer than one `in (...)` slice, outbox batches longer than
// one INSERT, and due jobs locked so that two instances take different ones.
import { CompiledQuery, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { laneOf } from '../../db/rows.ts';
import { SqlStore } from '../../db/store.ts';
import type { ConsultationResponse } from '../../src/domain/consultation.ts';
import { message, para, t } from '../../src/domain/message.ts';
import type { Partnership } from '../../src/domain/partnership.ts';
import type { NewJob, NewOutbox } from '../../src/domain/ports.ts';
import { consultation, member, partnership } from '../support/fixtures.ts';
import { DIALECTS, type SharedDb } from '../reliability/support/dialects.ts';

/** More than one `in (...)` slice (500 ids) of each. */
const MANY = 520;
const NOW = '2027-03-10T09:31:00.000Z';

describe.each(DIALECTS)('bulk store on $name', ({ name, open }) => {
  let db: SharedDb;
  let store: SqlStore;

  beforeEach(async () => {
    db = await open();
    store = db.store;
  });
  afterEach(() => db.dispose());

  /** `n` partnerships, each with two members (the second with two identities) and one consultation. */
  async function seed(n: number): Promise<Partnership[]> {
    const ps = Array.from({ length: n }, (_, i) => partnership({ id: `p-${i}`, name: `P ${i}`, status: i % 7 === 3 ? 'wound_up' : 'active' }));
    await store.transaction(async (tx) => {
      for (const p of ps) {
        await tx.insertPartnership(p);
        await tx.insertMember(member(`a${p.id}`, { id: `m-${p.id}-a`, partnershipId: p.id, joinedAt: '2026-02-01T00:00:00Z' }));
        await tx.insertMember(
          member(`b${p.id}`, {
            id: `m-${p.id}-b`,
            partnershipId: p.id,
            sector: 'third',
            joinedAt: '2026-01-01T00:00:00Z',
            identities: [
              { platform: 'slack', workspace: 'T1', user: `U${p.id}` },
              { platform: 'local', workspace: 'local', user: `b${p.id}` },
            ],
          }),
        );
        await tx.insertConsultation(consultation({ id: `c-${p.id}`, partnershipId: p.id, ownerId: `m-${p.id}-a` }));
      }
    });
    return ps;
  }

  it('reads partnerships, consultations, recipients and responses of many ids at once, as one at a time would', async () => {
    const ps = await seed(MANY);
    const ids = [...ps.map((p) => p.id), 'p-unknown', ps[0]!.id]; // an unknown id and a repeat are harmless

    const found = await store.partnershipsById(ids);
    expect(found.map((p) => p.id).sort()).toEqual(ps.map((p) => p.id).sort());
    expect(found.find((p) => p.id === 'p-3')).toEqual(await store.partnership('p-3'));

    const cs = await store.consultationsById(ps.map((p) => `c-${p.id}`).concat('c-unknown'));
    expect(cs).toHaveLength(MANY);
    expect(cs.find((c) => c.id === 'c-p-9')).toEqual(await store.consultation('c-p-9'));

    const recipients = await store.recipients(ids);
    expect(recipients).toHaveLength(2 * MANY);
    // Grouped by partnership, each partnership's members by join time as `members` gives them, with
    // the identity a message goes to (their first).
    const runs = recipients.map((m) => m.partnershipId).filter((pid, i, all) => i === 0 || all[i - 1] !== pid);
    expect(runs).toHaveLength(MANY);
    for (const pid of ['p-0', 'p-250', `p-${MANY - 1}`]) {
      const full = await store.members(pid);
      expect(recipients.filter((m) => m.partnershipId === pid)).toEqual(full.map((m) => ({ id: m.id, partnershipId: pid, sector: m.sector, identities: m.identities.slice(0, 1) })));
    }
    expect(recipients.find((m) => m.id === 'm-p-0-b')!.identities).toEqual([{ platform: 'slack', workspace: 'T1', user: 'Up-0' }]);
    // A member whose identities have all gone (here: erased by hand) has nothing to send to.
    await store.db.deleteFrom('member_identities').where('member_id', '=', 'm-p-1-a').execute();
    expect((await store.recipients(['p-1'])).map((m) => [m.id, m.identities.length])).toEqual([
      ['m-p-1-b', 1],
      ['m-p-1-a', 0],
    ]);
    expect(await store.recipients([])).toEqual([]);

    const answers: ConsultationResponse[] = [
      { consultationId: 'c-p-1', memberId: 'm-p-1-a', kind: 'responded', proposedDate: null, at: '2027-03-01T10:00:00.000Z' },
      { consultationId: 'c-p-510', memberId: 'm-p-510-b', kind: 'more_time', proposedDate: '2027-04-01', at: '2027-03-02T10:00:00.000Z' },
    ];
    for (const r of answers) await store.upsertResponse(r);
    const got = await store.responsesTo(ps.map((p) => `c-${p.id}`));
    expect(got.sort((a, b) => a.at.localeCompare(b.at))).toEqual(answers);
    expect(await store.responsesTo([])).toEqual([]);
  });

  it('writes outbox batches longer than one INSERT, once per key, in order, and counts only the new rows', async () => {
    await store.insertPartnership(partnership({ id: 'p-out' }));
    const shared = message('Consultation reminder: 7 days left', para(t('Shared by many rows')));
    const row = (i: number): NewOutbox => ({
      key: `k-${i}`,
      partnershipId: i % 2 ? 'p-out' : null,
      // Two conversations, including an id that needs encoding in the lane.
      target: i % 3 ? { kind: 'user', platform: 'slack', workspace: 'T 1', user: `U/${i % 2}` } : { kind: 'channel', platform: 'local', workspace: 'local', channel: 'general' },
      message: i % 5 ? shared : message(`Own message ${i}`, para(t('x'))),
    });
    const rows = Array.from({ length: 450 }, (_, i) => row(i));
    expect(await store.enqueue(rows.slice(0, 10), NOW)).toBe(10);
    // 450 rows again (200 + 200 + 50 a statement): the first 10 and a repeat within the call are skipped.
    expect(await store.enqueue([...rows, row(449)], NOW)).toBe(440);
    expect(await store.enqueue(rows, NOW)).toBe(0);

    const out = await store.dueOutbox(NOW, 1000);
    expect(out.map((r) => r.key)).toEqual(rows.map((r) => r.key));
    out.forEach((r, i) =>
      expect(r).toEqual({ ...rows[i], id: r.id, status: 'pending', attempts: 0, createdAt: NOW, nextAttemptAt: NOW, sentAt: null, lastError: null }),
    );
    expect(new Set(out.map((r) => r.id)).size).toBe(450);
    const lanes = await store.db.selectFrom('outbox').select(['key', 'lane']).orderBy('seq').execute();
    expect(lanes.map((l) => l.lane)).toEqual(rows.map((r) => laneOf(r.target)));
    // One conversation's rows are handed out in the order written.
    const first = await store.claimOutbox(NOW, { owner: 'me', until: '2027-03-10T09:41:00.000Z' }, 10);
    expect(first.map((r) => r.key).sort()).toEqual(['k-0', 'k-1', 'k-2'].sort());
  });

  it('locks due, unclaimed jobs of the given kinds, earliest first; completes many at once', async () => {
    const p = partnership({ id: 'p-jobs' });
    await store.insertPartnership(p);
    const job = (ref: string, dueAt: string, kind: NewJob['kind'] = 'consultation.nudge'): NewJob => ({ kind, partnershipId: p.id, ref, step: '7', dueAt });
    await store.scheduleJobs([
      job('c-late', '2027-03-10T09:30:00.000Z'),
      job('c-early', '2027-03-09T09:30:00.000Z'),
      job('c-future', '2027-03-11T09:30:00.000Z'),
      job('c-claimed', '2027-03-07T09:30:00.000Z'),
      job(p.id, '2027-03-08T09:00:00.000Z', 'digest'),
    ]);
    // Another instance holds live claims on the earliest two.
    const claimedElsewhere = await store.claimJobs(NOW, { owner: 'other', until: '2027-03-10T09:35:00.000Z' }, 2);
    expect(claimedElsewhere.map((j) => j.ref)).toEqual(['c-claimed', p.id]);

    expect(await store.anyDueJobs('2027-03-01T00:00:00.000Z')).toBe(false); // nothing due yet
    expect(await store.anyDueJobs(NOW)).toBe(true);
    const locked = await store.transaction((tx) => tx.lockDueJobs(NOW, 10, ['consultation.nudge']));
    expect(locked.map((j) => j.ref)).toEqual(['c-early', 'c-late']);
    expect((await store.transaction((tx) => tx.lockDueJobs(NOW, 1, ['consultation.nudge']))).map((j) => j.ref)).toEqual(['c-early']);
    expect(await store.transaction((tx) => tx.lockDueJobs(NOW, 10, []))).toEqual([]);
    // Once the other instance's lease has run out, its job is due again.
    expect((await store.transaction((tx) => tx.lockDueJobs('2027-03-10T09:35:00.000Z', 10, ['consultation.nudge']))).map((j) => j.ref)).toEqual([
      'c-claimed',
      'c-early',
      'c-late',
    ]);

    await store.completeJobs(locked.map((j) => j.id), NOW);
    expect((await store.pendingJobs(p.id, 10)).map((j) => j.ref).sort()).toEqual(['c-claimed', 'c-future', p.id].sort());

    const many = Array.from({ length: MANY }, (_, i) => job(`c-${i}`, '2027-03-10T09:00:00.000Z'));
    await store.scheduleJobs(many);
    const all = await store.transaction((tx) => tx.lockDueJobs(NOW, 2 * MANY, ['consultation.nudge']));
    expect(all).toHaveLength(MANY);
    await store.completeJobs(all.map((j) => j.id), NOW);
    expect(await store.transaction((tx) => tx.lockDueJobs(NOW, 10, ['consultation.nudge']))).toEqual([]);
    // Left: two due but under live claims, and one not due yet.
    expect(await store.anyDueJobs(NOW)).toBe(false);
    expect(await store.anyDueJobs('2027-03-10T09:35:00.000Z')).toBe(true);
  });

  it('finds due jobs through the pending jobs\' partial index, however many were ever run', async () => {
    // The query lockDueJobs sends, caught on its way to the database.
    let node: Parameters<NonNullable<Parameters<typeof store.db.withPlugin>[0]['transformQuery']>>[0]['node'] | undefined;
    const spy = new SqlStore(store.db.withPlugin({ transformQuery: (a) => ((node = a.node), a.node), transformResult: async (a) => a.result }), store.dialect);
    const plan = async (): Promise<string> => {
      const q = store.db.getExecutor().compileQuery(node!, { queryId: 'due-jobs' } as never);
      if (store.dialect === 'sqlite') {
        const r = await store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
        return r.rows.map((row) => row.detail).join('\n');
      }
      return store.db.transaction().execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        const r = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
        return r.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
    };
    await spy.transaction((tx) => tx.lockDueJobs(NOW, 10, ['consultation.nudge']));
    expect(await plan()).toMatch(/jobs_pending_due/);
    await spy.anyDueJobs(NOW);
    expect(await plan()).toMatch(/jobs_pending_due/);
  });

  it.runIf(name === 'postgres')('gives two instances locking at once different jobs (SKIP LOCKED)', async () => {
    const p = partnership({ id: 'p-skip' });
    await store.insertPartnership(p);
    await store.scheduleJobs(Array.from({ length: 6 }, (_, i) => ({ kind: 'consultation.nudge' as const, partnershipId: p.id, ref: `c-${i}`, step: '7', dueAt: '2027-03-10T09:00:00.000Z' })));
    const other = await db.another();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let lockedFirst!: (refs: string[]) => void;
    const firstLocked = new Promise<string[]>((r) => (lockedFirst = r));
    // Instance one locks four and keeps its transaction open; instance two then gets the other two.
    const one = store.transaction(async (tx) => {
      lockedFirst((await tx.lockDueJobs(NOW, 4, ['consultation.nudge'])).map((j) => j.ref));
      await held;
    });
    const mine = await firstLocked;
    const theirs = (await other.transaction((tx) => tx.lockDueJobs(NOW, 10, ['consultation.nudge']))).map((j) => j.ref);
    release();
    await one;
    expect(mine).toHaveLength(4);
    expect([...mine, ...theirs].sort()).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'c-4', 'c-5']);
  });
});
