// The store ports (src/domain/ports.ts) implemented with Kysely, for SQLite and PostgreSQL alike.
// Only Kysely's parameterised builders touch SQL; rows become domain records in ./rows.ts.
import { randomUUID } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import type { Consultation, ConsultationResponse, ConsultationStatus } from '../src/domain/consultation.ts';
import type { PulseBlock } from '../src/domain/message.ts';
import type { ChannelRef, ChatIdentity, Member, Partnership, Sector } from '../src/domain/partnership.ts';
import type { Platform } from '../src/domain/partnership.ts';
import type { AuditEntry, Claim, Job, JobKind, NewJob, NewOutbox, OutboxRow, OutboxStatus, Recipient, Repo, Store } from '../src/domain/ports.ts';
import { countScore, emptyTally, tallyOf, type Ballot, type Poll, type Tally } from '../src/domain/pulse.ts';
import {
  auditRows,
  channelRows,
  consultationRows,
  identityRows,
  instant,
  jobRows,
  laneOf,
  memberRows,
  outboxRows,
  partnershipRows,
  pollRows,
  responseRows,
  workspaceLanePrefix,
  type RowMapping,
} from './rows.ts';
import { hasVotedQuery, memberByIdentityQuery, pollScopeQuery, upsertAnswerQuery } from './hot-queries.ts';
import { consultationScopeQuery, partnershipByChannelQuery, upsertResponseQuery } from './command-queries.ts';
import { insertOutboxRows, type NewOutboxRow } from './outbox-insert.ts';
import type { Database, MemberIdentitiesTable, MembersTable, SqlDialect } from './schema.ts';

export { instant } from './rows.ts';

/** Thrown by `addChannel` when the channel is bound to another partnership already. */
export class ChannelTakenError extends Error {
  constructor(
    readonly channel: ChannelRef,
    readonly partnershipId: string,
  ) {
    super(
      `The ${channel.platform} channel ${channel.channel} (workspace ${channel.workspace}) already belongs to partnership ${partnershipId}; a channel can serve one partnership only.`,
    );
    this.name = 'ChannelTakenError';
  }
}

