// The store ports (src/domain/ports.ts) implemented with Kysely, for SQLite and PostgreSQL alike.
// Only Kysely's parameterised builders touch SQL. Instants are written in canonical ISO form
// (see `instant`) so that text comparison is time comparison in both dialects.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Consultation, ConsultationResponse, ConsultationStatus } from '../src/domain/consultation.ts';
import type { Message, PulseBlock } from '../src/domain/message.ts';
import {
  DEFAULT_SETTINGS,
  type ChannelRef,
  type ChatIdentity,
  type Member,
  type Partnership,
  type Platform,
  type Role,
  type Sector,
  type Target,
} from '../src/domain/partnership.ts';
import type {
  AuditEntry,
  Job,
  JobKind,
  NewJob,
  NewOutbox,
  OutboxRow,
  OutboxStatus,
  Repo,
  Store,
} from '../src/domain/ports.ts';
import type { Ballot, Poll, PollForm } from '../src/domain/pulse.ts';
import type {
  ConsultationsTable,
  Database,
  JobsTable,
  MemberIdentitiesTable,
  MembersTable,
  OutboxTable,
  PartnershipsTable,
  PollsTable,
  SqlDialect,
} from './schema.ts';

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

/** Canonical ISO-8601 UTC form of an instant ("2026-12-01T09:30:00.000Z"); throws on nonsense. */
export function instant(value: string | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`Not a valid instant: ${JSON.stringify(String(value))}`);
  return date.toISOString();
}

/** An instant as read back: drivers may hand back a Date (e.g. a pg timestamp) or text. */
function readInstant(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
function readInstantOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : readInstant(value);
}
function instantOrNull(value: string | null): string | null {
  return value === null ? null : instant(value);
}

/** SQLite caps bound parameters per statement; large batches go in slices. */
const BATCH = 200;
function* batches<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += BATCH) yield items.slice(i, i + BATCH);
}

