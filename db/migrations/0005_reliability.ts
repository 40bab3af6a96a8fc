// Reliability: claims with leases, so several instances share jobs and outbox rows and a dead
// instance's work is taken over; and a "lane" per conversation, so messages to one conversation go
// out in order, one claim at a time, whichever instance sends them.
import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../schema.ts';
import { laneOf } from '../rows.ts';

export function reliabilityTables(_dialect: SqlDialect): Migration {
  return { up, down };
}

async function up(db: Kysely<any>): Promise<void> {
  // Outbox: a claimed row's lease is its next_attempt_at (it is not due again until the lease ends);
  // claimed_by says who holds it.
  await db.schema.alterTable('outbox').addColumn('lane', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('claimed_by', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('claimed_by', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('lease_until', 'text').execute();

  // Rows waiting to be sent get their lane; sent and dead ones never need one.
  const pending = await db.selectFrom('outbox').select(['seq', 'target']).where('status', '=', 'pending').execute();
  for (const row of pending) {
    await db.updateTable('outbox').set({ lane: laneOf(JSON.parse(String(row.target))) }).where('seq', '=', row.seq).execute();
  }

  // "Is there an earlier pending row in this lane?" costs one index probe.
  await db.schema
    .createIndex('outbox_pending_lane')
    .on('outbox')
    .columns(['lane', 'seq'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  // Dead letters are few: counting them (metrics, status) must not scan every message ever sent.
  await db.schema.createIndex('outbox_dead').on('outbox').column('seq').where(sql.ref('status'), '=', 'dead').execute();
}

async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_dead').ifExists().execute();
  await db.schema.dropIndex('outbox_pending_lane').ifExists().execute();
  await db.schema.alterTable('jobs').dropColumn('lease_until').execute();
  await db.schema.alterTable('jobs').dropColumn('claimed_by').execute();
  await db.schema.alterTable('outbox').dropColumn('claimed_by').execute();
  await db.schema.alterTable('outbox').dropColumn('lane').execute();
}
