// What the core needs from outside: a store, a clock and an id source. Implemented in db/ and src/bot.
import type { Consultation, ConsultationResponse } from './consultation.ts';
import type { Message, PulseBlock } from './message.ts';
import type { ChannelRef, ChatIdentity, Member, Partnership, Sector, Target } from './partnership.ts';
import type { Ballot, Poll, Tally } from './pulse.ts';

export interface Clock {
  now(): Date;
}

export interface IdSource {
  /** A new unique, unguessable id such as "c-7k2m9q4x" (prefix + 8 lowercase base32 characters). */
  next(prefix: string): string;
}

/** Work the scheduler does at a time. (kind, ref, step) is unique, so scheduling twice is harmless. */
export type JobKind =
  /** ref = consultation id, step = days before the deadline ("14", "7", "2", "0"). */
  | 'consultation.nudge'
  /** ref = consultation id, step = "deadline": the deadline has passed; ask for feedback. */
  | 'consultation.deadline'
  /** ref = consultation id, step = days after the deadline ("7", "14"). */
  | 'feedback.chase'
  /** ref = poll id, step = "reminder". */
  | 'pulse.reminder'
  /** ref = poll id, step = "close". */
  | 'pulse.close'
  /** ref = partnership id, step = the month "YYYY-MM" of the automatic poll. */
  | 'pulse.auto'
  /** ref = partnership id, step = "<review date>:<days before>". */
  | 'review.reminder'
  /** ref = partnership id, step = the local date "YYYY-MM-DD" of the digest. */
  | 'digest';

export interface NewJob {
  kind: JobKind;
  partnershipId: string;
  ref: string;
  step: string;
  /** ISO instant. */
  dueAt: string;
}

export interface Job extends NewJob {
  id: string;
}

/** A member as far as messaging them goes: who, in which partnership and sector (for audiences),
 * and the identity direct messages go to (their first; none if they have none). */
export type Recipient = Pick<Member, 'id' | 'partnershipId' | 'sector' | 'identities'>;

/** A message to send later, with a key derived from what it is so one decision never makes two rows. */
export interface NewOutbox {
  key: string;
  partnershipId: string | null;
  target: Target;
  message: Message;
}

export type OutboxStatus = 'pending' | 'sent' | 'dead';

export interface OutboxRow extends NewOutbox {
  id: string;
  status: OutboxStatus;
  attempts: number;
  /** ISO instants. */
  createdAt: string;
  nextAttemptAt: string;
  sentAt: string | null;
  lastError: string | null;
}

/** A claim on work: who holds it, and until when (ISO instant). After that anyone may take it over. */
export interface Claim {
  owner: string;
  until: string;
}

export interface AuditEntry {
  partnershipId: string | null;
  actorId: string | null;
  action: string;
  detail: string;
  at: string;
}

/** Everything the bot reads and writes. Inside `transaction` the same methods run in one transaction. */
export interface Repo {
  // partnerships and channels
  partnership(id: string): Promise<Partnership | null>;
  partnershipByChannel(ch: ChannelRef): Promise<Partnership | null>;
  insertPartnership(p: Partnership): Promise<void>;
  updatePartnership(p: Partnership): Promise<void>;
  channels(partnershipId: string): Promise<ChannelRef[]>;
  /** The channels of several partnerships: grouped by partnership, each's in the order of `channels`. */
  channelsOf(partnershipIds: readonly string[]): Promise<{ partnershipId: string; channel: ChannelRef }[]>;
  /** Binds a channel to a partnership; a channel belongs to one partnership at most. */
  addChannel(partnershipId: string, ch: ChannelRef): Promise<void>;
  activePartnershipIds(): Promise<string[]>;
  /** The partnerships with these ids (those that exist, in no particular order). */
  partnershipsById(ids: readonly string[]): Promise<Partnership[]>;

