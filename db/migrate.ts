// Runs the numbered migrations (a static provider: no file-system imports) up to the latest.
import { Migrator, PostgresAdapter, SqliteAdapter, sql, type Kysely } from 'kysely';
import { migrationProvider } from './migrations/index.ts';
import type { SqlDialect } from './schema.ts';

/** The dialect a Kysely instance speaks, from its adapter. */
export function dialectOf(db: Kysely<any>): SqlDialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  if (adapter instanceof PostgresAdapter) return 'postgres';
  throw new Error(`Unsupported database adapter ${adapter.constructor.name}: partnerbot runs on SQLite or PostgreSQL.`);
}

/** Migrates to the latest version; returns the names of the migrations that ran (empty when up to date). */
export async function migrateToLatest(db: Kysely<any>, dialect: SqlDialect = dialectOf(db)): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider(dialect),
    // On PostgreSQL, pin the bookkeeping tables to the schema in use: Kysely otherwise finds a
    // kysely_migration table in any schema of the database and skips creating ours.
    ...(dialect === 'postgres' ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    const which = failed ? `migration ${failed.migrationName}` : 'migrations';
    throw new Error(`Database ${which} failed: ${reason}`, { cause: error });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

async function currentSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('PostgreSQL has no current schema: check the search_path of the database user.');
  return schema;
}
