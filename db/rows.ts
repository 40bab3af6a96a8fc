// Rows <-> domain records. Each table's mapping is written once, field by field, and serves both
// directions. Instants are written in canonical ISO form (see `instant`) so that text comparison is
// time comparison in both dialects; structured values are JSON text.
import type { Consultation, ConsultationResponse } from '../src/domain/consultation.ts';
import { DEFAULT_SETTINGS, type ChannelRef, type ChatIdentity, type Member, type Partnership, type Platform, type Target } from '../src/domain/partnership.ts';
import type { AuditEntry, Job, OutboxRow } from '../src/domain/ports.ts';
import type { Poll } from '../src/domain/pulse.ts';
import type {
  AuditLogTable,
  ChannelsTable,
  ConsultationResponsesTable,
  ConsultationsTable,
  JobsTable,
  MemberIdentitiesTable,
  MembersTable,
  OutboxTable,
  PartnershipsTable,
  PollsTable,
} from './schema.ts';

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

/** How a field's value is kept in its column when it is not kept as it is. */
interface Codec<V> {
  write(value: V): unknown;
  read(stored: unknown): V;
}

const asInstant: Codec<string> = { write: instant, read: readInstant };
const asInstantOrNull: Codec<string | null> = {
  write: (v) => (v === null ? null : instant(v)),
  read: (s) => (s === null || s === undefined ? null : readInstant(s)),
};
// Integer columns may come back from a driver as text (e.g. pg's bigint counts).
const asNumber: Codec<number> = { write: (n) => n, read: Number };
function asJson<V>(): Codec<V> {
  return { write: (v) => JSON.stringify(v), read: (s) => JSON.parse(String(s)) as V };
}
const asSettings: Codec<Partnership['settings']> = {
  write: (v) => JSON.stringify(v),
  // Settings added after a partnership was created take their defaults.
  read: (s) => ({ ...DEFAULT_SETTINGS, ...(JSON.parse(String(s)) as Partial<Partnership['settings']>) }),
};

/** A field's column, and its codec unless the value is stored as it is. */
type Column<V, Row> = (keyof Row & string) | readonly [keyof Row & string, Codec<V>];

export interface RowMapping<T, Row> {
  toRow(value: T): Row;
  fromRow(row: Row): T;
}

/**
 * Both directions from one list: every field of T names its column. Row must hold exactly those
 * columns (Omit/Pick the ones kept elsewhere), since `toRow` fills only them.
 */
function mapping<T, Row>(columns: { [K in keyof T]-?: Column<T[K], Row> }): RowMapping<T, Row> {
  const fields = Object.entries(columns) as [keyof T & string, Column<unknown, Row>][];
  // Plain loops, not Object.fromEntries over mapped pairs: a tick maps tens of thousands of rows.
  return {
    toRow: (value) => {
      const row: Record<string, unknown> = {};
      for (const [field, c] of fields) {
        if (typeof c === 'string') row[c] = value[field];
        else row[c[0]] = c[1].write(value[field]);
      }
      return row as Row;
    },
    fromRow: (row) => {
      const value: Record<string, unknown> = {};
      for (const [field, c] of fields) value[field] = typeof c === 'string' ? row[c] : c[1].read(row[c[0]]);
      return value as T;
    },
  };
}

export const partnershipRows = mapping<Partnership, PartnershipsTable>({
  id: 'id',
  name: 'name',
  purpose: 'purpose',
  timezone: 'timezone',
  region: 'region',
  settings: ['settings', asSettings],
  reviewDate: 'review_date',
  lastReviewAt: ['last_review_at', asInstantOrNull],
  status: 'status',
  createdAt: ['created_at', asInstant],
  retentionMonths: ['retention_months', asNumber],
});

export const channelRows = mapping<ChannelRef, Omit<ChannelsTable, 'partnership_id'>>({
  platform: 'platform',
  workspace: 'workspace',
  channel: 'channel',
});

/** A member's identities live in member_identities (see `identityRows`). */
export const memberRows = mapping<Omit<Member, 'identities'>, MembersTable>({
  id: 'id',
  partnershipId: 'partnership_id',
  name: 'name',
  roles: ['roles', asJson()],
  sector: 'sector',
  organisation: 'organisation',
  joinedAt: ['joined_at', asInstant],
});

export const identityRows = mapping<ChatIdentity, Pick<MemberIdentitiesTable, 'platform' | 'workspace' | 'user_id'>>({
  platform: 'platform',
  workspace: 'workspace',
  user: 'user_id',
});

export const consultationRows = mapping<Consultation, ConsultationsTable>({
  id: 'id',
  partnershipId: 'partnership_id',
  title: 'title',
  link: 'link',
  ownerId: 'owner_id',
  openedAt: ['opened_at', asInstant],
  deadline: 'deadline',
  audience: ['audience', asJson()],
  status: 'status',
  feedback: 'feedback',
  feedbackAt: ['feedback_at', asInstantOrNull],
});

export const responseRows = mapping<ConsultationResponse, ConsultationResponsesTable>({
  consultationId: 'consultation_id',
  memberId: 'member_id',
  kind: 'kind',
  proposedDate: 'proposed_date',
  at: ['at', asInstant],
});

export const pollRows = mapping<Poll, PollsTable>({
  id: 'id',
  partnershipId: 'partnership_id',
  form: 'form',
  openedAt: ['opened_at', asInstant],
  closesAt: ['closes_at', asInstant],
  status: 'status',
  k: ['k', asNumber],
  createdBy: 'created_by',
});

/** done_at and the claim are the scheduler's own bookkeeping, not part of a Job. */
export const jobRows = mapping<Job, Omit<JobsTable, 'done_at' | 'claimed_by' | 'lease_until'>>({
  id: 'id',
  kind: 'kind',
  partnershipId: 'partnership_id',
  ref: 'ref',
  step: 'step',
  dueAt: ['due_at', asInstant],
});

/** seq is assigned by the database; lane and claimed_by are the dispatcher's bookkeeping. */
export const outboxRows = mapping<OutboxRow, Omit<OutboxTable, 'seq' | 'lane' | 'claimed_by'>>({
  id: 'id',
  key: 'key',
  partnershipId: 'partnership_id',
  target: ['target', asJson()],
  message: ['message', asJson()],
  status: 'status',
  attempts: ['attempts', asNumber],
  createdAt: ['created_at', asInstant],
  nextAttemptAt: ['next_attempt_at', asInstant],
  sentAt: ['sent_at', asInstantOrNull],
  lastError: 'last_error',
});

export const auditRows = mapping<AuditEntry & { id: string }, AuditLogTable>({
  id: 'id',
  partnershipId: 'partnership_id',
  actorId: 'actor_id',
  action: 'action',
  detail: 'detail',
  at: ['at', asInstant],
});

/** The lanes of one workspace of a platform start with this (parts are URI-encoded, so never contain "|"). */
export function workspaceLanePrefix(platform: Platform, workspace: string): string {
  return `${platform}|${encodeURIComponent(workspace)}|`;
}

/** The conversation a message goes to: a channel, or a person's direct messages with the bot. */
export function laneOf(target: Target): string {
  const id = target.kind === 'channel' ? target.channel : target.user;
  return `${workspaceLanePrefix(target.platform, target.workspace)}${target.kind}|${encodeURIComponent(id)}`;
}