  // members
  member(id: string): Promise<Member | null>;
  members(partnershipId: string): Promise<Member[]>;
  /** The members of several partnerships: grouped by partnership, each's in the order of `members`. */
  membersOf(partnershipIds: readonly string[]): Promise<Member[]>;
  /** The members of several partnerships as far as messaging them goes (see Recipient): grouped by
   * partnership, each partnership's by join time. */
  recipients(partnershipIds: readonly string[]): Promise<Recipient[]>;
  memberByIdentity(partnershipId: string, identity: ChatIdentity): Promise<Member | null>;
  /** Every membership (one per partnership) of a chat identity, e.g. to answer a direct message. */
  membersByIdentity(identity: ChatIdentity): Promise<Member[]>;
  insertMember(m: Member): Promise<void>;
  /** Replaces name, roles, sector, organisation and identities. */
  updateMember(m: Member): Promise<void>;

  // consultations
  consultation(id: string): Promise<Consultation | null>;
  consultations(partnershipId: string, statuses?: Consultation['status'][]): Promise<Consultation[]>;
  /** The consultations of several partnerships: grouped by partnership, each's in the order of `consultations`. */
  consultationsOf(partnershipIds: readonly string[], statuses?: Consultation['status'][]): Promise<Consultation[]>;
  insertConsultation(c: Consultation): Promise<void>;
  updateConsultation(c: Consultation): Promise<void>;
  responses(consultationId: string): Promise<ConsultationResponse[]>;
  /** The consultations with these ids (those that exist, in no particular order). */
  consultationsById(ids: readonly string[]): Promise<Consultation[]>;
  /** Responses to several consultations at once (in no particular order). */
  responsesTo(consultationIds: readonly string[]): Promise<ConsultationResponse[]>;
  /** One response per member and consultation; a later answer replaces an earlier one. */
  upsertResponse(r: ConsultationResponse): Promise<void>;
  /** A consultation, its partnership and the member known by `identity` there (null if none), in one
   * query: every answer to a consultation needs all three. */
  consultationScope(id: string, identity: ChatIdentity): Promise<{ consultation: Consultation; partnership: Partnership; member: Member | null } | null>;

  // pulse polls (anonymous: the store never sees a member id with an answer)
  poll(id: string): Promise<Poll | null>;
  /** A poll, its partnership and the member known by `identity` there (null if none), in one
   * query: every button press needs all three. */
  pollScope(id: string, identity: ChatIdentity): Promise<{ poll: Poll; partnership: Partnership; member: Member | null } | null>;
  polls(partnershipId: string, status?: Poll['status']): Promise<Poll[]>;
  /** The polls of several partnerships: grouped by partnership, each's in the order of `polls`. */
  pollsOf(partnershipIds: readonly string[], status?: Poll['status']): Promise<Poll[]>;
  insertPoll(p: Poll): Promise<void>;
  updatePoll(p: Poll): Promise<void>;
  /** Records or replaces one block's score for one voter (a keyed hash, not a member id). */
  upsertAnswer(pollId: string, voterHash: string, sector: Sector, block: PulseBlock, score: number): Promise<void>;
  hasVoted(pollId: string, voterHash: string): Promise<boolean>;
  /** Ballots in an order unrelated to when they were cast (by voter hash). */
  ballots(pollId: string): Promise<Ballot[]>;
  ballotCount(pollId: string): Promise<number>;
  /** What results are computed from, counted by the database (no ballot is loaded), for those of
   * these polls that have answers stored. */
  tallies(pollIds: readonly string[]): Promise<Map<string, Tally>>;
  addComment(pollId: string, text: string): Promise<void>;
  /** Comments sorted alphabetically, never in the order written. */
  comments(pollId: string): Promise<string[]>;

