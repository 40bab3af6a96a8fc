// The privacy queries: sealing ballots when a poll closes, erasing a member, deleting a partnership,
// retention (polls and consultations), participation and the audit log. Kysely builders only
// (parameters, never string SQL).
// They run on the store's Kysely handle or inside the caller's transaction (see `sqlOf`).
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Message } from '../src/domain/message.ts';
import type { ChatIdentity, Member } from '../src/domain/partnership.ts';
import type { AuditEntry, Repo } from '../src/domain/ports.ts';
import type { PublishedResult } from '../src/domain/privacy.ts';
import type { ConsultationSummary } from '../src/domain/retention.ts';
import { auditRows } from './rows.ts';
import type { Database } from './schema.ts';
import { SqlRepo } from './store.ts';

/** Tables added by migration 0004_privacy (to fold into db/schema.ts). */
export interface PrivacyTables {
  /** Who took part in a closed poll, as keyed hashes (poll, member): never what they answered. */
  poll_participants: { poll_id: string; voter_hash: string };
  /** What a poll's results published, kept once its answers pass retention. */
  poll_summaries: { poll_id: string; respondents: number; summary: string; purged_at: string };
  /** Responses of members who were forgotten: counts per consultation and kind, nobody's name. */
  consultation_tallies: { consultation_id: string; kind: string; count: number };
  /** What stays of a consultation's responses once past retention (0007_retention): counts only. */
  consultation_summaries: { consultation_id: string; asked: number; answered: number; summary: string; purged_at: string };
}

export type PrivacyDb = Kysely<Database & PrivacyTables> | Transaction<Database & PrivacyTables>;

/** The Kysely handle behind a Repo (the store, or the transaction a handler was given). */
export function sqlOf(repo: Repo): PrivacyDb {
  if (!(repo instanceof SqlRepo)) throw new Error('The privacy features need the SQL store (db/store.ts).');
  return repo.db as unknown as PrivacyDb;
}

/** Ballots whose key is random rather than a voter hash: nothing can link them to anyone. */
const SEALED = 'sealed:';

