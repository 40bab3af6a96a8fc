// Anonymity (a): after known members vote in a known order, the poll tables hold no member, no time
// and no order that follows the voting — on SQLite and on PostgreSQL, where the heap order (ctid) and
// the inserting transaction (xmin) of every row are visible to anyone who can query the table.
// Voters vote in the REVERSE of their hash order, so storage in arrival order could not pass.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../db/store.ts';
import type { TestStore } from '../../db/testing.ts';
import type { Deps } from '../../src/bot/context.ts';
import { member, partnership } from '../support/fixtures.ts';
import { A_GENERAL, DIALECTS, actor, local, runner, testDeps } from './support.ts';

const VOTERS = ['ann', 'bea', 'cal', 'dev', 'eli', 'fay', 'gus', 'hal'];
const POLL_TABLES = ['poll_answers', 'poll_comments', 'poll_participants'] as const;

interface Stored {
  key: string;
  /** PostgreSQL's inserting transaction id; null on SQLite. */
  xmin: string | null;
  cells: string[];
}

/** A table's rows for one poll in PHYSICAL order: SQLite's own scan order, PostgreSQL's ctid order. */
async function physical(store: SqlStore, table: (typeof POLL_TABLES)[number], pollId: string): Promise<Stored[]> {
  const key = table === 'poll_comments' ? sql.ref('id') : sql.ref('voter_hash');
  const q =
    store.dialect === 'postgres'
      ? sql<Record<string, unknown>>`select xmin::text as xmin__, ${key} as key__, * from ${sql.table(table)} where poll_id = ${pollId} order by ctid`
      : sql<Record<string, unknown>>`select ${key} as key__, * from ${sql.table(table)} where poll_id = ${pollId}`;
  const rows = (await q.execute(store.db)).rows;
  return rows.map(({ key__, xmin__, ...cells }) => ({ key: String(key__), xmin: xmin__ === undefined ? null : String(xmin__), cells: Object.values(cells).map(String) }));
}

async function columns(store: SqlStore, table: string): Promise<string[]> {
  const q =
    store.dialect === 'postgres'
      ? sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`
      : sql<{ name: string }>`select name from pragma_table_info(${table})`;
  return (await q.execute(store.db)).rows.map((r) => r.name).sort();
}

function distinctInOrder(keys: string[]): string[] {
  return keys.filter((k, i) => keys.indexOf(k) === i);
}

const ISO_TIME = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

describe.each(DIALECTS)('anonymity in storage on $name', ({ open }) => {
  let t: TestStore;
  let deps: Deps;
  let pollId: string;
  /** Voters in the order they voted: the reverse of their hash order. */
  let order: { name: string; id: string; hash: string }[];

  beforeEach(async () => {
    t = await open();
    const store = t.store;
    await store.insertPartnership(partnership({ id: 'pt-a' }));
    await store.addChannel('pt-a', A_GENERAL);
    await store.insertMember(member('Coord', { partnershipId: 'pt-a', roles: ['coordinator'] }));
    for (const [i, v] of VOTERS.entries()) await store.insertMember(member(v, { partnershipId: 'pt-a', sector: i % 2 ? 'third' : 'public' }));
    deps = testDeps(store);
    await runner(deps).runCommand(actor(local('coord')), '/partner pulse start full');
    pollId = (await store.polls('pt-a', 'open'))[0]!.id;
    order = VOTERS.map((v) => ({ name: v, id: `m-${v}`, hash: deps.voterHash(pollId, `m-${v}`) })).sort((a, b) => (a.hash < b.hash ? 1 : -1));
    for (const [i, v] of order.entries()) {
      const replies = await runner(deps).runCommand(actor(local(v.name)), `/partner pulse answer trust=${(i % 5) + 1} openness=${5 - (i % 5)} comment="note from voter ${i}"`);
      expect(replies[0]!.private).toBe(true);
    }
    // One voter changes an answer later: an update must not leave a trace of when either.
    await runner(deps).runCommand(actor(local(order[2]!.name)), '/partner pulse answer trust=1');
  });

  afterEach(async () => {
    await t.dispose();
  });

  it('has no column for a member, a time or a sequence, and no member, name or time in any cell', async () => {
    expect(await columns(t.store, 'poll_answers')).toEqual(['block', 'poll_id', 'score', 'sector', 'voter_hash']);
    expect(await columns(t.store, 'poll_comments')).toEqual(['id', 'poll_id', 'text']);
    expect(await columns(t.store, 'poll_participants')).toEqual(['poll_id', 'voter_hash']);
    const who = VOTERS.flatMap((v) => [`m-${v}`, v]);
    for (const table of POLL_TABLES) {
      for (const row of await physical(t.store, table, pollId)) {
        for (const cell of row.cells) {
          expect(cell).not.toMatch(ISO_TIME);
          for (const w of who) expect(cell.split(/[^a-z0-9-]+/)).not.toContain(w);
        }
      }
    }
  });

  it('stores ballots in key order, not voting order (SQLite: WITHOUT ROWID; PostgreSQL: heap rewritten, one xmin)', async () => {
    const votingOrder = order.map((v) => v.hash);
    const keyOrder = [...votingOrder].sort();
    expect(votingOrder).not.toEqual(keyOrder); // the test means something
    const rows = await physical(t.store, 'poll_answers', pollId);
    expect(distinctInOrder(rows.map((r) => r.key))).toEqual(keyOrder);
    if (t.store.dialect === 'sqlite') {
      await expect(sql`select rowid from poll_answers`.execute(t.store.db)).rejects.toThrow(/rowid/);
    } else {
      // Every row was written by the same (latest) transaction: xmin says nothing about who came when.
      expect(new Set(rows.map((r) => r.xmin)).size).toBe(1);
    }
  });

  it('stores comments in the order of their random key, with one xmin on PostgreSQL', async () => {
    const rows = await physical(t.store, 'poll_comments', pollId);
    expect(rows).toHaveLength(VOTERS.length);
    expect(rows.map((r) => r.key)).toEqual(rows.map((r) => r.key).sort());
    if (t.store.dialect === 'postgres') expect(new Set(rows.map((r) => r.xmin)).size).toBe(1);
  });

  it('loses no ballot when people vote at the same moment (the rewrite is safe under concurrency)', async () => {
    const replies = await Promise.all(VOTERS.map((v) => runner(deps).runCommand(actor(local(v)), '/partner pulse answer respect=3')));
    expect(replies.flat().filter((m) => m.error)).toEqual([]);
    const ballots = await t.store.ballots(pollId);
    expect(ballots).toHaveLength(VOTERS.length);
    expect(ballots.every((x) => x.answers.respect === 3 && x.answers.trust !== undefined)).toBe(true);
  });

  it('seals ballots at close: nothing, not even the server secret, links an answer to a voter; only participation is kept', async () => {
    await runner(deps).runCommand(actor(local('coord')), '/partner pulse close');
    const hashes = new Set(order.map((v) => v.hash));
    const answers = await physical(t.store, 'poll_answers', pollId);
    expect(answers.length).toBeGreaterThan(0);
    for (const r of answers) expect(hashes.has(r.key)).toBe(false);
    expect(distinctInOrder(answers.map((r) => r.key))).toEqual(distinctInOrder(answers.map((r) => r.key)).sort());
    // Who took part stays (for `/partner export me`), as keyed hashes, in key order, without answers.
    const participants = await physical(t.store, 'poll_participants', pollId);
    expect(participants.map((r) => r.key)).toEqual([...hashes].sort());
    // The published results are those of all eight ballots.
    expect((await t.store.ballots(pollId)).length).toBe(VOTERS.length);
  });
});
