// Experiment: where a pulse press's time goes (variants), SQLite.
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import { migrateToLatest } from '/work/main/db/migrate.ts';
import { SqlStore } from '/work/main/db/store.ts';
import { benchCore, fixedClock, benchDeps } from '/work/main/bench/bench-core.ts';
import { createCommandRunner } from '/work/main/src/bot/handlers.ts';
import { HANDLERS } from '/work/main/src/bot/app.ts';
import { encodeAction } from '/work/main/src/domain/message.ts';
import { add, channelRow, insertAll, member, memberRowsOf, partnership, partnershipRow } from '/work/main/bench/seed.ts';
import { pollRows } from '/work/main/db/rows.ts';
import { poll as pollOf } from '/work/main/test/support/fixtures.ts';

async function store(cache: boolean) {
  const raw = new SQLite(join(mkdtempSync(join(tmpdir(), 'exp-')), 'x.sqlite'));
  raw.pragma('journal_mode = WAL'); raw.pragma('synchronous = NORMAL'); raw.pragma('foreign_keys = ON');
  let database: any = raw;
  if (cache) {
    const stmts = new Map<string, any>();
    database = { prepare: (sql: string) => { let s = stmts.get(sql); if (!s) { s = raw.prepare(sql); stmts.set(sql, s); } return s; }, close: () => raw.close() };
  }
  const s = new SqlStore(new Kysely<any>({ dialect: new SqliteDialect({ database }) }), 'sqlite');
  await migrateToLatest(s.db, 'sqlite');
  return s;
}
const CH = { platform: 'slack' as const, workspace: 'T0BENCH', channel: 'C0BENCH' };
const N = 2000;
async function run(name: string, cache: boolean, flush: boolean) {
  const s = await store(cache);
  const rows: any = {};
  add(rows, 'partnerships', partnershipRow(partnership({ id: 'pt-bench' })));
  add(rows, 'channels', channelRow('pt-bench', CH));
  for (let i = 0; i < N * 2; i++) { const m = memberRowsOf(member(`m${i}`, { id: `m-${i}`, partnershipId: 'pt-bench', identities: [{ platform: 'slack', workspace: 'T0BENCH', user: `U${i}` }] })); add(rows, 'members', m.member); add(rows, 'member_identities', ...m.identities); }
  add(rows, 'polls', pollRows.toRow(pollOf({ id: 'p-bench', partnershipId: 'pt-bench', status: 'open', openedAt: '2027-03-09T09:00:00.000Z', closesAt: '2027-03-14T17:00:00.000Z' })), pollRows.toRow(pollOf({ id: 'p-base', partnershipId: 'pt-bench', status: 'open', openedAt: '2027-03-09T09:00:00.000Z', closesAt: '2027-03-14T17:00:00.000Z' })));
  await insertAll(s.db, rows);
  const clock = fixedClock(new Date('2027-03-10T12:00:00.000Z'));
  const core = benchCore(s, clock);
  const runner = createCommandRunner(benchDeps(s, clock), HANDLERS);
  const press = async (i: number) => {
    const { id, value } = encodeAction({ type: 'pulse.answer', pollId: 'p-bench', block: 'trust', score: (i % 5) + 1 });
    const actor = { identity: { platform: 'slack' as const, workspace: 'T0BENCH', user: `U${i}` }, displayName: 'x', channel: CH };
    if (flush) await core.runAction(actor, id, value); else await runner.runAction(actor, id, value);
  };
  for (let i = 0; i < 300; i++) await press(i);
  let t0 = performance.now();
  for (let i = 300; i < N; i++) await press(i);
  const ms = (performance.now() - t0) / (N - 300);
  t0 = performance.now();
  for (let i = 0; i < N; i++) await s.db.insertInto('poll_answers').values({ poll_id: 'p-base', voter_hash: `h${i}`, block: 'trust', sector: 'public', score: 3 }).execute();
  const base = (performance.now() - t0) / N;
  console.log(`${name}: press ${ms.toFixed(3)} ms, raw insert ${base.toFixed(3)} ms, ratio ${(base / ms).toFixed(3)}`);
  await s.close();
}
await run('as is', false, true);
await run('no flush after command', false, false);
await run('statement cache', true, true);
await run('statement cache, no flush', true, false);
process.exit(0);