  // scheduler
  /** Inserts jobs; a job whose (kind, ref, step) exists already is left as it is. */
  scheduleJobs(jobs: NewJob[]): Promise<void>;
  /** Pending jobs due at or before `now`, earliest first, at most `limit`. */
  dueJobs(now: string, limit: number): Promise<Job[]>;
  /** Whether any pending job is due at `now` that no live claim holds: one indexed read, so a tick
   * with nothing to do costs no more. */
  anyDueJobs(now: string): Promise<boolean>;
  completeJob(id: string, at: string): Promise<void>;
  /** Drops pending jobs of a kind for a ref (e.g. review reminders when the date moves). */
  cancelJobs(kind: JobKind, ref: string): Promise<void>;
  /** Pending jobs of a partnership, soonest first (for status and digests). */
  pendingJobs(partnershipId: string, limit: number): Promise<Job[]>;
  /** Claims (atomically; SKIP LOCKED on PostgreSQL) up to `limit` jobs due at `now` that no live
   * claim holds, earliest first, except those in `skip`; marks them claimed and returns them. */
  claimJobs(now: string, claim: Claim, limit: number, skip?: readonly string[]): Promise<Job[]>;
  /** In a transaction, for work done and completed in that same transaction: up to `limit` jobs of
   * `kinds` due at `now` that no live claim holds, earliest first, locked until it ends (SKIP LOCKED
   * on PostgreSQL, so instances take different ones; SQLite has one writer). */
  lockDueJobs(now: string, limit: number, kinds: readonly JobKind[]): Promise<Job[]>;
  /** In a transaction: true while the job is pending and still claimed by `owner` (on PostgreSQL the
   * row is then locked until the transaction ends, so no one can take it over mid-run). */
  holdJob(id: string, owner: string): Promise<boolean>;
  completeJobs(ids: readonly string[], at: string): Promise<void>;
  /** Gives a claimed job back (it failed): due again at once. */
  releaseJob(id: string, owner: string): Promise<void>;

  // outbox
  /** Inserts messages; one whose key exists already is skipped. Returns how many were new. */
  enqueue(rows: NewOutbox[], now: string): Promise<number>;
  /** Pending rows whose next attempt is due at or before `now`, oldest first. */
  dueOutbox(now: string, limit: number): Promise<OutboxRow[]>;
  markSent(id: string, at: string): Promise<void>;
  /** Records a failed attempt: retried at `retryAt`, or dead-lettered when `retryAt` is null. */
  markFailed(id: string, error: string, retryAt: string | null): Promise<void>;
  outboxCounts(partnershipId: string): Promise<Record<OutboxStatus, number>>;
  /** Claims (atomically; SKIP LOCKED on PostgreSQL) up to `limit` due rows, each the first pending
   * row of its conversation, so one conversation's messages go out in order whoever sends them.
   * A claimed row is not due again until `claim.until` (its lease). */
  claimOutbox(now: string, claim: Claim, limit: number): Promise<OutboxRow[]>;
  /** Puts rows back unsent, without counting an attempt: due again at `at` (rate limit, shutdown). */
  deferOutbox(ids: readonly string[], at: string): Promise<void>;
  /** Holds back every pending row to one workspace of a platform until `until` (a 429's Retry-After). */
  suspendOutbox(platform: Target['platform'], workspace: string, until: string): Promise<number>;
  /** Rows by status across all partnerships (counts every row: for tests and tools). */
  outboxTotals(): Promise<Record<OutboxStatus, number>>;
  /** Rows waiting and dead letters across all partnerships; costs what waits, not what was ever sent (metrics). */
  outboxDepth(): Promise<{ pending: number; dead: number }>;
  /** Gives back the claims (jobs and outbox rows) of `owner`, or every claim when `owner` is null (a
   * single SQLite instance at start: whoever held them is dead). Rows are due again at once, ahead of
   * newer ones. Returns how many. */
  releaseClaims(owner: string | null): Promise<number>;

  audit(entry: AuditEntry): Promise<void>;
}

export interface Store extends Repo {
  transaction<T>(fn: (tx: Repo) => Promise<T>): Promise<T>;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  readonly dialect: 'sqlite' | 'postgres';
}
