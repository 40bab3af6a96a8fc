// A scheduler tick with 10k nudges due: 1,000 partnerships, each with a consultation 7 days from its
// deadline and 10 members who have not answered. The tick takes the jobs, decides each nudge and
// writes 10k outbox rows. Baseline: a batched INSERT of the same 10k rows (read back from the outbox)
// in one transaction. Repeated (jobs reset, rows deleted) and alternated; medians compared.
// It runs in the bench process: BENCH_CPU_PROF=<dir> profiles one more tick, not counted, into
// <dir>/tick-nudges.cpuprofile (read it with bench/profile.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { openSqliteTestStore } from '../db/testing.ts';
import { nudgePlan } from '../src/domain/consultation.ts';
import { consultationRows } from '../db/rows.ts';
import { consultation } from '../test/support/fixtures.ts';
import { benchCore, fixedClock } from './bench-core.ts';
import { atLeast, median, row, timeMs, type Benchmark } from './harness.ts';
import { add, channelRow, insertAll, jobRow, member, memberRowsOf, partnership, partnershipRow, type Rows } from './seed.ts';

const PER_PARTNERSHIP = 10;
const OPENED = '2027-02-01T09:00:00.000Z';
const DEADLINE = '2027-03-17';

export const tickNudgesBench: Benchmark = {
  name: 'tick-nudges',
  async run(ctx) {
    const partnerships = ctx.quick ? 100 : 1_000;
    const reps = ctx.quick ? 1 : 3;
    const expected = partnerships * PER_PARTNERSHIP;
    const sample = partnership({ id: 'pt-0' });
    const nudge = nudgePlan(consultation({ partnershipId: 'pt-0', openedAt: OPENED, deadline: DEADLINE }), sample, new Date(OPENED)).find(
      (j) => j.kind === 'consultation.nudge' && j.step === '7',
    );
    if (!nudge) throw new Error('no 7-day nudge in the plan');
    const now = new Date(Date.parse(nudge.dueAt) + 60_000);
    const { store, dispose } = await openSqliteTestStore();
    try {
      const rows: Rows = {};
      for (let i = 0; i < partnerships; i++) {
        const id = `pt-${i}`;
        add(rows, 'partnerships', partnershipRow(partnership({ id, name: `Partnership ${i}` })));
        add(rows, 'channels', channelRow(id, { platform: 'slack', workspace: 'T0BENCH', channel: `C${i}` }));
        for (let k = 0; k < PER_PARTNERSHIP; k++) {
          const m = memberRowsOf(member(`m${i}x${k}`, { id: `m-${i}-${k}`, partnershipId: id, identities: [{ platform: 'slack', workspace: 'T0BENCH', user: `U${i}x${k}` }] }));
          add(rows, 'members', m.member);
          add(rows, 'member_identities', ...m.identities);
        }
        const c = consultation({ id: `c-${i}`, partnershipId: id, ownerId: `m-${i}-0`, openedAt: OPENED, deadline: DEADLINE, title: `Draft plan ${i}` });
        add(rows, 'consultations', consultationRows.toRow(c) as never);
        add(rows, 'jobs', jobRow({ ...nudge, partnershipId: id, ref: c.id }, null));
      }
      await insertAll(store.db, rows);
      const core = benchCore(store, fixedClock(now));
      const ours: number[] = [];
      const base: number[] = [];
      for (let r = 0; r < reps; r++) {
        await store.db.deleteFrom('outbox').execute();
        await store.db.updateTable('jobs').set({ done_at: null, claimed_by: null, lease_until: null }).execute();
        ours.push(await timeMs(() => core.scheduler.tick(now)));
        const written = await store.db.selectFrom('outbox').selectAll().orderBy('seq').execute();
        if (written.length !== expected) throw new Error(`expected ${expected} nudges in the outbox, found ${written.length}`);
        await store.db.deleteFrom('outbox').execute();
        const same = written.map(({ seq: _seq, ...rest }) => rest);
        base.push(await timeMs(() => insertAll(store.db, { outbox: same })));
      }
      const profileDir = process.env.BENCH_CPU_PROF;
      if (profileDir) {
        // One more tick, not counted, under the profiler.
        await store.db.deleteFrom('outbox').execute();
        await store.db.updateTable('jobs').set({ done_at: null, claimed_by: null, lease_until: null }).execute();
        ctx.log(`tick-nudges: CPU profile of a tick in ${await profiled(profileDir, 'tick-nudges', () => core.scheduler.tick(now))}`);
      }
      const b = median(base);
      const o = median(ours);
      ctx.log(`tick-nudges: tick ${o.toFixed(0)} ms, batched INSERT ${b.toFixed(0)} ms for ${expected} rows`);
      // Throughput ratio: rows a second through the tick over rows a second through the INSERT.
      return [
        row({
          benchmark: `Scheduler tick, ${expected / 1000}k nudges due`,
          unit: 'ms',
          baseline: b,
          partnerbot: o,
          ratio: b / o,
          target: atLeast(0.5),
          note: `ratio = baseline time ÷ tick time (throughput); ${partnerships} jobs × ${PER_PARTNERSHIP} members; baseline: one transaction of multi-row INSERTs of the same rows; SQLite; median of ${reps}`,
        }),
      ];
    } finally {
      await dispose();
    }
  },
};

/** Runs `fn` under the V8 profiler and writes the profile to <dir>/<name>.cpuprofile; returns the file. */
async function profiled(dir: string, name: string, fn: () => Promise<unknown>): Promise<string> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    await fn();
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  } finally {
    session.disconnect();
  }
}
