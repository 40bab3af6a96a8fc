// Throwaway stores for tests and benchmarks: a temporary SQLite file, or a fresh PostgreSQL schema.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from './connect.ts';
import type { SqlStore } from './store.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStore {
  store: SqlStore;
  /** Closes the store and removes its file or schema. */
  dispose(): Promise<void>;
}

/** A migrated SQLite store in a fresh temporary folder (a real file, so WAL is exercised). */
export async function openSqliteTestStore(): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'partnerbot-db-'));
  const store = await openStore(join(dir, 'test.sqlite'));
  return {
    store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A migrated PostgreSQL store in a new uniquely named schema, dropped by `dispose`. */
export async function openPostgresTestStore(url = TEST_DATABASE_URL): Promise<TestStore> {
  const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const store = await openStore(url, { schema });
  return {
    store,
    dispose: async () => {
      try {
        await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
      } finally {
        await store.close();
      }
    },
  };
}

/** Whether a PostgreSQL server answers at `url` (within a few seconds). */
export async function postgresAnswers(url = TEST_DATABASE_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