type Db = Kysely<Database> | Transaction<Database>;

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

  // ---- partnerships and channels ----------------------------------------------------------------

  async partnership(id: string): Promise<Partnership | null> {
    const row = await this.db.selectFrom('partnerships').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toPartnership(row) : null;
  }

  async partnershipByChannel(ch: ChannelRef): Promise<Partnership | null> {
    const row = await this.db
      .selectFrom('channels')
      .innerJoin('partnerships', 'partnerships.id', 'channels.partnership_id')
      .selectAll('partnerships')
      .where('channels.platform', '=', ch.platform)
      .where('channels.workspace', '=', ch.workspace)
      .where('channels.channel', '=', ch.channel)
      .executeTakeFirst();
    return row ? toPartnership(row) : null;
  }

  async insertPartnership(p: Partnership): Promise<void> {
    await this.db.insertInto('partnerships').values(fromPartnership(p)).execute();
  }

  async updatePartnership(p: Partnership): Promise<void> {
    const { id, ...rest } = fromPartnership(p);
    await this.db.updateTable('partnerships').set(rest).where('id', '=', id).execute();
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
    return rows.map((r) => ({ platform: r.platform as Platform, workspace: r.workspace, channel: r.channel }));
  }

  async addChannel(partnershipId: string, ch: ChannelRef): Promise<void> {
    // Insert-if-absent, then read the owner: safe against a concurrent bind of the same channel.
    await this.db
      .insertInto('channels')
      .values({ platform: ch.platform, workspace: ch.workspace, channel: ch.channel, partnership_id: partnershipId })
      .onConflict((oc) => oc.columns(['platform', 'workspace', 'channel']).doNothing())
      .execute();
    const owner = await this.db
      .selectFrom('channels')
      .select('partnership_id')
      .where('platform', '=', ch.platform)
      .where('workspace', '=', ch.workspace)
      .where('channel', '=', ch.channel)
      .executeTakeFirstOrThrow();
    if (owner.partnership_id !== partnershipId) throw new ChannelTakenError(ch, owner.partnership_id);
  }

  async activePartnershipIds(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('partnerships')
      .select('id')
      .where('status', '=', 'active')
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  // ---- members ----------------------------------------------------------------------------------

  async member(id: string): Promise<Member | null> {
    const row = await this.db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const ids = await this.db
      .selectFrom('member_identities')
      .selectAll()
      .where('member_id', '=', id)
      .orderBy('position')
      .execute();
    return toMembers([row], ids)[0] ?? null;
  }

  async members(partnershipId: string): Promise<Member[]> {
    const rows = await this.db
      .selectFrom('members')
      .selectAll()
      .where('partnership_id', '=', partnershipId)
      .orderBy('joined_at')
      .orderBy('id')
      .execute();
    const ids = await this.db
      .selectFrom('member_identities')
      .selectAll()
      .where('partnership_id', '=', partnershipId)
      .orderBy('member_id')
      .orderBy('position')
      .execute();
    return toMembers(rows, ids);
  }

  async memberByIdentity(partnershipId: string, identity: ChatIdentity): Promise<Member | null> {
    const row = await this.db
      .selectFrom('member_identities')
      .select('member_id')
      .where('partnership_id', '=', partnershipId)
      .where('platform', '=', identity.platform)
      .where('workspace', '=', identity.workspace)
      .where('user_id', '=', identity.user)
      .executeTakeFirst();
    return row ? this.member(row.member_id) : null;
  }

  async membersByIdentity(identity: ChatIdentity): Promise<Member[]> {
    const found = await this.db
      .selectFrom('member_identities')
      .select('member_id')
      .where('platform', '=', identity.platform)
      .where('workspace', '=', identity.workspace)
      .where('user_id', '=', identity.user)
      .orderBy('partnership_id')
      .execute();
    const members = await Promise.all(found.map((f) => this.member(f.member_id)));
    return members.filter((m): m is Member => m !== null);
  }

  async insertMember(m: Member): Promise<void> {
    await this.atomically(async (db) => {
      await db.insertInto('members').values(fromMember(m)).execute();
      await insertIdentities(db, m);
    });
  }

  async updateMember(m: Member): Promise<void> {
    await this.atomically(async (db) => {
      const { id, partnership_id: _p, joined_at: _j, ...rest } = fromMember(m);
      await db.updateTable('members').set(rest).where('id', '=', id).execute();
      await db.deleteFrom('member_identities').where('member_id', '=', id).execute();
      await insertIdentities(db, m);
    });
  }

  // ---- consultations ----------------------------------------------------------------------------

  async consultation(id: string): Promise<Consultation | null> {
    const row = await this.db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toConsultation(row) : null;
  }

  /** A partnership's consultations, by deadline then opening time. */
  async consultations(partnershipId: string, statuses?: ConsultationStatus[]): Promise<Consultation[]> {
    if (statuses && statuses.length === 0) return [];
    let q = this.db.selectFrom('consultations').selectAll().where('partnership_id', '=', partnershipId);
    if (statuses) q = q.where('status', 'in', statuses);
    const rows = await q.orderBy('deadline').orderBy('opened_at').orderBy('id').execute();
    return rows.map(toConsultation);
  }

  async insertConsultation(c: Consultation): Promise<void> {
    await this.db.insertInto('consultations').values(fromConsultation(c)).execute();
  }

  async updateConsultation(c: Consultation): Promise<void> {
    const { id, ...rest } = fromConsultation(c);
    await this.db.updateTable('consultations').set(rest).where('id', '=', id).execute();
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
    return rows.map((r) => ({
      consultationId: r.consultation_id,
      memberId: r.member_id,
      kind: r.kind as ConsultationResponse['kind'],
      proposedDate: r.proposed_date,
      at: readInstant(r.at),
    }));
  }

  async upsertResponse(r: ConsultationResponse): Promise<void> {
    const row = {
      consultation_id: r.consultationId,
      member_id: r.memberId,
      kind: r.kind,
      proposed_date: r.proposedDate,
      at: instant(r.at),
    };
    await this.db
      .insertInto('consultation_responses')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['consultation_id', 'member_id'])
          .doUpdateSet({ kind: row.kind, proposed_date: row.proposed_date, at: row.at }),
      )
      .execute();
  }

  // ---- pulse polls ------------------------------------------------------------------------------

  async poll(id: string): Promise<Poll | null> {
    const row = await this.db.selectFrom('polls').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toPoll(row) : null;
  }

  /** A partnership's polls, oldest first. */
  async polls(partnershipId: string, status?: Poll['status']): Promise<Poll[]> {
    let q = this.db.selectFrom('polls').selectAll().where('partnership_id', '=', partnershipId);
    if (status) q = q.where('status', '=', status);
    const rows = await q.orderBy('opened_at').orderBy('id').execute();
    return rows.map(toPoll);
  }

  async insertPoll(p: Poll): Promise<void> {
    await this.db.insertInto('polls').values(fromPoll(p)).execute();
  }

  async updatePoll(p: Poll): Promise<void> {
    const { id, ...rest } = fromPoll(p);
    await this.db.updateTable('polls').set(rest).where('id', '=', id).execute();
  }

  async upsertAnswer(pollId: string, voterHash: string, sector: Sector, block: PulseBlock, score: number): Promise<void> {
    await this.db
      .insertInto('poll_answers')
      .values({ poll_id: pollId, voter_hash: voterHash, block, sector, score })
      .onConflict((oc) => oc.columns(['poll_id', 'voter_hash', 'block']).doUpdateSet({ sector, score }))
      .execute();
  }

  async hasVoted(pollId: string, voterHash: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('poll_answers')
      .select('block')
      .where('poll_id', '=', pollId)
      .where('voter_hash', '=', voterHash)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
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
        .values(
          batch.map((j) => ({
            id: randomUUID(),
            kind: j.kind,
            partnership_id: j.partnershipId,
            ref: j.ref,
            step: j.step,
            due_at: instant(j.dueAt),
            done_at: null,
          })),
        )
        .onConflict((oc) => oc.columns(['kind', 'ref', 'step']).doNothing())
        .execute();
    }
  }

  /** On PostgreSQL the rows are locked (SKIP LOCKED) when called inside a transaction, so instances share work. */
  async dueJobs(now: string, limit: number): Promise<Job[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('done_at', 'is', null)
      .where('due_at', '<=', instant(now))
      .orderBy('due_at')
      .orderBy('id')
      .limit(limit)
      .$if(this.dialect === 'postgres', (q) => q.forUpdate().skipLocked())
      .execute();
    return rows.map(toJob);
  }

  async completeJob(id: string, at: string): Promise<void> {
    await this.db.updateTable('jobs').set({ done_at: instant(at) }).where('id', '=', id).execute();
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
    const rows = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('partnership_id', '=', partnershipId)
      .where('done_at', 'is', null)
      .orderBy('due_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toJob);
  }

  // ---- outbox -----------------------------------------------------------------------------------

  async enqueue(rows: NewOutbox[], now: string): Promise<number> {
    const at = instant(now);
    let inserted = 0;
    for (const batch of batches(rows)) {
      const result = await this.db
        .insertInto('outbox')
        .values(
          batch.map((r) => ({
            id: randomUUID(),
            key: r.key,
            partnership_id: r.partnershipId,
            target: JSON.stringify(r.target),
            message: JSON.stringify(r.message),
            status: 'pending',
            attempts: 0,
            created_at: at,
            next_attempt_at: at,
            sent_at: null,
            last_error: null,
          })),
        )
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('id')
        .execute();
      inserted += result.length;
    }
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
    return rows.map(toOutbox);
  }

  async markSent(id: string, at: string): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set((eb) => ({ status: 'sent', sent_at: instant(at), attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  async markFailed(id: string, error: string, retryAt: string | null): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_error: error,
        ...(retryAt === null ? { status: 'dead' } : { next_attempt_at: instant(retryAt) }),
      }))
      .where('id', '=', id)
      .execute();
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
    await this.db
      .insertInto('audit_log')
      .values({
        id: randomUUID(),
        partnership_id: entry.partnershipId,
        actor_id: entry.actorId,
        action: entry.action,
        detail: entry.detail,
        at: instant(entry.at),
      })
      .execute();
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

// ---- row mapping ----------------------------------------------------------------------------------

const alphabetical = new Intl.Collator('en', { sensitivity: 'variant', numeric: true });

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fromPartnership(p: Partnership): PartnershipsTable {
  return {
    id: p.id,
    name: p.name,
    purpose: p.purpose,
    timezone: p.timezone,
    region: p.region,
    settings: JSON.stringify(p.settings),
    review_date: p.reviewDate,
    last_review_at: instantOrNull(p.lastReviewAt),
    status: p.status,
    created_at: instant(p.createdAt),
  };
}

function toPartnership(r: Selectable<PartnershipsTable>): Partnership {
  return {
    id: r.id,
    name: r.name,
    purpose: r.purpose,
    timezone: r.timezone,
    region: r.region,
    // Settings added after a partnership was created take their defaults.
    settings: { ...DEFAULT_SETTINGS, ...(JSON.parse(r.settings) as Partial<Partnership['settings']>) },
    reviewDate: r.review_date,
    lastReviewAt: readInstantOrNull(r.last_review_at),
    status: r.status as Partnership['status'],
    createdAt: readInstant(r.created_at),
  };
}

function fromMember(m: Member): MembersTable {
  return {
    id: m.id,
    partnership_id: m.partnershipId,
    name: m.name,
    roles: JSON.stringify(m.roles),
    sector: m.sector,
    organisation: m.organisation,
    joined_at: instant(m.joinedAt),
  };
}

async function insertIdentities(db: Db, m: Member): Promise<void> {
  if (m.identities.length === 0) return;
  await db
    .insertInto('member_identities')
    .values(
      m.identities.map((id, position) => ({
        partnership_id: m.partnershipId,
        platform: id.platform,
        workspace: id.workspace,
        user_id: id.user,
        member_id: m.id,
        position,
      })),
    )
    .execute();
}

/** Members with their identities; identity rows must come ordered by position. */
function toMembers(rows: Selectable<MembersTable>[], identityRows: Selectable<MemberIdentitiesTable>[]): Member[] {
  const identities = new Map<string, ChatIdentity[]>();
  for (const i of identityRows) {
    const list = identities.get(i.member_id) ?? [];
    list.push({ platform: i.platform as Platform, workspace: i.workspace, user: i.user_id });
    identities.set(i.member_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    partnershipId: r.partnership_id,
    name: r.name,
    roles: JSON.parse(r.roles) as Role[],
    sector: r.sector as Sector,
    organisation: r.organisation,
    identities: identities.get(r.id) ?? [],
    joinedAt: readInstant(r.joined_at),
  }));
}