function randomKey(): string {
  return `${SEALED}${randomBytes(16).toString('base64url')}`;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

type AnswerRow = { poll_id: string; voter_hash: string; block: string; sector: string; score: number };

/** Replaces some ballots' keys (same key for one ballot's rows) and writes the poll's rows back in key order. */
async function rekey(db: PrivacyDb, pollId: string, keyFor: (hash: string) => string | null): Promise<number> {
  const rows = await db.selectFrom('poll_answers').selectAll().where('poll_id', '=', pollId).execute();
  const mapped = new Map<string, string>();
  for (const r of rows) {
    if (!mapped.has(r.voter_hash)) mapped.set(r.voter_hash, keyFor(r.voter_hash) ?? r.voter_hash);
  }
  const changed = [...mapped].filter(([from, to]) => from !== to).length;
  if (changed === 0) return 0;
  const next: AnswerRow[] = rows
    .map((r) => ({ ...r, score: Number(r.score), voter_hash: mapped.get(r.voter_hash)! }))
    .sort((a, b) => byCodeUnits(a.voter_hash, b.voter_hash) || byCodeUnits(a.block, b.block));
  await db.deleteFrom('poll_answers').where('poll_id', '=', pollId).execute();
  await db.insertInto('poll_answers').values(next).execute();
  return changed;
}

/**
 * Seals the ballots of the closed polls of a partnership (or several): who took part is kept (as
 * keyed hashes, for `/partner export me`), and each ballot's key becomes random, so even someone
 * holding the database and the server secret can no longer say whose answers are whose. Idempotent.
 */
export async function sealClosedPolls(db: PrivacyDb, partnershipId: string | readonly string[]): Promise<number> {
  const ids = typeof partnershipId === 'string' ? [partnershipId] : [...partnershipId];
  const unsealed: { poll_id: string; voter_hash: string }[] = [];
  // In slices: SQLite caps the parameters of one statement (a digest tick seals for many partnerships).
  for (let i = 0; i < ids.length; i += 200) {
    const rows = await db
      .selectFrom('poll_answers')
      .innerJoin('polls', 'polls.id', 'poll_answers.poll_id')
      .select(['poll_answers.poll_id', 'poll_answers.voter_hash'])
      .distinct()
      .where('polls.partnership_id', 'in', ids.slice(i, i + 200))
      .where('polls.status', '=', 'closed')
      .where('poll_answers.voter_hash', 'not like', `${SEALED}%`)
      .execute();
    unsealed.push(...rows);
  }
  const byPoll = new Map<string, string[]>();
  for (const r of unsealed) byPoll.set(r.poll_id, [...(byPoll.get(r.poll_id) ?? []), r.voter_hash]);
  let sealed = 0;
  for (const [pollId, hashes] of byPoll) {
    await db
      .insertInto('poll_participants')
      .values(hashes.sort(byCodeUnits).map((voter_hash) => ({ poll_id: pollId, voter_hash })))
      .onConflict((oc) => oc.columns(['poll_id', 'voter_hash']).doNothing())
      .execute();
    sealed += await rekey(db, pollId, (hash) => (hash.startsWith(SEALED) ? null : randomKey()));
  }
  return sealed;
}

/** Whether the voter with this keyed hash took part in the poll (open: by their ballot; closed: by the participant list). */
export async function tookPart(db: PrivacyDb, pollId: string, voterHash: string): Promise<boolean> {
  const answer = await db.selectFrom('poll_answers').select('block').where('poll_id', '=', pollId).where('voter_hash', '=', voterHash).limit(1).executeTakeFirst();
  if (answer) return true;
  const row = await db.selectFrom('poll_participants').select('poll_id').where('poll_id', '=', pollId).where('voter_hash', '=', voterHash).executeTakeFirst();
  return row !== undefined;
}

// ---- retention -------------------------------------------------------------------------------------

export async function summaries(db: PrivacyDb, pollIds: readonly string[]): Promise<Map<string, PublishedResult>> {
  if (!pollIds.length) return new Map();
  const rows = await db.selectFrom('poll_summaries').select(['poll_id', 'summary']).where('poll_id', 'in', [...pollIds]).execute();
  return new Map(rows.map((r) => [r.poll_id, JSON.parse(r.summary) as PublishedResult]));
}

/** Keeps only what the poll's results published; its ballots, comments and participant list go. */
export async function reduceToSummary(db: PrivacyDb, pollId: string, summary: PublishedResult, at: string): Promise<void> {
  await db
    .insertInto('poll_summaries')
    .values({ poll_id: pollId, respondents: summary.respondents, summary: JSON.stringify(summary), purged_at: at })
    .onConflict((oc) => oc.column('poll_id').doNothing())
    .execute();
  await db.deleteFrom('poll_answers').where('poll_id', '=', pollId).execute();
  await db.deleteFrom('poll_comments').where('poll_id', '=', pollId).execute();
  await db.deleteFrom('poll_participants').where('poll_id', '=', pollId).execute();
}

/** The kept counts of those consultations whose responses are past retention. */
export async function consultationSummaries(db: PrivacyDb, consultationIds: readonly string[]): Promise<Map<string, ConsultationSummary>> {
  const out = new Map<string, ConsultationSummary>();
  // In slices: SQLite caps the parameters of one statement.
  for (let i = 0; i < consultationIds.length; i += 200) {
    const rows = await db
      .selectFrom('consultation_summaries')
      .select(['consultation_id', 'summary'])
      .where('consultation_id', 'in', consultationIds.slice(i, i + 200))
      .execute();
    for (const r of rows) out.set(r.consultation_id, JSON.parse(r.summary) as ConsultationSummary);
  }
  return out;
}

/** Keeps only a consultation's counts: who answered what, and when, goes. */
export async function reduceConsultation(db: PrivacyDb, consultationId: string, summary: ConsultationSummary, at: string): Promise<void> {
  await db
    .insertInto('consultation_summaries')
    .values({ consultation_id: consultationId, asked: summary.asked, answered: summary.answered, summary: JSON.stringify(summary), purged_at: at })
    .onConflict((oc) => oc.column('consultation_id').doNothing())
    .execute();
  await db.deleteFrom('consultation_responses').where('consultation_id', '=', consultationId).execute();
}

// ---- erasure -----------------------------------------------------------------------------------

/** What stays in place of an erased member's id where a record needs some value. */
export const FORGOTTEN = 'forgotten';

export async function tallies(db: PrivacyDb, consultationId: string): Promise<Record<string, number>> {
  const rows = await db.selectFrom('consultation_tallies').select(['kind', 'count']).where('consultation_id', '=', consultationId).execute();
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.count)]));
}

function sameUser(target: unknown, ids: readonly ChatIdentity[]): boolean {
  const t = target as { kind?: string; platform?: string; workspace?: string; user?: string };
  return t.kind === 'user' && ids.some((i) => i.platform === t.platform && i.workspace === t.workspace && i.user === t.user);
}

/** A message that names the member, with their name (and, beside it, their organisation) taken out
 * of its user-written spans; null when it does not name them. */
