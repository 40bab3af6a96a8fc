// The Kysely `Database` type: one source of truth for table shapes.
// Portable column types only (text, integer, real). Instants are canonical ISO-8601 UTC text
// ("2026-12-01T09:30:00.000Z"), so text comparison is time comparison in both dialects;
// calendar dates are "YYYY-MM-DD" text; structured values are JSON text.
import type { Generated } from 'kysely';

export interface PartnershipsTable {
  id: string;
  name: string;
  purpose: string;
  timezone: string;
  region: string;
  /** JSON of PartnershipSettings. */
  settings: string;
  review_date: string | null;
  last_review_at: string | null;
  status: string;
  created_at: string;
  /** Months poll answers and consultation responses are kept after closing (0007_retention). */
  retention_months: number;
}

/** A channel belongs to one partnership at most: the primary key is the channel itself. */
export interface ChannelsTable {
  platform: string;
  workspace: string;
  channel: string;
  partnership_id: string;
}

export interface MembersTable {
  id: string;
  partnership_id: string;
  name: string;
  /** JSON array of roles. */
  roles: string;
  sector: string;
  organisation: string;
  joined_at: string;
}

/** One row per chat identity of a member; `position` keeps their order (0 = preferred DM target). */
export interface MemberIdentitiesTable {
  partnership_id: string;
  platform: string;
  workspace: string;
  user_id: string;
  member_id: string;
  position: number;
}

export interface ConsultationsTable {
  id: string;
  partnership_id: string;
  title: string;
  link: string | null;
  owner_id: string;
  opened_at: string;
  deadline: string;
  /** JSON of Audience. */
  audience: string;
  status: string;
  feedback: string | null;
  feedback_at: string | null;
}

export interface ConsultationResponsesTable {
  consultation_id: string;
  member_id: string;
  kind: string;
  proposed_date: string | null;
  at: string;
}

export interface PollsTable {
  id: string;
  partnership_id: string;
  form: string;
  opened_at: string;
  closes_at: string;
  status: string;
  k: number;
  created_by: string;
}

/**
 * Anonymous by construction: keyed by (poll, voter hash, block). No member id, no time, no
 * surrogate id; on SQLite a WITHOUT ROWID table, so rows live in key order, not insertion order.
 */
export interface PollAnswersTable {
  poll_id: string;
  voter_hash: string;
  block: string;
  sector: string;
  score: number;
}

/** Keyed by a random id chosen by the store: nothing links a comment to a voter or a time. */
export interface PollCommentsTable {
  poll_id: string;
  id: string;
  text: string;
}

export interface JobsTable {
  id: string;
  kind: string;
  partnership_id: string;
  ref: string;
  step: string;
  due_at: string;
  /** Null while pending. */
  done_at: string | null;
  /** The instance running it (a claim), until lease_until; after that anyone may take it over. */
  claimed_by: string | null;
  lease_until: string | null;
}

export interface OutboxTable {
  /** Insertion sequence, so messages from one decision go out in the order they were made. */
  seq: Generated<number>;
  id: string;
  key: string;
  partnership_id: string | null;
  /** JSON of Target. */
  target: string;
  /** JSON of Message. */
  message: string;
  status: string;
  attempts: number;
  created_at: string;
  next_attempt_at: string;
  sent_at: string | null;
  last_error: string | null;
  /** The conversation (see laneOf in rows.ts): rows of one lane are sent in seq order, one at a time. */
  lane: string | null;
  /** The instance sending it; while claimed, next_attempt_at is the end of the claim's lease. */
  claimed_by: string | null;
}

export interface AuditLogTable {
  id: string;
  partnership_id: string | null;
  actor_id: string | null;
  action: string;
  detail: string;
  at: string;
}

export interface Database {
  partnerships: PartnershipsTable;
  channels: ChannelsTable;
  members: MembersTable;
  member_identities: MemberIdentitiesTable;
  consultations: ConsultationsTable;
  consultation_responses: ConsultationResponsesTable;
  polls: PollsTable;
  poll_answers: PollAnswersTable;
  poll_comments: PollCommentsTable;
  jobs: JobsTable;
  outbox: OutboxTable;
  audit_log: AuditLogTable;
}

export type SqlDialect = 'sqlite' | 'postgres';