function fromConsultation(c: Consultation): ConsultationsTable {
  return {
    id: c.id,
    partnership_id: c.partnershipId,
    title: c.title,
    link: c.link,
    owner_id: c.ownerId,
    opened_at: instant(c.openedAt),
    deadline: c.deadline,
    audience: JSON.stringify(c.audience),
    status: c.status,
    feedback: c.feedback,
    feedback_at: instantOrNull(c.feedbackAt),
  };
}

function toConsultation(r: Selectable<ConsultationsTable>): Consultation {
  return {
    id: r.id,
    partnershipId: r.partnership_id,
    title: r.title,
    link: r.link,
    ownerId: r.owner_id,
    openedAt: readInstant(r.opened_at),
    deadline: r.deadline,
    audience: JSON.parse(r.audience) as Consultation['audience'],
    status: r.status as ConsultationStatus,
    feedback: r.feedback,
    feedbackAt: readInstantOrNull(r.feedback_at),
  };
}

function fromPoll(p: Poll): PollsTable {
  return {
    id: p.id,
    partnership_id: p.partnershipId,
    form: p.form,
    opened_at: instant(p.openedAt),
    closes_at: instant(p.closesAt),
    status: p.status,
    k: p.k,
    created_by: p.createdBy,
  };
}

function toPoll(r: Selectable<PollsTable>): Poll {
  return {
    id: r.id,
    partnershipId: r.partnership_id,
    form: r.form as PollForm,
    openedAt: readInstant(r.opened_at),
    closesAt: readInstant(r.closes_at),
    status: r.status as Poll['status'],
    k: Number(r.k),
    createdBy: r.created_by,
  };
}

function toJob(r: Selectable<JobsTable>): Job {
  return {
    id: r.id,
    kind: r.kind as JobKind,
    partnershipId: r.partnership_id,
    ref: r.ref,
    step: r.step,
    dueAt: readInstant(r.due_at),
  };
}

function toOutbox(r: Selectable<OutboxTable>): OutboxRow {
  return {
    id: r.id,
    key: r.key,
    partnershipId: r.partnership_id,
    target: JSON.parse(r.target) as Target,
    message: JSON.parse(r.message) as Message,
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    createdAt: readInstant(r.created_at),
    nextAttemptAt: readInstant(r.next_attempt_at),
    sentAt: readInstantOrNull(r.sent_at),
    lastError: r.last_error,
  };
}
