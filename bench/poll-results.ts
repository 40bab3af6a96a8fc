// Poll results for 10k answers: distribution, median and spread per block (and by sector), the change
// since the previous poll and the trend, as the `results` command computes them (the store's tallies,
// counted by GROUP BY, for the poll and the one before it, then the domain's resultsOf and trend), vs
// one SQL GROUP BY of the same rows.
import { openSqliteTestStore } from '../db/testing.ts';
import { pollRows } from '../db/rows.ts';
import { resultsWithHistory } from '../src/bot/handlers/pulse.ts';
import { FORM_BLOCKS, trend } from '../src/domain/pulse.ts';
import { poll } from '../test/support/fixtures.ts';
import { atMost, median, row, timeMs, type Benchmark } from './harness.ts';
import { add, insertAll, partnership, partnershipRow, type Rows } from './seed.ts';

export const pollResultsBench: Benchmark = {
  name: 'poll-results',
  async run(ctx) {
    const answers = ctx.quick ? 1_000 : 10_000;
    const rounds = ctx.quick ? 5 : 30;
    const blocks = FORM_BLOCKS.full;
    const voters = Math.ceil(answers / blocks.length);
    const { store, dispose } = await openSqliteTestStore();
    try {
      const rows: Rows = {};
      add(rows, 'partnerships', partnershipRow(partnership({ id: 'pt-bench' })));
      const prev = poll({ id: 'p-prev', partnershipId: 'pt-bench', openedAt: '2027-01-05T10:00:00.000Z', closesAt: '2027-01-11T09:30:00.000Z' });
      const now = poll({ id: 'p-now', partnershipId: 'pt-bench', openedAt: '2027-02-02T10:00:00.000Z', closesAt: '2027-02-08T09:30:00.000Z' });
      add(rows, 'polls', pollRows.toRow(prev) as never, pollRows.toRow(now) as never);
      for (const p of [prev, now]) {
        for (let v = 0; v < voters; v++) {
          const sector = (['public', 'third', 'private', 'community'] as const)[v % 4];
          for (const [b, block] of blocks.entries()) add(rows, 'poll_answers', { poll_id: p.id, voter_hash: `h${v}-${p.id}`, block, sector, score: ((v * 7 + b * 3) % 5) + 1 });
        }
      }
      await insertAll(store.db, rows);
      const ours = () =>
        store.transaction(async (tx) => {
          const { result, history } = await resultsWithHistory(tx, now);
          if (result.kind !== 'shown' || history.length !== 2) throw new Error(`results withheld: ${result.kind}`);
          return trend(history);
        });
      const groupBy = () =>
        store.db
          .selectFrom('poll_answers')
          .select((eb) => ['poll_id', 'block', 'score', eb.fn.countAll<number>().as('n')])
          .where('poll_id', 'in', [prev.id, now.id])
          .groupBy(['poll_id', 'block', 'score'])
          .execute();
      const a: number[] = [];
      const b: number[] = [];
      for (let r = -3; r < rounds; r++) {
        const tb = await timeMs(groupBy);
        const ta = await timeMs(ours);
        if (r >= 0) {
          a.push(ta);
          b.push(tb);
        }
      }
      return [
        row({
          benchmark: `Poll results, ${answers / 1000}k answers`,
          unit: 'ms',
          baseline: median(b),
          partnerbot: median(a),
          target: atMost(2),
          note: `${voters} voters × ${blocks.length} blocks, and a previous poll as large for the change and trend; baseline: one GROUP BY (poll, block, score) over both polls; SQLite; median of ${rounds}`,
        }),
      ];
    } finally {
      await dispose();
    }
  },
};
