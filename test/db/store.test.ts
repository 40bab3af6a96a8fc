// One store suite, run against SQLite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, parseDatabaseUrl, redact } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { ChannelTakenError, type SqlStore } from '../../db/store.ts';
import {
  TEST_DATABASE_URL,
  openPostgresTestStore,
  openSqliteTestStore,
  postgresAnswers,
  type TestStore,
} from '../../db/testing.ts';
import type { Consultation } from '../../src/domain/consultation.ts';
import { message, para, u } from '../../src/domain/message.ts';
import { DEFAULT_SETTINGS, type Member, type Partnership } from '../../src/domain/partnership.ts';
import type { NewOutbox } from '../../src/domain/ports.ts';
import type { Poll } from '../../src/domain/pulse.ts';

const CI = process.env.CI === 'true';
const postgresUp = await postgresAnswers();
if (!postgresUp && !CI) {
  console.log(
    `PostgreSQL store suite SKIPPED: no server answers at ${redact(TEST_DATABASE_URL)} ` +
      '(set TEST_DATABASE_URL to run it; with CI=true it fails instead).',
  );
}

const dialects = [
  { name: 'sqlite', open: openSqliteTestStore },
  // Under CI the suite runs even when the server is down, so the failure shows.
  ...(postgresUp || CI ? [{ name: 'postgres', open: () => openPostgresTestStore() }] : []),
];

const id = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

function newPartnership(overrides: Partial<Partnership> = {}): Partnership {
  return {
    id: id('p'),
    name: 'Riverside Partnership',
    purpose: 'Joined-up services for the river towns',
    timezone: 'Europe/London',
    region: 'GB',
    settings: { ...DEFAULT_SETTINGS, anonymityK: 6, nudgeOffsetsDays: [10, 3] },
    reviewDate: '2027-03-31',
    lastReviewAt: null,
    status: 'active',
    createdAt: '2026-01-05T10:00:00.000Z',
    retentionMonths: 18,
    ...overrides,
  };
}

function newMember(partnershipId: string, overrides: Partial<Member> = {}): Member {
  const mid = id('m');
  return {
    id: mid,
    partnershipId,
    name: 'Asha Patel',
    roles: ['coordinator', 'member'],
    sector: 'public',
    organisation: 'Riverside Council',
    identities: [{ platform: 'slack', workspace: 'T1', user: `U-${mid}` }],
    joinedAt: '2026-01-05T10:05:00.000Z',
    ...overrides,
  };
}

function newConsultation(partnershipId: string, ownerId: string, overrides: Partial<Consultation> = {}): Consultation {
  return {
    id: id('c'),
    partnershipId,
    title: 'Draft housing strategy',
    link: 'https://example.org/housing',
    ownerId,
    openedAt: '2026-02-01T09:30:00.000Z',
    deadline: '2026-04-30',
    audience: { sectors: ['third', 'community'], memberIds: [ownerId] },
    status: 'open',
    feedback: null,
    feedbackAt: null,
    ...overrides,
  };
}

function newPoll(partnershipId: string, createdBy: string, overrides: Partial<Poll> = {}): Poll {
  return {
    id: id('q'),
    partnershipId,
    form: 'full',
    openedAt: '2026-03-02T09:30:00.000Z',
    closesAt: '2026-03-07T09:30:00.000Z',
    status: 'open',
    k: 5,
    createdBy,
    ...overrides,
  };
}

function outboxRow(key: string, partnershipId: string): NewOutbox {
  return {
    key,
    partnershipId,
    target: { kind: 'channel', platform: 'slack', workspace: 'T1', channel: 'C1' },
    message: message('Nudge', para('Please answer ', u(key))),
  };
}

