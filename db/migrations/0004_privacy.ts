// Privacy: who took part in a closed poll (keyed hashes only), the aggregates kept once answers pass
// retention, anonymous response counts left by members who were forgotten, and, on PostgreSQL,
// triggers that keep the physical order of poll answers and comments unrelated to when they came.
import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../schema.ts';

export function privacyTables(dialect: SqlDialect): Migration {
  return {
    up: (db) => up(db, dialect),
    down: (db) => down(db, dialect),
  };
}

/** Tables whose rows must not be stored in the order people answered. */
export const ANONYMOUS_TABLES = [
  { table: 'poll_answers', order: 'poll_id, voter_hash, block' },
  { table: 'poll_comments', order: 'poll_id, id' },
] as const;

async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  const sqlite = dialect === 'sqlite';

  // Written once, in one sorted batch, when a poll's ballots are sealed at close (see db/privacy-store.ts).
  let participants = db.schema
    .createTable('poll_participants')
    .addColumn('poll_id', 'text', (c) => c.notNull().references('polls.id').onDelete('cascade'))
    .addColumn('voter_hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('poll_participants_pk', ['poll_id', 'voter_hash']);
  if (sqlite) participants = participants.modifyEnd(sql`without rowid`);
  await participants.execute();

  await db.schema
    .createTable('poll_summaries')
    .addColumn('poll_id', 'text', (c) => c.primaryKey().notNull().references('polls.id').onDelete('cascade'))
    .addColumn('respondents', 'integer', (c) => c.notNull())
    /** JSON of PublishedResult: only what the results showed. */
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('purged_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('consultation_tallies')
    .addColumn('consultation_id', 'text', (c) => c.notNull().references('consultations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('consultation_tallies_pk', ['consultation_id', 'kind'])
    .execute();

  if (!sqlite) {
    // PostgreSQL appends new row versions to the heap and stamps each with its transaction id (xmin),
    // so ctid order and xmin would replay the order of voting. After every statement that writes a
    // poll's answers (or comments), rewrite all of that poll's rows in key order in the same
    // transaction: afterwards they sit in hash order and all carry one xmin. (SQLite's WITHOUT ROWID
    // tables already live in key order and have no such column.) A poll has tens of rows, so the
    // rewrite is cheap. The depth check stops the rewrite from triggering itself.
    for (const { table, order } of ANONYMOUS_TABLES) {
      await sql`
        create function ${sql.raw(`${table}_in_key_order`)}() returns trigger language plpgsql as $$
        begin
          if pg_trigger_depth() > 1 then return null; end if;
          with gone as (delete from ${sql.raw(table)} where poll_id in (select distinct poll_id from changed) returning *)
          insert into ${sql.raw(table)} select * from gone order by ${sql.raw(order)};
          return null;
        end $$`.execute(db);
      for (const event of ['insert', 'update'] as const) {
        await sql`
          create trigger ${sql.raw(`${table}_${event}_in_key_order`)} after ${sql.raw(event)} on ${sql.raw(table)}
          referencing new table as changed for each statement execute function ${sql.raw(`${table}_in_key_order`)}()`.execute(db);
      }
    }
  }
}

async function down(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  if (dialect === 'postgres') {
    for (const { table } of ANONYMOUS_TABLES) {
      for (const event of ['insert', 'update'] as const) {
        await sql`drop trigger if exists ${sql.raw(`${table}_${event}_in_key_order`)} on ${sql.raw(table)}`.execute(db);
      }
      await sql`drop function if exists ${sql.raw(`${table}_in_key_order`)}()`.execute(db);
    }
  }
  for (const table of ['consultation_tallies', 'poll_summaries', 'poll_participants']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