/** SQLite caps bound parameters per statement; large batches go in slices. */
const BATCH = 200;
function* batches<T>(items: readonly T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Ids per `in (...)` list: far under both dialects' parameter caps, and short SQL that stays cached. */
const IN_LIST = 500;

/** Runs `query` over slices of the (deduplicated) `ids` and concatenates the results. */
async function inSlices<R>(ids: readonly string[], query: (slice: string[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (const slice of batches([...new Set(ids)], IN_LIST)) out.push(...(await query(slice)));
  return out;
}

type Db = Kysely<Database> | Transaction<Database>;

/** Tables that hold one whole record a row, keyed by `id` and rewritten whole on update. */
type RecordTable = 'partnerships' | 'consultations' | 'polls';

/** The Repo methods over a Kysely instance or an open transaction. */
export class SqlRepo implements Repo {
  constructor(
    readonly db: Db,
    readonly dialect: SqlDialect,
  ) {}

  /** Runs several statements as one unit: inside the caller's transaction if there is one. */
  private atomically<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? fn(this.db) : this.db.transaction().execute(fn);
  }

  // ---- whole records (partnerships, consultations, polls) ----------------------------------------
  // Kysely can't type a query over a table that is a type parameter, hence `table as RecordTable`;
  // the signatures still tie each table to its own row mapping.

  private async byId<TB extends RecordTable, T>(table: TB, rows: RowMapping<T, Database[TB]>, id: string): Promise<T | null> {
    const row = await this.db.selectFrom(table as RecordTable).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rows.fromRow(row as Database[TB]) : null;
  }

  private async insertRecord<TB extends RecordTable, T>(table: TB, rows: RowMapping<T, Database[TB]>, value: T): Promise<void> {
    await this.db.insertInto(table as RecordTable).values(rows.toRow(value)).execute();
  }

  private async updateRecord<TB extends RecordTable, T>(table: TB, rows: RowMapping<T, Database[TB]>, value: T): Promise<void> {
    const { id, ...rest } = rows.toRow(value);
    await this.db.updateTable(table as RecordTable).set(rest).where('id', '=', id).execute();
  }

  // ---- partnerships and channels ----------------------------------------------------------------

  partnership(id: string): Promise<Partnership | null> {
    return this.byId('partnerships', partnershipRows, id);
  }

  /** Prepared: most commands typed in a channel ask it. */
  async partnershipByChannel(ch: ChannelRef): Promise<Partnership | null> {
    const [row] = await partnershipByChannelQuery.run(this.db, this.dialect, { ...ch });
    return row ? partnershipRows.fromRow(row) : null;
  }

  insertPartnership(p: Partnership): Promise<void> {
    return this.insertRecord('partnerships', partnershipRows, p);
  }

  updatePartnership(p: Partnership): Promise<void> {
    return this.updateRecord('partnerships', partnershipRows, p);
  }

  async channels(partnershipId: string): Promise<ChannelRef[]> {
    const rows = await this.db
      .selectFrom('channels')
      .select(['platform', 'workspace', 'channel'])
      .where('partnership_id', '=', partnershipId)
      .orderBy('platform')
      .orderBy('workspace')
      .orderBy('channel')
      .execute();
    return rows.map(channelRows.fromRow);
  }

  async addChannel(partnershipId: string, ch: ChannelRef): Promise<void> {
    const key = channelRows.toRow(ch);
    // Insert-if-absent, then read the owner: safe against a concurrent bind of the same channel.
    await this.db
      .insertInto('channels')
      .values({ ...key, partnership_id: partnershipId })
      .onConflict((oc) => oc.columns(['platform', 'workspace', 'channel']).doNothing())
      .execute();
    const owner = await this.db
      .selectFrom('channels')
      .select('partnership_id')
      .where((eb) => eb.and(key))
      .executeTakeFirstOrThrow();
    if (owner.partnership_id !== partnershipId) throw new ChannelTakenError(ch, owner.partnership_id);
  }

  async activePartnershipIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('partnerships').select('id').where('status', '=', 'active').orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  async channelsOf(partnershipIds: readonly string[]): Promise<{ partnershipId: string; channel: ChannelRef }[]> {
    const rows = await inSlices(partnershipIds, (slice) =>
      this.db
        .selectFrom('channels')
        .select(['partnership_id', 'platform', 'workspace', 'channel'])
        .where('partnership_id', 'in', slice)
        .orderBy('partnership_id')
        .orderBy('platform')
        .orderBy('workspace')
        .orderBy('channel')
        .execute(),
    );
    return rows.map((r) => ({ partnershipId: r.partnership_id, channel: channelRows.fromRow(r) }));
  }

  async partnershipsById(ids: readonly string[]): Promise<Partnership[]> {
    const rows = await inSlices(ids, (slice) => this.db.selectFrom('partnerships').selectAll().where('id', 'in', slice).execute());
    return rows.map(partnershipRows.fromRow);
  }

  // ---- members ----------------------------------------------------------------------------------

  async member(id: string): Promise<Member | null> {
    return (await this.membersWhere('id', id))[0] ?? null;
  }

  members(partnershipId: string): Promise<Member[]> {
    return this.membersWhere('partnership_id', partnershipId);
  }

  async recipients(partnershipIds: readonly string[]): Promise<Recipient[]> {
    // One query a slice of partnerships, only the columns a message needs: members with each of
    // their identities in order, the first kept (a tick reads ten thousand of them).
    const rows = await inSlices(partnershipIds, (slice) =>
      this.db
        .selectFrom('members as m')
        .leftJoin('member_identities as i', 'i.member_id', 'm.id')
        .select(['m.id', 'm.partnership_id', 'm.sector', 'i.platform', 'i.workspace', 'i.user_id'])
        .where('m.partnership_id', 'in', slice)
        .orderBy('m.partnership_id')
        .orderBy('m.joined_at')
        .orderBy('m.id')
        .orderBy('i.position')
        .execute(),
    );
    const out: Recipient[] = [];
    let last: Recipient | undefined;
    for (const r of rows) {
      if (last?.id === r.id) continue;
      const identities = r.platform === null ? [] : [identityRows.fromRow({ platform: r.platform, workspace: r.workspace!, user_id: r.user_id! })];
      out.push((last = { id: r.id, partnershipId: r.partnership_id, sector: r.sector as Sector, identities }));
    }
    return out;
  }

  async membersOf(partnershipIds: readonly string[]): Promise<Member[]> {
    return inSlices(partnershipIds, async (slice) => {
      const rows = await this.db
        .selectFrom('members')
        .selectAll()
        .where('partnership_id', 'in', slice)
        .orderBy('partnership_id')
        .orderBy('joined_at')
        .orderBy('id')
        .execute();
      const idRows = await this.db
        .selectFrom('member_identities')
        .select(['member_id', 'platform', 'workspace', 'user_id'])
        .where('partnership_id', 'in', slice)
        .orderBy('member_id')
        .orderBy('position')
        .execute();
      return withIdentities(rows, idRows);
    });
  }

  /** Members with their identities (in their order), by join time. */
  private async membersWhere(column: 'id' | 'partnership_id', value: string): Promise<Member[]> {
    const rows = await this.db
      .selectFrom('members')
      .selectAll()
      .where(column, '=', value)
      .orderBy('joined_at')
      .orderBy('id')
      .execute();
    const idRows = await this.db
      .selectFrom('member_identities')
      .select(['member_id', 'platform', 'workspace', 'user_id'])
      .where(column === 'id' ? 'member_id' : 'partnership_id', '=', value)
      .orderBy('member_id')
      .orderBy('position')
      .execute();
    return withIdentities(rows, idRows);
  }

  /** Ids of the members known by this chat identity (one a partnership at most). */
  private memberIdsByIdentity(identity: ChatIdentity) {
    return this.db
      .selectFrom('member_identities')
      .select('member_id')
      .where((eb) => eb.and(identityRows.toRow(identity)));
  }

  /** One query (the member joined with all its identities): every command and button press asks it. */
  async memberByIdentity(partnershipId: string, identity: ChatIdentity): Promise<Member | null> {
    const rows = await memberByIdentityQuery.run(this.db, this.dialect, { ...identity, partnershipId });
    if (!rows.length) return null;
    return { ...memberRows.fromRow(rows[0]!), identities: rows.map((r) => identityRows.fromRow(r)) };
  }

  async membersByIdentity(identity: ChatIdentity): Promise<Member[]> {
    const found = await this.memberIdsByIdentity(identity).orderBy('partnership_id').execute();
    const members = await Promise.all(found.map((f) => this.member(f.member_id)));
    return members.filter((m): m is Member => m !== null);
  }

  async insertMember(m: Member): Promise<void> {
    await this.atomically(async (db) => {
      await db.insertInto('members').values(memberRows.toRow(m)).execute();
      await insertIdentities(db, m);
    });
  }

  async updateMember(m: Member): Promise<void> {
    await this.atomically(async (db) => {
      const { id, partnership_id: _p, joined_at: _j, ...rest } = memberRows.toRow(m);
      await db.updateTable('members').set(rest).where('id', '=', id).execute();
      await db.deleteFrom('member_identities').where('member_id', '=', id).execute();
      await insertIdentities(db, m);
    });
  }

  // ---- consultations ----------------------------------------------------------------------------

  consultation(id: string): Promise<Consultation | null> {
    return this.byId('consultations', consultationRows, id);
  }

  /** A partnership's consultations, by deadline then opening time. */
  async consultations(partnershipId: string, statuses?: ConsultationStatus[]): Promise<Consultation[]> {
    if (statuses && statuses.length === 0) return [];
    let q = this.db.selectFrom('consultations').selectAll().where('partnership_id', '=', partnershipId);
    if (statuses) q = q.where('status', 'in', statuses);
    const rows = await q.orderBy('deadline').orderBy('opened_at').orderBy('id').execute();
    return rows.map(consultationRows.fromRow);
  }

  insertConsultation(c: Consultation): Promise<void> {
    return this.insertRecord('consultations', consultationRows, c);
  }

  updateConsultation(c: Consultation): Promise<void> {
    return this.updateRecord('consultations', consultationRows, c);
  }

  async consultationsOf(partnershipIds: readonly string[], statuses?: ConsultationStatus[]): Promise<Consultation[]> {
    if (statuses && statuses.length === 0) return [];
    const rows = await inSlices(partnershipIds, (slice) => {
      let q = this.db.selectFrom('consultations').selectAll().where('partnership_id', 'in', slice);
      if (statuses) q = q.where('status', 'in', statuses);
      return q.orderBy('partnership_id').orderBy('deadline').orderBy('opened_at').orderBy('id').execute();
    });
    return rows.map(consultationRows.fromRow);
  }

  async consultationsById(ids: readonly string[]): Promise<Consultation[]> {
    const rows = await inSlices(ids, (slice) => this.db.selectFrom('consultations').selectAll().where('id', 'in', slice).execute());
    return rows.map(consultationRows.fromRow);
  }

  async responsesTo(consultationIds: readonly string[]): Promise<ConsultationResponse[]> {
    const rows = await inSlices(consultationIds, (slice) =>
      this.db.selectFrom('consultation_responses').selectAll().where('consultation_id', 'in', slice).execute(),
    );
    return rows.map(responseRows.fromRow);
  }

  /** Responses to a consultation, in the order they were (last) given. */
  async responses(consultationId: string): Promise<ConsultationResponse[]> {
    const rows = await this.db
      .selectFrom('consultation_responses')
      .selectAll()
      .where('consultation_id', '=', consultationId)
      .orderBy('at')
      .orderBy('member_id')
      .execute();
    return rows.map(responseRows.fromRow);
  }

  async upsertResponse(r: ConsultationResponse): Promise<void> {
    const row = responseRows.toRow(r);
    await upsertResponseQuery.run(this.db, this.dialect, {
      consultationId: row.consultation_id,
      memberId: row.member_id,
      kind: row.kind,
      proposedDate: row.proposed_date,
      at: row.at,
    });
  }

  async consultationScope(id: string, identity: ChatIdentity): Promise<{ consultation: Consultation; partnership: Partnership; member: Member | null } | null> {
    const rows = await consultationScopeQuery.run(this.db, this.dialect, { consultationId: id, ...identity });
    const first = rows[0];
    if (!first) return null;
    // As pollScope: the partnership's columns keep their names, the consultation's and member's are prefixed.
    const consultation = consultationRows.fromRow({
      id: first.c_id,
      partnership_id: first.id,
      title: first.c_title,
      link: first.c_link,
      owner_id: first.c_owner_id,
      opened_at: first.c_opened_at,
      deadline: first.c_deadline,
      audience: first.c_audience,
      status: first.c_status,
      feedback: first.c_feedback,
      feedback_at: first.c_feedback_at,
    });
    return { consultation, partnership: partnershipRows.fromRow(first), member: scopedMember(first, rows) };
  }

  // ---- pulse polls ------------------------------------------------------------------------------

  poll(id: string): Promise<Poll | null> {
    return this.byId('polls', pollRows, id);
  }

  async pollScope(id: string, identity: ChatIdentity): Promise<{ poll: Poll; partnership: Partnership; member: Member | null } | null> {
    const rows = await pollScopeQuery.run(this.db, this.dialect, { pollId: id, ...identity });
    const first = rows[0];
    if (!first) return null;
    // The partnership's columns keep their names (its mapping reads only those); the poll's and the
    // member's are prefixed.
    const poll = pollRows.fromRow({
      id: first.poll_id,
      partnership_id: first.id,
      form: first.poll_form,
      opened_at: first.poll_opened_at,
      closes_at: first.poll_closes_at,
      status: first.poll_status,
      k: first.poll_k,
      created_by: first.poll_created_by,
    });
    return { poll, partnership: partnershipRows.fromRow(first), member: scopedMember(first, rows) };
  }

  /** A partnership's polls, oldest first. */
  async polls(partnershipId: string, status?: Poll['status']): Promise<Poll[]> {
    let q = this.db.selectFrom('polls').selectAll().where('partnership_id', '=', partnershipId);
    if (status) q = q.where('status', '=', status);
    const rows = await q.orderBy('opened_at').orderBy('id').execute();
    return rows.map(pollRows.fromRow);
  }

  async pollsOf(partnershipIds: readonly string[], status?: Poll['status']): Promise<Poll[]> {
    const rows = await inSlices(partnershipIds, (slice) => {
      let q = this.db.selectFrom('polls').selectAll().where('partnership_id', 'in', slice);
      if (status) q = q.where('status', '=', status);
      return q.orderBy('partnership_id').orderBy('opened_at').orderBy('id').execute();
    });
    return rows.map(pollRows.fromRow);
  }

  insertPoll(p: Poll): Promise<void> {
    return this.insertRecord('polls', pollRows, p);
  }

  updatePoll(p: Poll): Promise<void> {
    return this.updateRecord('polls', pollRows, p);
  }

  async upsertAnswer(pollId: string, voterHash: string, sector: Sector, block: PulseBlock, score: number): Promise<void> {
    await upsertAnswerQuery.run(this.db, this.dialect, { pollId, voterHash, block, sector, score });
  }

  async hasVoted(pollId: string, voterHash: string): Promise<boolean> {
    return (await hasVotedQuery.run(this.db, this.dialect, { pollId, voterHash })).length > 0;
  }

  async ballots(pollId: string): Promise<Ballot[]> {
    const rows = await this.db
      .selectFrom('poll_answers')
      .select(['voter_hash', 'sector', 'block', 'score'])
      .where('poll_id', '=', pollId)
      .orderBy('voter_hash')
      .orderBy('block')
      .execute();
    const byVoter = new Map<string, Ballot>();
    for (const r of rows) {
      let ballot = byVoter.get(r.voter_hash);
      if (!ballot) byVoter.set(r.voter_hash, (ballot = { sector: r.sector as Sector, answers: {} }));
      ballot.answers[r.block as PulseBlock] = Number(r.score);
    }
    // Code-unit order, whatever the database collation: the order says nothing about who or when.
    return [...byVoter.keys()].sort(byCodeUnits).map((hash) => byVoter.get(hash)!);
  }

  /**
   * Counted by the database: ballots per sector (each voter's rows grouped into one), and answers
   * per (block, sector, score). A voter's rows all carry one sector unless the member changed sector
   * while the poll was open; such a poll is tallied from its ballots, which give a ballot one sector.
   */
  async tallies(pollIds: readonly string[]): Promise<Map<string, Tally>> {
    const out = new Map<string, Tally>();
    // One poll a statement: SQLite groups faster without the poll id in the key.
    for (const pollId of new Set(pollIds)) {
      const t = await this.tally(pollId);
      if (t) out.set(pollId, t);
    }
    return out;
  }

  private async tally(pollId: string): Promise<Tally | null> {
    const voters = await this.db
      .selectFrom((eb) =>
        eb
          .selectFrom('poll_answers')
          .select((e) => [e.fn.min('sector').as('sector'), e.fn.max('sector').as('other')])
          .where('poll_id', '=', pollId)
          .groupBy('voter_hash')
          .as('v'),
      )
      .select((eb) => ['v.sector', 'v.other', eb.fn.countAll().as('n')])
      .groupBy(['v.sector', 'v.other'])
      .execute();
    if (!voters.length) return null;
    if (voters.some((r) => r.sector !== r.other)) return tallyOf(await this.ballots(pollId));
    const t = emptyTally();
    for (const r of voters) t.respondents[r.sector as Sector] = Number(r.n);
    // Grouped by one text key "block:sector:score": SQLite sorts one column for a GROUP BY far faster
    // than three. Literal separators, so the select and the group by are the same expression.
    const key = (eb: ExpressionBuilder<Database, 'poll_answers'>) =>
      eb(eb(eb(eb('block', '||', sql.lit(':')), '||', eb.ref('sector')), '||', sql.lit(':')), '||', eb.ref('score').$castTo<string>());
    const answers = await this.db
      .selectFrom('poll_answers')
      .select((eb) => [key(eb).as('key'), eb.fn.countAll().as('n')])
      .where('poll_id', '=', pollId)
      .groupBy(key)
      .execute();
    for (const r of answers) {
      const [block, sector, score] = String(r.key).split(':');
      countScore(t, block as PulseBlock, sector as Sector, Number(score), Number(r.n));
    }
    return t;
  }

  async ballotCount(pollId: string): Promise<number> {
    const row = await this.db
      .selectFrom('poll_answers')
      .select((eb) => eb.fn.count('voter_hash').distinct().as('n'))
      .where('poll_id', '=', pollId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async addComment(pollId: string, text: string): Promise<void> {
    await this.db.insertInto('poll_comments').values({ poll_id: pollId, id: randomUUID(), text }).execute();
  }

  async comments(pollId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('poll_comments').select('text').where('poll_id', '=', pollId).execute();
    // Sorted here rather than in SQL so both dialects agree whatever their collation.
    return rows.map((r) => r.text).sort(alphabetical.compare);
  }

  // ---- scheduler --------------------------------------------------------------------------------

  async scheduleJobs(jobs: NewJob[]): Promise<void> {
    for (const batch of batches(jobs)) {
      await this.db
        .insertInto('jobs')
        .values(batch.map((j) => ({ ...jobRows.toRow({ ...j, id: randomUUID() }), done_at: null })))
        .onConflict((oc) => oc.columns(['kind', 'ref', 'step']).doNothing())
        .execute();
    }
  }

  /** On PostgreSQL the rows are locked (SKIP LOCKED) when called inside a transaction, so instances share work. */
  async dueJobs(now: string, limit: number): Promise<Job[]> {
    const rows = await this.undoneJobs(limit)
      .where('due_at', '<=', instant(now))
      .$if(this.dialect === 'postgres', (q) => q.forUpdate().skipLocked())
      .execute();
    return rows.map(jobRows.fromRow);
  }

  async completeJob(id: string, at: string): Promise<void> {
    await this.db.updateTable('jobs').set({ done_at: instant(at) }).where('id', '=', id).execute();
  }

  async anyDueJobs(now: string): Promise<boolean> {
    const at = instant(now);
    const row = await this.undoneJobs(1)
      .clearSelect()
      .select('id')
      .where('due_at', '<=', at)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]))
      .executeTakeFirst();
    return row !== undefined;
  }

  async completeJobs(ids: readonly string[], at: string): Promise<void> {
    const done = instant(at);
    await inSlices(ids, async (slice) => {
      await this.db.updateTable('jobs').set({ done_at: done }).where('id', 'in', slice).execute();
      return [];
    });
  }

  async cancelJobs(kind: JobKind, ref: string): Promise<void> {
    await this.db
      .deleteFrom('jobs')
      .where('kind', '=', kind)
      .where('ref', '=', ref)
      .where('done_at', 'is', null)
      .execute();
  }

  async pendingJobs(partnershipId: string, limit: number): Promise<Job[]> {
    const rows = await this.undoneJobs(limit).where('partnership_id', '=', partnershipId).execute();
    return rows.map(jobRows.fromRow);
  }

  async claimJobs(now: string, claim: Claim, limit: number, skip: readonly string[] = []): Promise<Job[]> {
    const at = instant(now);
    return this.atomically(async (db) => {
      const rows = await new SqlRepo(db, this.dialect)
        .undoneJobs(limit)
        .where('due_at', '<=', at)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]))
        .$if(skip.length > 0, (q) => q.where('id', 'not in', [...skip]))
        .$if(this.dialect === 'postgres', (q) => q.forUpdate().skipLocked())
        .execute();
      if (rows.length === 0) return [];
      await db
        .updateTable('jobs')
        .set({ claimed_by: claim.owner, lease_until: instant(claim.until) })
        .where('id', 'in', rows.map((r) => r.id))
        .execute();
      return rows.map(jobRows.fromRow);
    });
  }

  async holdJob(id: string, owner: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('jobs')
      .select('id')
      .where('id', '=', id)
      .where('claimed_by', '=', owner)
      .where('done_at', 'is', null)
      .$if(this.dialect === 'postgres', (q) => q.forUpdate())
      .executeTakeFirst();
    return row !== undefined;
  }

  async lockDueJobs(now: string, limit: number, kinds: readonly JobKind[]): Promise<Job[]> {
    if (kinds.length === 0) return [];
    const at = instant(now);
    const rows = await this.undoneJobs(limit)
      .where('due_at', '<=', at)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]))
      // The kind inside coalesce: SQLite's planner would otherwise walk the (kind, ref, step) index
      // over every job ever run instead of the pending jobs' partial index (what is due).
      .where((eb) => eb(eb.fn.coalesce('kind', sql.lit('')), 'in', [...kinds]))
      .$if(this.dialect === 'postgres', (q) => q.forUpdate().skipLocked())
      .execute();
    return rows.map(jobRows.fromRow);
  }

  async releaseJob(id: string, owner: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ claimed_by: null, lease_until: null })
      .where('id', '=', id)
      .where('claimed_by', '=', owner)
      .where('done_at', 'is', null)
      .execute();
  }

  async releaseClaims(owner: string | null): Promise<number> {
    return this.atomically(async (db) => {
      const jobs = await db
        .updateTable('jobs')
        .set({ claimed_by: null, lease_until: null })
        .where('done_at', 'is', null)
        .where('claimed_by', owner === null ? 'is not' : '=', owner)
        .executeTakeFirst();
      const rows = await db
        .updateTable('outbox')
        // Due as of when it was written: rows caught in flight go out first, before newer ones.
        .set((eb) => ({ claimed_by: null, next_attempt_at: eb.ref('created_at') }))
        .where('status', '=', sql.lit('pending'))
        .where('claimed_by', owner === null ? 'is not' : '=', owner)
        .executeTakeFirst();
      return Number(jobs.numUpdatedRows) + Number(rows.numUpdatedRows);
    });
  }

  /** Jobs not yet done, soonest first, at most `limit` of them once callers add their own conditions. */
  private undoneJobs(limit: number) {
    return this.db.selectFrom('jobs').selectAll().where('done_at', 'is', null).orderBy('due_at').orderBy('id').limit(limit);
  }

  // ---- outbox -----------------------------------------------------------------------------------

  async enqueue(rows: NewOutbox[], now: string): Promise<number> {
    const at = instant(now);
    const fresh = { status: 'pending', attempts: 0, createdAt: at, nextAttemptAt: at, sentAt: null, lastError: null } as const;
    // One decision sends one message to many people (10k nudges a tick): each message is mapped
    // (its JSON written) once, and a row then differs only in id, key, partnership, target and lane.
    // Rows are built a slice at a time, just before their INSERT, so they die young (cheap to collect).
    const mapped = new Map<NewOutbox['message'], ReturnType<typeof outboxRows.toRow>>();
    const value = (r: NewOutbox): NewOutboxRow => {
      let m = mapped.get(r.message);
      if (!m) mapped.set(r.message, (m = outboxRows.toRow({ ...r, ...fresh, id: '' })));
      return {
        id: randomUUID(),
        key: r.key,
        partnership_id: r.partnershipId,
        target: JSON.stringify(r.target), // JSON text, as outboxRows writes it
        message: m.message,
        status: m.status,
        attempts: m.attempts,
        created_at: m.created_at,
        next_attempt_at: m.next_attempt_at,
        lane: laneOf(r.target),
      };
    };
    let inserted = 0;
    for (const batch of batches(rows)) inserted += await insertOutboxRows(this.db, this.dialect, batch.map(value));
    return inserted;
  }

  /** Oldest first (by next attempt, then insertion). Locked with SKIP LOCKED on PostgreSQL inside a transaction. */
  async dueOutbox(now: string, limit: number): Promise<OutboxRow[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      // A literal, not a parameter, so both planners can match the partial index outbox_pending_due.
      .where('status', '=', sql.lit('pending'))
      .where('next_attempt_at', '<=', instant(now))
      .orderBy('next_attempt_at')
      .orderBy('seq')
      .limit(limit)
      .$if(this.dialect === 'postgres', (q) => q.forUpdate().skipLocked())
      .execute();
    return rows.map(outboxRows.fromRow);
  }

  async markSent(id: string, at: string): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set((eb) => ({ status: 'sent', sent_at: instant(at), attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  /** Only a pending row: a late failure report must not turn a row sent meanwhile (after a lease
   * ran out and another instance took it over) into a dead letter. */
  async markFailed(id: string, error: string, retryAt: string | null): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_error: error,
        claimed_by: null,
        ...(retryAt === null ? { status: 'dead' } : { next_attempt_at: instant(retryAt) }),
      }))
      .where('id', '=', id)
      .where('status', '=', sql.lit('pending'))
      .execute();
  }

  async claimOutbox(now: string, claim: Claim, limit: number): Promise<OutboxRow[]> {
    const at = instant(now);
    return this.atomically(async (db) => {
      const rows = await db
        .selectFrom('outbox as o')
        .selectAll('o')
        .where('o.status', '=', sql.lit('pending'))
        .where('o.next_attempt_at', '<=', at)
        // Only the first pending row of its lane: an earlier one still waiting (backing off, claimed
        // by another instance) holds the rest of its conversation back, so order is kept.
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('outbox as e')
                .select('e.seq')
                .whereRef('e.lane', '=', 'o.lane')
                .where('e.status', '=', sql.lit('pending'))
                .whereRef('e.seq', '<', 'o.seq'),
            ),
          ),
        )
        .orderBy('o.next_attempt_at')
        .orderBy('o.seq')
        .limit(limit)
        .$if(this.dialect === 'postgres', (q) => q.forUpdate().skipLocked())
        .execute();
      if (rows.length === 0) return [];
      await db
        .updateTable('outbox')
        .set({ claimed_by: claim.owner, next_attempt_at: instant(claim.until) })
        .where('id', 'in', rows.map((r) => r.id))
        .execute();
      return rows.map(outboxRows.fromRow);
    });
  }

  async deferOutbox(ids: readonly string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    for (const batch of batches(ids)) {
      await this.db
        .updateTable('outbox')
        .set({ claimed_by: null, next_attempt_at: instant(at) })
        .where('id', 'in', batch)
        .where('status', '=', sql.lit('pending'))
        .execute();
    }
  }

  async suspendOutbox(platform: Platform, workspace: string, until: string): Promise<number> {
    const prefix = workspaceLanePrefix(platform, workspace);
    const at = instant(until);
    const result = await this.db
      .updateTable('outbox')
      .set({ next_attempt_at: at })
      .where('status', '=', sql.lit('pending'))
      .where(sql<string>`substr(lane, 1, ${sql.lit(prefix.length)})`, '=', prefix)
      .where('next_attempt_at', '<', at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async outboxDepth(): Promise<{ pending: number; dead: number }> {
    // Literal statuses, so both planners use the partial indexes outbox_pending_due and outbox_dead.
    const count = async (status: 'pending' | 'dead') =>
      Number(
        (await this.db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).where('status', '=', sql.lit(status)).executeTakeFirst())?.n ?? 0,
      );
    return { pending: await count('pending'), dead: await count('dead') };
  }

  async outboxTotals(): Promise<Record<OutboxStatus, number>> {
    const rows = await this.db
      .selectFrom('outbox')
      .select((eb) => ['status', eb.fn.countAll().as('n')])
      .groupBy('status')
      .execute();
    const counts: Record<OutboxStatus, number> = { pending: 0, sent: 0, dead: 0 };
    for (const r of rows) counts[r.status as OutboxStatus] = Number(r.n);
    return counts;
  }

  async outboxCounts(partnershipId: string): Promise<Record<OutboxStatus, number>> {
    const rows = await this.db
      .selectFrom('outbox')
      .select((eb) => ['status', eb.fn.countAll().as('n')])
      .where('partnership_id', '=', partnershipId)
      .groupBy('status')
      .execute();
    const counts: Record<OutboxStatus, number> = { pending: 0, sent: 0, dead: 0 };
    for (const r of rows) counts[r.status as OutboxStatus] = Number(r.n);
    return counts;
  }

  async audit(entry: AuditEntry): Promise<void> {
    await this.db.insertInto('audit_log').values(auditRows.toRow({ ...entry, id: randomUUID() })).execute();
  }
}

