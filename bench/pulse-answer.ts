// The hottest write: a pulse poll button press (one block's score), through the core as the adapters
// call it (the poll with its partnership, the member, check the answer, keyed voter hash, whether
// they answered before, upsert, confirmation; a press writes nothing to the outbox, so app.ts starts
// no flush) vs a raw parameterised INSERT of the same row through Kysely.
// Each member presses once, one press at a time; baseline and partnerbot run in alternating rounds so
// a busy machine slows both alike. On SQLite (a WAL file) and on PostgreSQL (a fresh schema).
import { openPostgresTestStore, openSqliteTestStore, postgresAnswers, type TestStore } from '../db/testing.ts';
import type { Actor } from '../src/bot/context.ts';
import { encodeAction } from '../src/domain/message.ts';
import { poll as pollOf } from '../test/support/fixtures.ts';
import { benchCore, fixedClock } from './bench-core.ts';
import { atLeast, perSecond, row, timeMs, type BenchContext, type Benchmark, type Row } from './harness.ts';
import { add, channelRow, insertAll, member, memberRowsOf, partnership, partnershipRow, type Rows } from './seed.ts';
import { pollRows } from '../db/rows.ts';

const NOW = new Date('2027-03-10T12:00:00.000Z');
const CHANNEL = { platform: 'slack' as const, workspace: 'T0BENCH', channel: 'C0BENCH' };
const ROUNDS = 5;

function actor(i: number): Actor {
  return { identity: { platform: 'slack', workspace: 'T0BENCH', user: `U0M${i}` }, displayName: `Member ${i}`, channel: CHANNEL };
}

async function seed(t: TestStore, people: number): Promise<void> {
  const rows: Rows = {};
  const p = partnership({ id: 'pt-bench', name: 'Bench Partnership', createdAt: '2026-01-01T00:00:00.000Z' });
  add(rows, 'partnerships', partnershipRow(p));
  add(rows, 'channels', channelRow(p.id, CHANNEL));
  for (let i = 0; i < people; i++) {
    const sector = (['public', 'third', 'private', 'community'] as const)[i % 4];
    const m = memberRowsOf(member(`m${i}`, { id: `m-${i}`, partnershipId: p.id, sector, identities: [actor(i).identity] }));
    add(rows, 'members', m.member);
    add(rows, 'member_identities', ...m.identities);
  }
  const open = { partnershipId: p.id, status: 'open' as const, openedAt: '2027-03-09T09:00:00.000Z', closesAt: '2027-03-14T17:00:00.000Z', createdBy: 'm-0' };
  add(rows, 'polls', pollRows.toRow(pollOf({ ...open, id: 'p-bench' })) as never, pollRows.toRow(pollOf({ ...open, id: 'p-base' })) as never);
  await insertAll(t.store.db, rows);
}

async function measure(ctx: BenchContext, t: TestStore, full: number): Promise<{ base: number; ours: number; n: number }> {
  const n = ctx.quick ? 200 : full;
  const warm = ctx.quick ? 20 : 200;
  await seed(t, warm + n);
  const core = benchCore(t.store, fixedClock(NOW));
  const db = t.store.db;
  const press = async (i: number) => {
    const { id, value } = encodeAction({ type: 'pulse.answer', pollId: 'p-bench', block: 'trust', score: (i % 5) + 1 });
    const replies = await core.runAction(actor(i), id, value);
    if (replies[0]?.error) throw new Error(`pulse answer refused: ${JSON.stringify(replies[0]).slice(0, 300)}`);
  };
  const insert = (i: number) =>
    db
      .insertInto('poll_answers')
      .values({ poll_id: 'p-base', voter_hash: core.deps.voterHash('p-base', `m-${i}`), block: 'trust', sector: 'public', score: (i % 5) + 1 })
      .execute();
  for (let i = 0; i < warm; i++) {
    await insert(i);
    await press(i);
  }
  let baseMs = 0;
  let oursMs = 0;
  const chunk = Math.ceil(n / ROUNDS);
  for (let r = 0; r < ROUNDS; r++) {
    const from = warm + r * chunk;
    const to = Math.min(warm + n, from + chunk);
    baseMs += await timeMs(async () => {
      for (let i = from; i < to; i++) await insert(i);
    });
    oursMs += await timeMs(async () => {
      for (let i = from; i < to; i++) await press(i);
    });
  }
  await core.dispatcher.flush();
  const answers = await db.selectFrom('poll_answers').select((eb) => eb.fn.countAll<number>().as('n')).where('poll_id', '=', 'p-bench').executeTakeFirstOrThrow();
  if (Number(answers.n) !== warm + n) throw new Error(`expected ${warm + n} answers stored, found ${answers.n}`);
  return { base: perSecond(n, baseMs), ours: perSecond(n, oursMs), n };
}

export const pulseAnswerBench: Benchmark = {
  name: 'pulse-answer',
  async run(ctx) {
    const rows: Row[] = [];
    // PostgreSQL commits wait for fsync (a few dozen a second on a shared disk): fewer presses there.
    const dialects: [string, () => Promise<TestStore>, number][] = [['SQLite', openSqliteTestStore, 3_000]];
    if (await postgresAnswers()) dialects.push(['PostgreSQL', () => openPostgresTestStore(), 1_000]);
    else ctx.log('pulse-answer: PostgreSQL does not answer at TEST_DATABASE_URL; SQLite only');
    for (const [name, open, full] of dialects) {
      const t = await open();
      try {
        const m = await measure(ctx, t, full);
        ctx.log(`pulse-answer ${name}: raw INSERT ${m.base.toFixed(0)}/s, partnerbot ${m.ours.toFixed(0)}/s`);
        rows.push(
          row({
            benchmark: `Pulse button answer, ${name}`,
            unit: 'answers/s',
            baseline: m.base,
            partnerbot: m.ours,
            target: atLeast(0.5),
            note: `${m.n} presses, one at a time; baseline: raw parameterised INSERT of the same row through Kysely`,
          }),
        );
      } finally {
        await t.dispose();
      }
    }
    return rows;
  },
};
