// The outbox's multi-row INSERT, built and compiled by Kysely once per dialect and row count, then
// run with each batch's values. A tick can write 10k nudges, and building a 200-row INSERT value by
// value costs Kysely about as long as SQLite takes to run it. The SQL is still Kysely's own, with
// every value a parameter, and a row whose key exists already is skipped (one decision, one row).
import type { CompiledQuery, Kysely, Transaction } from 'kysely';
import type { Database, OutboxTable, SqlDialect } from './schema.ts';

/** What a new row sets: seq is generated; sent_at, last_error and claimed_by start NULL. */
const COLUMNS = ['id', 'key', 'partnership_id', 'target', 'message', 'status', 'attempts', 'created_at', 'next_attempt_at', 'lane'] as const;
type Column = (typeof COLUMNS)[number];
export type NewOutboxRow = { [C in Column]: OutboxTable[C] };

/** Stands in for a row's value while the query is compiled: no real value looks like it. */
const HOLE = '\u0000outbox-row:';

interface Compiled {
  query: CompiledQuery;
  /** For each parameter, the row and column whose value it takes. */
  slots: [number, Column][];
}

const compiled = new Map<string, Compiled>();

function compile(db: Kysely<Database> | Transaction<Database>, n: number): Compiled {
  const template = Array.from({ length: n }, (_, i) => Object.fromEntries(COLUMNS.map((c) => [c, `${HOLE}${i}:${c}`])) as unknown as NewOutboxRow);
  const query = db
    .insertInto('outbox')
    .values(template)
    .onConflict((oc) => oc.column('key').doNothing())
    .compile();
  const slots = query.parameters.map((p): [number, Column] => {
    const m = typeof p === 'string' && p.startsWith(HOLE) ? /^(\d+):(.+)$/.exec(p.slice(HOLE.length)) : null;
    if (!m) throw new Error(`outbox insert: parameter ${String(p)} is not a row value in ${query.sql}`);
    return [Number(m[1]), m[2] as Column];
  });
  return { query, slots };
}

/** Inserts the rows (at most a few hundred: mind the parameter caps) and returns how many were new. */
export async function insertOutboxRows(db: Kysely<Database> | Transaction<Database>, dialect: SqlDialect, rows: NewOutboxRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const id = `${dialect}:${rows.length}`;
  let c = compiled.get(id);
  if (!c) compiled.set(id, (c = compile(db, rows.length)));
  const parameters = c.slots.map(([i, column]) => rows[i]![column]);
  // Both drivers count only the rows inserted, not those skipped on a conflict.
  const result = await db.executeQuery({ ...c.query, parameters });
  return Number(result.numAffectedRows ?? 0);
}
