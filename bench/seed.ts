// Bulk seeding straight through Kysely (multi-row INSERTs in one transaction), with the store's own
// row mappings, so a benchmark measures the work it is about and not the seeding.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { channelRows, identityRows, jobRows, laneOf, memberRows, outboxRows, partnershipRows } from '../db/rows.ts';
import type { Database } from '../db/schema.ts';
import type { SqlStore } from '../db/store.ts';
import { message, para, t } from '../src/domain/message.ts';
import type { Member, Partnership, Target } from '../src/domain/partnership.ts';
import type { Job } from '../src/domain/ports.ts';
import { member, partnership } from '../test/support/fixtures.ts';

/** Bound parameters per statement, well under SQLite's limit (32766) and PostgreSQL's (65535). */
const MAX_PARAMS = 30_000;

export type Rows = { [T in keyof Database]?: Record<string, unknown>[] };

/** Inserts the rows of each table (in the order given), in slices that fit a statement. */
export async function insertAll(db: Kysely<Database>, rows: Rows): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const [table, list] of Object.entries(rows) as [keyof Database, Record<string, unknown>[]][]) {
      if (!list.length) continue;
      const per = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(list[0]!).length));
      for (let i = 0; i < list.length; i += per) {
        await tx.insertInto(table).values(list.slice(i, i + per) as never).execute();
      }
    }
  });
}

export function add(into: Rows, table: keyof Database, ...rows: Record<string, unknown>[]): void {
  (into[table] ??= []).push(...rows);
}

export function partnershipRow(p: Partnership): Record<string, unknown> {
  return partnershipRows.toRow(p) as unknown as Record<string, unknown>;
}

/** A member's row and their identity rows. */
export function memberRowsOf(m: Member): { member: Record<string, unknown>; identities: Record<string, unknown>[] } {
  const { identities, ...rest } = m;
  return {
    member: memberRows.toRow(rest) as unknown as Record<string, unknown>,
    identities: identities.map((identity, position) => ({ ...identityRows.toRow(identity), partnership_id: m.partnershipId, member_id: m.id, position })),
  };
}

export function channelRow(partnershipId: string, ch: { platform: 'slack' | 'teams' | 'local'; workspace: string; channel: string }): Record<string, unknown> {
  return { ...channelRows.toRow(ch), partnership_id: partnershipId };
}

export function jobRow(job: Omit<Job, 'id'>, doneAt: string | null): Record<string, unknown> {
  return { ...jobRows.toRow({ ...job, id: randomUUID() }), done_at: doneAt, claimed_by: null, lease_until: null };
}

const SENT = message('Weekly digest', para(t('Nothing due this week.')));

/** An outbox row already sent (history: it is never due again). */
export function sentOutboxRow(key: string, partnershipId: string, target: Target, at: string): Record<string, unknown> {
  return {
    ...outboxRows.toRow({ id: randomUUID(), key, partnershipId, target, message: SENT, status: 'sent', attempts: 1, createdAt: at, nextAttemptAt: at, sentAt: at, lastError: null }),
    lane: laneOf(target),
    claimed_by: null,
  };
}

export { member, partnership };

/** Planner statistics, as a long-running database has them (autovacuum on PostgreSQL). */
export async function analyze(store: SqlStore): Promise<void> {
  await sql`analyze`.execute(store.db);
}
