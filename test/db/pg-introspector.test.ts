// Starting (migrating) on PostgreSQL while other connections create and drop schemas: Kysely's own
// introspector failed about one call in a hundred ("schema ... does not exist", a schema somebody
// else just dropped), which failed parallel test runs and would fail an instance starting beside
// another deployment's clean-up. The store's introspector must never fail that way.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresTestStore, postgresAnswers, TEST_DATABASE_URL, type TestStore } from '../../db/testing.ts';

const CI = process.env.CI === 'true';
const postgresUp = await postgresAnswers();

/** Creates and drops schemas (with a serial column, as the old query looked those up) until stopped. */
function churn(tag: string): { stop: () => Promise<number> } {
  let stopping = false;
  let cycles = 0;
  const done = (async () => {
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    try {
      while (!stopping) {
        const s = `churn_${process.pid}_${tag}_${cycles++}`;
        await c.query(`create schema ${s}`);
        await c.query(`create table ${s}.t (id serial primary key, v text)`);
        await c.query(`drop schema ${s} cascade`);
      }
    } finally {
      await c.end();
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await done;
      return cycles;
    },
  };
}

describe.runIf(postgresUp || CI)('PostgreSQL introspection while schemas come and go', () => {
  let ts: TestStore;
  beforeAll(async () => {
    ts = await openPostgresTestStore();
  });
  afterAll(async () => ts?.dispose());

  it('finds the store\'s own tables, and never fails on a schema dropped meanwhile', async () => {
    const churners = [churn('a'), churn('b')];
    let calls = 0;
    const failures: string[] = [];
    const until = Date.now() + 2500;
    try {
      // At least 20 calls however slow the catalog (a parallel test run makes it large), at most 2000.
      while ((Date.now() < until || calls < 20) && calls < 2000) {
        calls++;
        try {
          const tables = await ts.store.db.introspection.getTables();
          const own = tables.filter((t) => t.name === 'kysely_migration');
          expect(own.length).toBeGreaterThanOrEqual(1);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    } finally {
      const cycles = await Promise.all(churners.map((c) => c.stop()));
      // The churn really happened alongside (else the test proves nothing).
      expect(cycles[0]! + cycles[1]!).toBeGreaterThan(20);
    }
    expect(calls).toBeGreaterThanOrEqual(20);
    expect(failures).toEqual([]);
  });

  it('describes columns as the migrator and tools expect', async () => {
    const tables = await ts.store.db.introspection.getTables();
    const current = (await ts.store.db.selectNoFrom((eb) => eb.fn<string>('current_schema').as('s')).executeTakeFirstOrThrow()).s;
    const migrations = tables.find((t) => t.name === 'kysely_migration' && t.schema === current);
    expect(migrations?.isView).toBe(false);
    const name = migrations?.columns.find((c) => c.name === 'name');
    expect(name).toMatchObject({ dataType: 'varchar', isNullable: false, isAutoIncrementing: false });
    expect((await ts.store.db.introspection.getSchemas()).map((s) => s.name)).toContain(current);
  });

  it('opens and migrates fresh stores while schemas come and go', async () => {
    const churners = [churn('c'), churn('d')];
    const opened: TestStore[] = [];
    try {
      for (let i = 0; i < 6; i++) opened.push(await openPostgresTestStore());
    } finally {
      await Promise.all(churners.map((c) => c.stop()));
      for (const o of opened) await o.dispose();
    }
    expect(opened).toHaveLength(6);
  }, 60_000);
});