function withoutMember(message: Message, m: Member): Message | null {
  const replacements = new Map([[m.name, 'a former member'], [m.organisation, 'their organisation']]);
  let named = false;
  const json = JSON.stringify(message, (key, value: unknown) => {
    if (key === '' || typeof value !== 'object' || value === null) return value;
    const span = value as { text?: unknown; user?: unknown };
    if (span.user !== true || typeof span.text !== 'string' || !replacements.has(span.text)) return value;
    if (span.text === m.name) named = true;
    return { ...span, text: replacements.get(span.text) };
  });
  return named ? (JSON.parse(json) as Message) : null;
}

/**
 * Erases one member: their responses become anonymous counts, a ballot still open is re-keyed at
 * random (it stays counted, nothing links it to them), their participation in closed polls is
 * dropped, records that named them as owner or author keep a placeholder, audit entries lose their
 * id, messages addressed to them are deleted and their name and organisation are taken out of
 * messages kept in the outbox that name them; then the member row goes, and with it their chat identities and responses.
 * `hashOf(pollId)` is their keyed voter hash for a poll.
 */
export async function forgetMember(db: PrivacyDb, m: Member, hashOf: (pollId: string) => string): Promise<void> {
  const counts = await db
    .selectFrom('consultation_responses')
    .select((eb) => ['consultation_id', 'kind', eb.fn.countAll().as('n')])
    .where('member_id', '=', m.id)
    .groupBy(['consultation_id', 'kind'])
    .execute();
  for (const c of counts) {
    await db
      .insertInto('consultation_tallies')
      .values({ consultation_id: c.consultation_id, kind: c.kind, count: Number(c.n) })
      .onConflict((oc) => oc.columns(['consultation_id', 'kind']).doUpdateSet((eb) => ({ count: eb('consultation_tallies.count', '+', Number(c.n)) })))
      .execute();
  }

  const polls = await db.selectFrom('polls').select(['id', 'status']).where('partnership_id', '=', m.partnershipId).execute();
  for (const poll of polls) {
    const mine = hashOf(poll.id);
    await rekey(db, poll.id, (hash) => (hash === mine ? randomKey() : null));
    await db.deleteFrom('poll_participants').where('poll_id', '=', poll.id).where('voter_hash', '=', mine).execute();
  }

  await db.updateTable('consultations').set({ owner_id: FORGOTTEN }).where('owner_id', '=', m.id).execute();
  await db.updateTable('polls').set({ created_by: FORGOTTEN }).where('created_by', '=', m.id).execute();

  const audit = await db.selectFrom('audit_log').select(['id', 'actor_id', 'detail']).where('partnership_id', '=', m.partnershipId).execute();
  for (const a of audit) {
    if (a.actor_id !== m.id && !a.detail.includes(m.id)) continue;
    await db
      .updateTable('audit_log')
      .set({ actor_id: a.actor_id === m.id ? null : a.actor_id, detail: a.detail.split(m.id).join('(a forgotten member)') })
      .where('id', '=', a.id)
      .execute();
  }

  const outbox = await db.selectFrom('outbox').select(['id', 'target', 'message']).where('partnership_id', '=', m.partnershipId).execute();
  for (const row of outbox) {
    if (sameUser(JSON.parse(row.target), m.identities)) {
      await db.deleteFrom('outbox').where('id', '=', row.id).execute();
      continue;
    }
    const cleaned = withoutMember(JSON.parse(row.message) as Message, m);
    if (cleaned) await db.updateTable('outbox').set({ message: JSON.stringify(cleaned) }).where('id', '=', row.id).execute();
  }

  await db.deleteFrom('members').where('id', '=', m.id).execute();
}

/** Deletes a partnership and everything it holds: its own rows cascade; outbox and audit rows are
 * not tied by a foreign key, so they go explicitly. */
export async function deletePartnership(db: PrivacyDb, partnershipId: string): Promise<void> {
  await db.deleteFrom('outbox').where('partnership_id', '=', partnershipId).execute();
  await db.deleteFrom('audit_log').where('partnership_id', '=', partnershipId).execute();
  await db.deleteFrom('jobs').where('partnership_id', '=', partnershipId).execute();
  await db.deleteFrom('partnerships').where('id', '=', partnershipId).execute();
}

// ---- audit log -------------------------------------------------------------------------------------

/** A partnership's latest audit entries, newest first. */
export async function auditLog(db: PrivacyDb, partnershipId: string, limit: number): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('partnership_id', '=', partnershipId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => {
    const { id: _id, ...entry } = auditRows.fromRow(r);
    return entry;
  });
}
