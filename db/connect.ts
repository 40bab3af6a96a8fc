// DATABASE_URL -> a migrated Store: SQLite (better-sqlite3, the default) or PostgreSQL (pg).
import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrate.ts';
import { SafePostgresDialect } from './pg-introspector.ts';
import type { Database } from './schema.ts';
import { SqlStore } from './store.ts';
import { checkpointInBackground } from './wal-checkpoints.ts';

export const DEFAULT_SQLITE_PATH = './data/partnerbot.sqlite';

const ACCEPTED_FORMS =
  'leave it unset for ./data/partnerbot.sqlite, or use a file path (e.g. ./data/partnerbot.sqlite), ' +
  'sqlite:PATH, sqlite://PATH, sqlite::memory:, or postgres://user:password@host:5432/database (postgresql:// also works)';

export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export interface OpenStoreOptions {
  /** PostgreSQL only: use (and create if missing) this schema instead of the default search_path. */
  schema?: string;
}

/** Reads a DATABASE_URL; throws an Error naming the value and the accepted forms when it is neither. */
export function parseDatabaseUrl(url: string | undefined): DatabaseTarget {
  const value = url?.trim() ?? '';
  if (value === '') return { kind: 'sqlite', path: DEFAULT_SQLITE_PATH };
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', url: value };
  const sqlite = /^sqlite:(\/\/)?(.*)$/i.exec(value);
  if (sqlite) {
    const path = sqlite[2] ?? '';
    if (path === '') throw new Error(`DATABASE_URL "${value}" names no SQLite file: ${ACCEPTED_FORMS}.`);
    return { kind: 'sqlite', path };
  }
  if (value === ':memory:') return { kind: 'sqlite', path: ':memory:' };
  // Any other scheme is a mistake, not a file name (one letter is a Windows drive, e.g. C:\data).
  if (/^[a-z][a-z0-9+.-]+:/i.test(value)) {
    throw new Error(`Unsupported DATABASE_URL "${redact(value)}": ${ACCEPTED_FORMS}.`);
  }
  return { kind: 'sqlite', path: value };
}

/** Opens the database named by `url` (see parseDatabaseUrl) and migrates it to the latest version. */
export async function openStore(url: string | undefined, opts: OpenStoreOptions = {}): Promise<SqlStore> {
  const store = await connect(url, opts);
  try {
    await migrateToLatest(store.db, store.dialect);
    return store;
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}

/** Opens and checks the connection without migrating (for `npm run migrate`, which reports what ran). */
export async function connect(url: string | undefined, opts: OpenStoreOptions = {}): Promise<SqlStore> {
  const target = parseDatabaseUrl(url);
  if (target.kind === 'sqlite') return openSqlite(target.path);
  const store = openPostgres(target.url, opts.schema);
  try {
    if (opts.schema) await store.db.schema.createSchema(opts.schema).ifNotExists().execute();
    else await store.db.selectNoFrom(sql<number>`1`.as('one')).execute();
    return store;
  } catch (err) {
    await store.close().catch(() => undefined);
    const reason = err instanceof Error && err.message ? err.message : String((err as { code?: unknown })?.code ?? err);
    throw new Error(`Cannot use PostgreSQL at ${redact(target.url)}: ${reason}`, { cause: err });
  }
}

function openSqlite(path: string): SqlStore {
  const memory = path === ':memory:';
  if (!memory) {
    const dir = dirname(resolve(path));
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
    } catch (err) {
      throw new Error(
        `Cannot use the SQLite database ${path}: its folder ${dir} cannot be created or written (${(err as Error).message}). Set DATABASE_URL to a writable location.`,
        { cause: err },
      );
    }
  }
  let sqlite: SQLite.Database | undefined;
  try {
    sqlite = new SQLite(path);
    // WAL lets readers and the writer work at once; NORMAL sync is safe with WAL.
    if (!memory) {
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
    }
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
  } catch (err) {
    sqlite?.close();
    throw new Error(`Cannot open the SQLite database ${path}: ${(err as Error).message}`, { cause: err });
  }
  // Checkpoints (copying the WAL back, with two fsyncs) are taken off the event loop: see wal-checkpoints.ts.
  const checkpoints = memory ? null : checkpointInBackground(sqlite, path);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite, () => checkpoints?.stop()) }) });
  return new SqlStore(db, 'sqlite');
}

const STATEMENT_CACHE_SIZE = 500;
/** Longer SQL (bulk inserts) is rarely repeated verbatim and is cheap to prepare relative to running it. */
const MAX_CACHED_SQL_LENGTH = 16_384;

/**
 * Kysely's SqliteDriver prepares every query afresh; preparing costs about as much as running a
 * small query. This hands it one prepared statement per SQL text instead (least recently used
 * dropped past STATEMENT_CACHE_SIZE). Safe because the driver runs one query at a time on the
 * connection, and better-sqlite3 re-prepares a statement itself after a schema change.
 */
function cachingStatements(sqlite: SQLite.Database, beforeClose: () => void): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      beforeClose();
      sqlite.close();
    },
    prepare(text: string) {
      if (text.length > MAX_CACHED_SQL_LENGTH) return sqlite.prepare(text);
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text); // re-inserted below: most recently used last
      } else {
        stmt = sqlite.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

/** bigint (count(*)) and numeric come back from pg as strings; the store's numbers are small. */
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function openPostgres(url: string, schema: string | undefined): SqlStore {
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`PostgreSQL schema name "${schema}" is not allowed: use letters, digits and underscores (at most 63).`);
  }
  const pool = new pg.Pool({ connectionString: url, max: 10, types: pgTypes });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (err) => console.error(`PostgreSQL connection error (will reconnect): ${err.message}`));
  // Safe: the migrator's table checks must not fail when another schema is dropped meanwhile.
  const dialect = new SafePostgresDialect({
    pool,
    ...(schema
      ? {
          // Every new connection works in the given schema only, so nothing lands in public.
          onCreateConnection: async (conn) => {
            await conn.executeQuery(
              CompiledQuery.raw(`select set_config('search_path', $1, false)`, [`"${schema}"`]),
            );
          },
        }
      : {}),
  });
  return new SqlStore(new Kysely<Database>({ dialect }), 'postgres');
}

/** A URL with its password masked, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
