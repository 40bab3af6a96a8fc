// Queries built and compiled by Kysely once, then run with new values. Building and compiling a
// query costs Kysely about as long as SQLite takes to run a small one, and a pulse button press runs
// three: those few are prepared (db/hot-queries.ts). The SQL is still Kysely's own, with every value
// a parameter. Compiled once per dialect, on a database without Kysely plugins (as db/connect.ts opens
// it); on one with plugins (a test watching queries) each run builds the query afresh, so that every
// plugin sees, and may rewrite, it as it would any other query.
import type { CompiledQuery, Compilable, Kysely, Transaction } from 'kysely';
import type { Database, SqlDialect } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Stands in for a named value while the query is compiled: no real value looks like it. */
const HOLE = '\u0000partnerbot-value:';

export interface Prepared<A extends string, R> {
  /** Runs the query on `db` (the store or a transaction) with these values. */
  run(db: Db, dialect: SqlDialect, values: Record<A, unknown>): Promise<R[]>;
}

/**
 * `build(db, value)` builds the query with `value(name)` wherever a value goes; the result is
 * compiled once per dialect. Every stand-in must reach the parameters as it is (a plain equality,
 * an inserted or updated value), which `run` checks on first use.
 */
export function prepared<A extends string, R>(build: (db: Db, value: (name: A) => never) => Compilable<R>, names: readonly A[]): Prepared<A, R> {
  const compiled = new Map<SqlDialect, { query: CompiledQuery<R>; slots: (A | null)[] }>();
  const value = (name: A) => `${HOLE}${name}` as never;
  return {
    async run(db, dialect, values) {
      if (db.getExecutor().plugins.length) return (await db.executeQuery(build(db, (name) => values[name] as never))).rows;
      let c = compiled.get(dialect);
      if (!c) {
        const query = build(db, value).compile();
        const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(HOLE) ? (p.slice(HOLE.length) as A) : null));
        const missing = names.filter((n) => !slots.includes(n));
        if (missing.length) throw new Error(`prepared query: ${missing.join(', ')} did not become parameters of ${query.sql}`);
        compiled.set(dialect, (c = { query, slots }));
      }
      const { query, slots } = c;
      const parameters = slots.map((slot, i) => (slot === null ? query.parameters[i] : values[slot]));
      return (await db.executeQuery<R>({ ...query, parameters })).rows;
    },
  };
}