/** The Store: the Repo on the connection pool, plus transactions and lifecycle. */
export class SqlStore extends SqlRepo implements Store {
  constructor(
    override readonly db: Kysely<Database>,
    dialect: SqlDialect,
  ) {
    super(db, dialect);
  }

  /**
   * Runs `fn` in one transaction: everything it writes through `tx` commits together or not at all.
   * Use only `tx` inside: on SQLite the one connection is held by the transaction, so a call on the
   * store itself would wait for it forever.
   */
  transaction<T>(fn: (tx: Repo) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(new SqlRepo(trx, this.dialect)));
  }

  async ping(): Promise<boolean> {
    try {
      await this.db.selectFrom('partnerships').select('id').limit(1).execute();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

// ---- helpers --------------------------------------------------------------------------------------

const alphabetical = new Intl.Collator('en', { sensitivity: 'variant', numeric: true });

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The member columns (prefixed member_, own_) of a scope query's rows: one row per identity, in
 * order, or null when the actor is no member (see pollScopeQuery). */
interface ScopedMemberRow {
  id: string;
  member_id: string | null;
  member_name: string | null;
  member_roles: string | null;
  member_sector: string | null;
  member_organisation: string | null;
  member_joined_at: string | null;
  own_platform: string | null;
  own_workspace: string | null;
  own_user_id: string | null;
}

function scopedMember(first: ScopedMemberRow, rows: ScopedMemberRow[]): Member | null {
  if (first.member_id === null) return null;
  const member = memberRows.fromRow({
    id: first.member_id,
    partnership_id: first.id,
    name: first.member_name!,
    roles: first.member_roles!,
    sector: first.member_sector!,
    organisation: first.member_organisation!,
    joined_at: first.member_joined_at!,
  });
  return { ...member, identities: rows.map((r) => identityRows.fromRow({ platform: r.own_platform!, workspace: r.own_workspace!, user_id: r.own_user_id! })) };
}

/** Member rows with their identity rows (sorted by member, then position) as members. */
function withIdentities(rows: MembersTable[], idRows: Pick<MemberIdentitiesTable, 'member_id' | 'platform' | 'workspace' | 'user_id'>[]): Member[] {
  const identities = new Map<string, ChatIdentity[]>();
  for (const i of idRows) {
    const list = identities.get(i.member_id);
    if (list) list.push(identityRows.fromRow(i));
    else identities.set(i.member_id, [identityRows.fromRow(i)]);
  }
  // Object.assign, not a spread copy: members load by the ten thousand in a scheduler tick.
  return rows.map((r) => Object.assign(memberRows.fromRow(r), { identities: identities.get(r.id) ?? [] }));
}

async function insertIdentities(db: Db, m: Member): Promise<void> {
  if (m.identities.length === 0) return;
  await db
    .insertInto('member_identities')
    .values(
      m.identities.map((identity, position) => ({
        ...identityRows.toRow(identity),
        partnership_id: m.partnershipId,
        member_id: m.id,
        position,
      })),
    )
    .execute();
}
