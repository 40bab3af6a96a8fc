// The dialects a reliability test runs on: SQLite always; PostgreSQL when it answers (always under
// CI=true), with a way to open a second store on the same schema (a second instance).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../db/connect.ts';
import type { SqlStore } from '../../../db/store.ts';
import { postgresAnswers, TEST_DATABASE_URL } from '../../../db/testing.ts';

export interface SharedDb {
  store: SqlStore;
  /** Another connection pool on the same database: a second instance (PostgreSQL), or the same store (SQLite, one instance). */
  another(): Promise<SqlStore>;
  dispose(): Promise<void>;
}

const CI = process.env.CI === 'true';
export const postgresUp = await postgresAnswers();
if (!postgresUp && !CI) console.warn(`PostgreSQL does not answer at ${TEST_DATABASE_URL}: reliability tests run on SQLite only.`);

async function sqlite(): Promise<SharedDb> {
  const dir = mkdtempSync(join(tmpdir(), 'partnerbot-rel-'));
  const store = await openStore(join(dir, 'rel.sqlite'));
  return {
    store,
    another: async () => store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgres(): Promise<SharedDb> {
  const schema = `rel_${process.pid}_${randomBytes(4).toString('hex')}`;
  const store = await openStore(TEST_DATABASE_URL, { schema });
  const others: SqlStore[] = [];
  return {
    store,
    another: async () => {
      const other = await openStore(TEST_DATABASE_URL, { schema });
      others.push(other);
      return other;
    },
    dispose: async () => {
      for (const o of others) await o.close();
      await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await store.close();
    },
  };
}

export const DIALECTS = [
  { name: 'sqlite', open: sqlite },
  ...(postgresUp || CI ? [{ name: 'postgres', open: postgres }] : []),
];