describe.each(dialects)('store on $name', ({ name, open }) => {
  let handle: TestStore;
  let store: SqlStore;

  beforeAll(async () => {
    handle = await open();
    store = handle.store;
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  async function seedPartnership(overrides: Partial<Partnership> = {}): Promise<Partnership> {
    const p = newPartnership(overrides);
    await store.insertPartnership(p);
    return p;
  }

  it('reports its dialect and answers ping', async () => {
    expect(store.dialect).toBe(name);
    expect(await store.ping()).toBe(true);
  });

  it('migrating again applies nothing', async () => {
    expect(await migrateToLatest(store.db)).toEqual([]);
  });

  it('round-trips a partnership, updates it and lists active ones', async () => {
    const p = await seedPartnership();
    expect(await store.partnership(p.id)).toEqual(p);
    expect(await store.partnership('p-missing')).toBeNull();

    const changed: Partnership = { ...p, name: 'Riverside & Hills', reviewDate: null, lastReviewAt: '2026-06-01T12:00:00.000Z' };
    await store.updatePartnership(changed);
    expect(await store.partnership(p.id)).toEqual(changed);

    const wound = await seedPartnership({ status: 'wound_up' });
    const active = await store.activePartnershipIds();
    expect(active).toContain(p.id);
    expect(active).not.toContain(wound.id);
  });

  it('fills settings added later with their defaults', async () => {
    const p = await seedPartnership();
    await store.db.updateTable('partnerships').set({ settings: JSON.stringify({ anonymityK: 7 }) }).where('id', '=', p.id).execute();
    expect((await store.partnership(p.id))?.settings).toEqual({ ...DEFAULT_SETTINGS, anonymityK: 7 });
  });

  it('binds channels to one partnership only', async () => {
    const p = await seedPartnership();
    const other = await seedPartnership();
    const ch = { platform: 'slack' as const, workspace: 'T1', channel: id('C') };
    const ch2 = { platform: 'teams' as const, workspace: 'tenant-1', channel: id('19:conv') };

    await store.addChannel(p.id, ch);
    await store.addChannel(p.id, ch); // the same binding again is harmless
    await store.addChannel(p.id, ch2);
    expect(await store.channels(p.id)).toEqual([ch, ch2]);
    expect((await store.partnershipByChannel(ch))?.id).toBe(p.id);
    expect(await store.partnershipByChannel({ ...ch, channel: 'elsewhere' })).toBeNull();

    const attempt = store.addChannel(other.id, ch);
    await expect(attempt).rejects.toBeInstanceOf(ChannelTakenError);
    await expect(store.addChannel(other.id, ch)).rejects.toThrow(/already belongs to partnership/);
    expect(await store.channels(other.id)).toEqual([]);
    expect((await store.partnershipByChannel(ch))?.id).toBe(p.id);
  });

  it('round-trips members with identities in order and finds them by any identity', async () => {
    const p = await seedPartnership();
    const slack = { platform: 'slack' as const, workspace: 'T1', user: id('U') };
    const teams = { platform: 'teams' as const, workspace: 'tenant-1', user: id('aad') };
    const asha = newMember(p.id, { identities: [teams, slack] });
    const ben = newMember(p.id, {
      name: 'Ben Okafor',
      roles: ['member'],
      sector: 'third',
      organisation: 'River Trust',
      joinedAt: '2026-01-06T10:00:00.000Z',
    });
    await store.insertMember(ben);
    await store.insertMember(asha);

    expect(await store.member(asha.id)).toEqual(asha);
    expect(await store.member('m-missing')).toBeNull();
    expect(await store.members(p.id)).toEqual([asha, ben]); // by joining time
    expect((await store.memberByIdentity(p.id, slack))?.id).toBe(asha.id);
    expect((await store.memberByIdentity(p.id, teams))?.identities[0]).toEqual(teams);
    expect(await store.memberByIdentity(p.id, { ...slack, workspace: 'T2' })).toBeNull();

    // Replacing identities keeps the new order: the first is the preferred DM target.
    const local = { platform: 'local' as const, workspace: 'local', user: id('asha') };
    const updated: Member = { ...asha, name: 'Asha P.', roles: ['chair'], identities: [slack, local] };
    await store.updateMember(updated);
    expect(await store.member(asha.id)).toEqual(updated);
    expect(await store.memberByIdentity(p.id, teams)).toBeNull();
    expect((await store.memberByIdentity(p.id, local))?.id).toBe(asha.id);
  });

  it('finds every membership of one identity across partnerships', async () => {
    const a = await seedPartnership();
    const b = await seedPartnership();
    const who = { platform: 'slack' as const, workspace: 'T9', user: id('U') };
    const inA = newMember(a.id, { identities: [who] });
    const inB = newMember(b.id, { identities: [{ platform: 'teams', workspace: 'x', user: 'y' }, who], sector: 'private' });
    await store.insertMember(inA);
    await store.insertMember(inB);

    const found = await store.membersByIdentity(who);
    expect(found.map((m) => m.id).sort()).toEqual([inA.id, inB.id].sort());
    expect(found.find((m) => m.id === inB.id)).toEqual(inB);
    expect(await store.membersByIdentity({ ...who, user: 'nobody' })).toEqual([]);
  });

  it('round-trips consultations and filters them by status', async () => {
    const p = await seedPartnership();
    const owner = newMember(p.id);
    await store.insertMember(owner);
    const early = newConsultation(p.id, owner.id, { deadline: '2026-03-15', link: null, audience: { all: true } });
    const late = newConsultation(p.id, owner.id);
    await store.insertConsultation(late);
    await store.insertConsultation(early);

    expect(await store.consultation(late.id)).toEqual(late);
    expect(await store.consultation('c-missing')).toBeNull();
    expect(await store.consultations(p.id)).toEqual([early, late]); // by deadline

    const closed: Consultation = {
      ...early,
      status: 'closed',
      feedback: 'You said more notice; we moved the date.',
      feedbackAt: '2026-03-20T11:00:00.000Z',
    };
    await store.updateConsultation(closed);
    expect(await store.consultations(p.id, ['open'])).toEqual([late]);
    expect(await store.consultations(p.id, ['closed', 'awaiting_feedback'])).toEqual([closed]);
    expect(await store.consultations(p.id, [])).toEqual([]);
  });

  it('keeps one response per member: a later answer replaces the earlier one', async () => {
    const p = await seedPartnership();
    const owner = newMember(p.id);
    const other = newMember(p.id, { sector: 'community' });
    await store.insertMember(owner);
    await store.insertMember(other);
    const c = newConsultation(p.id, owner.id);
    await store.insertConsultation(c);

    await store.upsertResponse({ consultationId: c.id, memberId: owner.id, kind: 'more_time', proposedDate: '2026-05-15', at: '2026-02-02T10:00:00.000Z' });
    await store.upsertResponse({ consultationId: c.id, memberId: other.id, kind: 'not_relevant', proposedDate: null, at: '2026-02-03T10:00:00.000Z' });
    const replaced = { consultationId: c.id, memberId: owner.id, kind: 'responded' as const, proposedDate: null, at: '2026-02-04T10:00:00.000Z' };
    await store.upsertResponse(replaced);

    expect(await store.responses(c.id)).toEqual([
      { consultationId: c.id, memberId: other.id, kind: 'not_relevant', proposedDate: null, at: '2026-02-03T10:00:00.000Z' },
      replaced,
    ]);
  });

  it('round-trips polls and filters them by status', async () => {
    const p = await seedPartnership();
    const first = newPoll(p.id, 'm-coord', { status: 'closed', form: 'short' });
    const second = newPoll(p.id, 'm-coord', { openedAt: '2026-04-01T09:30:00.000Z', closesAt: '2026-04-06T09:30:00.000Z' });
    await store.insertPoll(second);
    await store.insertPoll(first);
    expect(await store.poll(first.id)).toEqual(first);
    expect(await store.poll('q-missing')).toBeNull();
    expect(await store.polls(p.id)).toEqual([first, second]);
    expect(await store.polls(p.id, 'open')).toEqual([second]);

    const closed: Poll = { ...second, status: 'closed', k: 6 };
    await store.updatePoll(closed);
    expect(await store.polls(p.id, 'open')).toEqual([]);
    expect(await store.poll(second.id)).toEqual(closed);
  });

  it('stores answers by voter hash, replaces a re-answer and groups ballots in hash order, not insertion order', async () => {
    const p = await seedPartnership();
    const poll = newPoll(p.id, 'm-coord');
    await store.insertPoll(poll);
    const hashes = ['f0'.repeat(16), 'a1'.repeat(16), '5c'.repeat(16), '0e'.repeat(16)]; // inserted in descending order

    expect(await store.hasVoted(poll.id, hashes[0]!)).toBe(false);
    for (const [i, hash] of hashes.entries()) {
      const score = 4 - i; // f0… → 4, a1… → 3, 5c… → 2, 0e… → 1
      await store.upsertAnswer(poll.id, hash, i % 2 ? 'third' : 'public', 'trust', score);
      await store.upsertAnswer(poll.id, hash, i % 2 ? 'third' : 'public', 'openness', 5);
    }
    await store.upsertAnswer(poll.id, hashes[3]!, 'third', 'openness', 2); // changes their mind

    expect(await store.hasVoted(poll.id, hashes[0]!)).toBe(true);
    expect(await store.hasVoted(poll.id, 'ab'.repeat(16))).toBe(false);
    expect(await store.ballotCount(poll.id)).toBe(4);
    expect(await store.ballots(poll.id)).toEqual([
      { sector: 'third', answers: { trust: 1, openness: 2 } },
      { sector: 'public', answers: { trust: 2, openness: 5 } },
      { sector: 'third', answers: { trust: 3, openness: 5 } },
      { sector: 'public', answers: { trust: 4, openness: 5 } },
    ]);
    expect(await store.ballots('q-missing')).toEqual([]);
    expect(await store.ballotCount('q-missing')).toBe(0);
  });

  it('returns comments sorted alphabetically, not in the order written', async () => {
    const p = await seedPartnership();
    const poll = newPoll(p.id, 'm-coord');
    await store.insertPoll(poll);
    for (const text of ['cherry', 'Apple', 'banana', 'apple pie']) await store.addComment(poll.id, text);
    expect(await store.comments(poll.id)).toEqual(['Apple', 'apple pie', 'banana', 'cherry']);
    expect(await store.comments('q-missing')).toEqual([]);
  });

  it('keeps no member, time or row identity in the answers and comments tables', async () => {
    const columns = async (table: string): Promise<string[]> => {
      const rows =
        store.dialect === 'sqlite'
          ? (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(store.db)).rows
          : (
              await sql<{ name: string }>`select column_name as name from information_schema.columns
                where table_schema = current_schema() and table_name = ${table}`.execute(store.db)
            ).rows;
      return rows.map((r) => r.name).sort();
    };
    expect(await columns('poll_answers')).toEqual(['block', 'poll_id', 'score', 'sector', 'voter_hash']);
    expect(await columns('poll_comments')).toEqual(['id', 'poll_id', 'text']);
    if (store.dialect === 'sqlite') {
      // WITHOUT ROWID: no hidden insertion-order key either.
      await expect(sql`select rowid from poll_answers`.execute(store.db)).rejects.toThrow(/rowid/);
      await expect(sql`select rowid from poll_comments`.execute(store.db)).rejects.toThrow(/rowid/);
    }
  });

  it('schedules jobs idempotently and returns only pending jobs that are due', async () => {
    // Jobs in 2001 only: other tests in this file use later times.
    const p = await seedPartnership();
    const ref = id('c');
    const nudge = (step: string, dueAt: string) => ({ kind: 'consultation.nudge' as const, partnershipId: p.id, ref, step, dueAt });
    await store.scheduleJobs([
      nudge('14', '2001-03-01T09:30:00.000Z'),
      nudge('7', '2001-03-08T09:30:00.000Z'),
      // The same instant, written with an offset and without milliseconds: compared as time.
      nudge('2', '2001-03-13T10:30:00+01:00'),
      nudge('0', '2001-03-15T09:30:00.000Z'),
    ]);
    // Scheduling again (with a different time) leaves the existing job as it is.
    await store.scheduleJobs([nudge('14', '2001-02-01T09:30:00.000Z')]);
    await store.scheduleJobs([]);

    const due = await store.dueJobs('2001-03-13T09:30:00Z', 10);
    expect(due.map((j) => [j.step, j.dueAt])).toEqual([
      ['14', '2001-03-01T09:30:00.000Z'],
      ['7', '2001-03-08T09:30:00.000Z'],
      ['2', '2001-03-13T09:30:00.000Z'],
    ]);
    expect(due[0]).toMatchObject({ kind: 'consultation.nudge', partnershipId: p.id, ref });
    expect(new Set(due.map((j) => j.id)).size).toBe(3);
    expect((await store.dueJobs('2001-03-13T09:30:00Z', 2)).map((j) => j.step)).toEqual(['14', '7']);

    await store.completeJob(due[0]!.id, '2001-03-01T09:31:00.000Z');
    expect((await store.dueJobs('2001-03-13T09:30:00Z', 10)).map((j) => j.step)).toEqual(['7', '2']);
    // A completed job is not scheduled again.
    await store.scheduleJobs([nudge('14', '2001-03-01T09:30:00.000Z')]);
    expect((await store.pendingJobs(p.id, 10)).map((j) => j.step)).toEqual(['7', '2', '0']);
    expect((await store.pendingJobs(p.id, 1)).map((j) => j.step)).toEqual(['7']);

    // Cancelling drops pending jobs of that kind and ref only.
    await store.scheduleJobs([{ kind: 'feedback.chase', partnershipId: p.id, ref, step: '7', dueAt: '2001-03-22T09:30:00.000Z' }]);
    await store.cancelJobs('consultation.nudge', ref);
    expect((await store.pendingJobs(p.id, 10)).map((j) => `${j.kind}:${j.step}`)).toEqual(['feedback.chase:7']);
    await store.cancelJobs('feedback.chase', ref);
    expect(await store.dueJobs('2001-12-31T00:00:00Z', 10)).toEqual([]);
    // After a cancel the same steps can be scheduled again (e.g. a moved review date).
    await store.scheduleJobs([nudge('0', '2001-04-15T09:30:00.000Z')]);
    expect((await store.pendingJobs(p.id, 10)).map((j) => j.dueAt)).toEqual(['2001-04-15T09:30:00.000Z']);
    await store.cancelJobs('consultation.nudge', ref);
  });

  it('reads due jobs and outbox rows through their partial indexes', async () => {
    const plan = async (query: CompiledQuery): Promise<string> => {
      if (store.dialect === 'sqlite') {
        const r = await store.db.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
        );
        return r.rows.map((row) => row.detail).join('\n');
      }
      return store.db.transaction().execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        const r = await trx.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
        );
        return r.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
    };
    const jobs = store.db
      .selectFrom('jobs')
      .selectAll()
      .where('done_at', 'is', null)
      .where('due_at', '<=', '2026-01-01T00:00:00.000Z')
      .orderBy('due_at')
      .orderBy('id')
      .limit(10)
      .compile();
    expect(await plan(jobs)).toMatch(/jobs_pending_due/);
    const outbox = store.db
      .selectFrom('outbox')
      .selectAll()
      .where('status', '=', sql.lit('pending'))
      .where('next_attempt_at', '<=', '2026-01-01T00:00:00.000Z')
      .orderBy('next_attempt_at')
      .orderBy('seq')
      .limit(10)
      .compile();
    expect(await plan(outbox)).toMatch(/outbox_pending_due/);
  });

  it('enqueues outbox rows once per key, hands out due rows in order and records sends and failures', async () => {
    // Outbox rows in 2002 only: other tests in this file use later times.
    const p = await seedPartnership();
    const k = id('key');
    const t0 = '2002-05-01T09:00:00.000Z';
    const t1 = '2002-05-01T09:05:00.000Z';
    expect(await store.enqueue([outboxRow(`${k}-a`, p.id), outboxRow(`${k}-b`, p.id), outboxRow(`${k}-c`, p.id)], t0)).toBe(3);
    expect(await store.enqueue([outboxRow(`${k}-b`, p.id), outboxRow(`${k}-d`, p.id), outboxRow(`${k}-d`, p.id)], t1)).toBe(1);
    expect(await store.enqueue([], t1)).toBe(0);

    expect((await store.dueOutbox('2002-05-01T09:01:00Z', 10)).map((r) => r.key)).toEqual([`${k}-a`, `${k}-b`, `${k}-c`]);
    const due = await store.dueOutbox(t1, 10);
    expect(due.map((r) => r.key)).toEqual([`${k}-a`, `${k}-b`, `${k}-c`, `${k}-d`]);
    expect(due[0]).toEqual({
      ...outboxRow(`${k}-a`, p.id),
      id: due[0]!.id,
      status: 'pending',
      attempts: 0,
      createdAt: t0,
      nextAttemptAt: t0,
      sentAt: null,
      lastError: null,
    });
    expect((await store.dueOutbox(t1, 2)).map((r) => r.key)).toEqual([`${k}-a`, `${k}-b`]);
    expect(await store.outboxCounts(p.id)).toEqual({ pending: 4, sent: 0, dead: 0 });

    const [a, b, c] = due;
    await store.markSent(a!.id, '2002-05-01T09:06:00.000Z');
    await store.markFailed(b!.id, 'HTTP 429 rate limited', '2002-05-01T09:10:00.000Z');
    await store.markFailed(c!.id, 'channel_not_found', null);

    const afterFail = await store.dueOutbox('2002-05-01T09:09:00Z', 10);
    expect(afterFail.map((r) => r.key)).toEqual([`${k}-d`]);
    const retry = await store.dueOutbox('2002-05-01T09:10:00Z', 10);
    expect(retry.map((r) => r.key)).toEqual([`${k}-d`, `${k}-b`]);
    expect(retry[1]).toMatchObject({ attempts: 1, lastError: 'HTTP 429 rate limited', nextAttemptAt: '2002-05-01T09:10:00.000Z', status: 'pending' });
    expect(await store.outboxCounts(p.id)).toEqual({ pending: 2, sent: 1, dead: 1 });

    await store.markSent(b!.id, '2002-05-01T09:10:01.000Z');
    await store.markSent(due[3]!.id, '2002-05-01T09:10:02.000Z');
    expect(await store.dueOutbox('2002-12-31T00:00:00Z', 10)).toEqual([]);
    expect(await store.outboxCounts(p.id)).toEqual({ pending: 0, sent: 3, dead: 1 });
    expect(await store.outboxCounts('p-none')).toEqual({ pending: 0, sent: 0, dead: 0 });

    const sent = await store.db.selectFrom('outbox').select(['status', 'sent_at', 'attempts']).where('id', '=', b!.id).executeTakeFirstOrThrow();
    expect({ ...sent, attempts: Number(sent.attempts) }).toEqual({ status: 'sent', sent_at: '2002-05-01T09:10:01.000Z', attempts: 2 });
  });

  it('writes an audit entry', async () => {
    const p = await seedPartnership();
    await store.audit({ partnershipId: p.id, actorId: 'm-coord', action: 'member.erase', detail: 'erased m-x', at: '2026-05-01T10:00:00Z' });
    const rows = await store.db.selectFrom('audit_log').select(['actor_id', 'action', 'detail', 'at']).where('partnership_id', '=', p.id).execute();
    expect(rows).toEqual([{ actor_id: 'm-coord', action: 'member.erase', detail: 'erased m-x', at: '2026-05-01T10:00:00.000Z' }]);
  });

  it('commits a transaction as a whole and rolls everything back when it throws', async () => {
    const kept = newPartnership();
    const result = await store.transaction(async (tx) => {
      await tx.insertPartnership(kept);
      await tx.insertMember(newMember(kept.id));
      return 'done';
    });
    expect(result).toBe('done');
    expect(await store.members(kept.id)).toHaveLength(1);

    const lost = newPartnership();
    const member = newMember(lost.id);
    const key = id('tx-key');
    const failing = store.transaction(async (tx) => {
      await tx.insertPartnership(lost);
      await tx.insertMember(member);
      await tx.addChannel(lost.id, { platform: 'local', workspace: 'local', channel: key });
      await tx.scheduleJobs([{ kind: 'digest', partnershipId: lost.id, ref: lost.id, step: '2026-06-01', dueAt: '2026-06-01T08:00:00Z' }]);
      expect(await tx.enqueue([outboxRow(key, lost.id)], '2026-06-01T08:00:00Z')).toBe(1);
      expect((await tx.partnership(lost.id))?.id).toBe(lost.id); // visible inside
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');

    expect(await store.partnership(lost.id)).toBeNull();
    expect(await store.member(member.id)).toBeNull();
    expect(await store.partnershipByChannel({ platform: 'local', workspace: 'local', channel: key })).toBeNull();
    expect(await store.pendingJobs(lost.id, 10)).toEqual([]);
    expect(await store.outboxCounts(lost.id)).toEqual({ pending: 0, sent: 0, dead: 0 });
    // The failed transaction left the store usable.
    expect(await store.ping()).toBe(true);
  });

  it('stores hostile and unicode strings unchanged', async () => {
    const hostile = [
      `'; DROP TABLE members; --`,
      `Robert'); DROP TABLE partnerships;--`,
      `"double" 'single' \`back\` \\backslash\\ %_ wildcards`,
      `<!here> @channel *bold* _it_ <https://evil.example|click>`,
      'Zoë Ωμέγα 漢字 👩🏽‍💻 עברית \u200b zero-width',
      '  leading and trailing spaces  ',
      'line one\nline two\ttabbed\r\n',
    ];
    const p = await seedPartnership({ name: hostile[0]!, purpose: hostile[2]! });
    const m = newMember(p.id, {
      name: hostile[4]!,
      organisation: hostile[1]!,
      identities: [{ platform: 'slack', workspace: hostile[5]!, user: hostile[0]! }],
    });
    await store.insertMember(m);
    const c = newConsultation(p.id, m.id, { title: hostile[3]!, link: `https://x.example/?q='1'&r="2"`, feedback: hostile[6]! });
    await store.insertConsultation(c);
    const poll = newPoll(p.id, m.id);
    await store.insertPoll(poll);
    for (const text of hostile) await store.addComment(poll.id, text);
    await store.upsertAnswer(poll.id, hostile[0]!, 'public', 'trust', 3);

    expect(await store.partnership(p.id)).toEqual(p);
    expect(await store.member(m.id)).toEqual(m);
    expect((await store.memberByIdentity(p.id, m.identities[0]!))?.id).toBe(m.id);
    expect(await store.consultation(c.id)).toEqual(c);
    expect([...(await store.comments(poll.id))].sort()).toEqual([...hostile].sort());
    expect(await store.hasVoted(poll.id, hostile[0]!)).toBe(true);
    expect(await store.enqueue([{ ...outboxRow(hostile[1]!, p.id), message: message(hostile[3], para(u(hostile[4]!))) }], '2026-07-01T00:00:00Z')).toBe(1);
    const row = await store.db.selectFrom('outbox').select('message').where('key', '=', hostile[1]!).executeTakeFirstOrThrow();
    expect(JSON.parse(row.message)).toEqual(message(hostile[3], para(u(hostile[4]!))));
    // And nothing was dropped.
    expect(await store.members(p.id)).toHaveLength(1);
  });

  it('rejects an instant that is not a time', async () => {
    await expect(store.dueJobs('not a date', 10)).rejects.toThrow(/Not a valid instant/);
  });
});

describe('openStore and DATABASE_URL', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'partnerbot-url-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts unset, file paths, sqlite: forms and postgres URLs', () => {
    expect(parseDatabaseUrl(undefined)).toEqual({ kind: 'sqlite', path: './data/partnerbot.sqlite' });
    expect(parseDatabaseUrl('  ')).toEqual({ kind: 'sqlite', path: './data/partnerbot.sqlite' });
    expect(parseDatabaseUrl('./data/x.sqlite')).toEqual({ kind: 'sqlite', path: './data/x.sqlite' });
    expect(parseDatabaseUrl('/var/lib/pb.db')).toEqual({ kind: 'sqlite', path: '/var/lib/pb.db' });
    expect(parseDatabaseUrl('sqlite:data/x.sqlite')).toEqual({ kind: 'sqlite', path: 'data/x.sqlite' });
    expect(parseDatabaseUrl('sqlite://data/x.sqlite')).toEqual({ kind: 'sqlite', path: 'data/x.sqlite' });
    expect(parseDatabaseUrl('sqlite:///abs/x.sqlite')).toEqual({ kind: 'sqlite', path: '/abs/x.sqlite' });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseDatabaseUrl('C:\\data\\pb.sqlite')).toEqual({ kind: 'sqlite', path: 'C:\\data\\pb.sqlite' });
    expect(parseDatabaseUrl('postgres://u@h/db')).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
    expect(parseDatabaseUrl('postgresql://u@h:5433/db')).toEqual({ kind: 'postgres', url: 'postgresql://u@h:5433/db' });
  });

  it('rejects other schemes with the value and the accepted forms, hiding any password', async () => {
    const attempt = openStore('mysql://root:hunter2@db.example/partners');
    await expect(attempt).rejects.toThrow(/mysql:\/\/root:\*\*\*@db\.example\/partners/);
    await expect(openStore('mysql://root:hunter2@db.example/partners')).rejects.toThrow(/sqlite::memory:.*postgres:\/\//);
    await expect(openStore('mysql://root:hunter2@db.example/partners')).rejects.not.toThrow(/hunter2/);
    expect(() => parseDatabaseUrl('http://example.org/db')).toThrow(/Unsupported DATABASE_URL "http:\/\/example.org\/db"/);
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/names no SQLite file/);
  });

  it('opens an in-memory SQLite database, migrated', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      expect(store.dialect).toBe('sqlite');
      expect(await store.ping()).toBe(true);
      expect(await store.activePartnershipIds()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('creates the folder of a SQLite file, uses WAL and foreign keys, and migrates once', async () => {
    const file = join(dir, 'nested', 'deeper', 'pb.sqlite');
    const store = await openStore(`sqlite:${file}`);
    try {
      expect(existsSync(file)).toBe(true);
      const wal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      expect(wal.rows[0]?.journal_mode).toBe('wal');
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db);
      expect(fk.rows[0]?.foreign_keys).toBe(1);
      await expect(store.insertMember(newMember('p-does-not-exist'))).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      await store.close();
    }
    const again = await openStore(`sqlite://${file}`);
    try {
      expect(await migrateToLatest(again.db)).toEqual([]);
    } finally {
      await again.close();
    }
  });

  it('explains a SQLite folder that cannot be created', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    await expect(openStore(join(blocker, 'sub', 'pb.sqlite'))).rejects.toThrow(/cannot be created or written/);
  });

  it('explains a PostgreSQL server that does not answer, hiding the password', async () => {
    const attempt = openStore('postgres://postgres:s3cret@127.0.0.1:1/none');
    await expect(attempt).rejects.toThrow(/Cannot use PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/none/);
    await expect(openStore('postgres://postgres:s3cret@127.0.0.1:1/none')).rejects.not.toThrow(/s3cret/);
  });
});
