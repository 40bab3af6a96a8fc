// A scheduler tick (due jobs, then the outbox, as every minute) with nothing due, as partnerships grow
// 1k -> 10k -> 100k, each with a year of history: weekly digests and monthly polls done, their posts
// sent, and next week's and next month's jobs pending. It must cost what is due, not what exists:
// the baseline is the same tick at the smallest size, in the same run.
import { sql, type Kysely } from 'kysely';
import { laneOf } from '../db/rows.ts';
import type { Database } from '../db/schema.ts';
import { openSqliteTestStore, type TestStore } from '../db/testing.ts';
import { message, para, t } from '../src/domain/message.ts';
import { DEFAULT_SETTINGS } from '../src/domain/partnership.ts';
import { benchCore, fixedClock } from './bench-core.ts';
import { atMost, median, row, timeMs, type Benchmark, type Row } from './harness.ts';

/** Wednesday noon in London: no digest (Mondays 09:00) and no monthly poll (the 1st) is due. */
const NOW = new Date('2027-03-10T12:00:00.000Z');
const WEEK = 7 * 86_400_000;
const LAST_MONDAY_9 = Date.parse('2027-03-08T09:00:00.000Z');

const YEAR_OF_DIGESTS = Array.from({ length: 52 }, (_, w) => new Date(LAST_MONDAY_9 - w * WEEK).toISOString());
const YEAR_OF_POLLS = Array.from({ length: 12 }, (_, m) => new Date(Date.UTC(2027, 2 - m, 1, 9, 30)).toISOString());
const NEXT_DIGEST = new Date(LAST_MONDAY_9 + WEEK).toISOString();
const SENT_MESSAGE = JSON.stringify(message('Weekly digest', para(t('Nothing due this week.'))));

/** Partnerships [from, to) and their year, ~85 rows each (52 weekly digests and 12 monthly polls done,
 * the 12 polls' posts sent), written set-based (INSERT ... SELECT over
 * a generated sequence) so 100k partnerships seed in seconds, not minutes. SQLite syntax. */
async function seedYears(db: Kysely<Database>, from: number, to: number): Promise<void> {
  const seq = sql`with recursive seq(n) as (select ${from} union all select n + 1 from seq where n + 1 < ${to})`;
  const values = (list: string[]) => sql.join(list.map((at, k) => sql`(${k}, ${at})`));
  const settings = JSON.stringify(DEFAULT_SETTINGS);
  const created = new Date(NOW.getTime() - 365 * 86_400_000).toISOString();
  await db.transaction().execute(async (tx) => {
    await sql`${seq} insert into partnerships (id, name, purpose, timezone, region, settings, review_date, last_review_at, status, created_at)
      select 'pt-' || n, 'Partnership ' || n, 'Joining up services', 'Europe/London', 'GB', ${settings}, null, null, 'active', ${created} from seq`.execute(tx);
    await sql`${seq} insert into channels (platform, workspace, channel, partnership_id) select 'slack', 'T0BENCH', 'C' || n, 'pt-' || n from seq`.execute(tx);
    await sql`${seq}, who(w, roles) as (values ('a', '["coordinator","chair"]'), ('b', '["member"]'))
      insert into members (id, partnership_id, name, roles, sector, organisation, joined_at)
      select 'm-' || n || '-' || w, 'pt-' || n, 'Member ' || n || w, roles, 'public', 'Org ' || n, ${created} from seq, who`.execute(tx);
    await sql`${seq}, who(w) as (values ('a'), ('b'))
      insert into member_identities (partnership_id, platform, workspace, user_id, member_id, position)
      select 'pt-' || n, 'slack', 'T0BENCH', 'U' || n || w, 'm-' || n || '-' || w, 0 from seq, who`.execute(tx);
    await sql`${seq}, weeks(k, at) as (values ${values(YEAR_OF_DIGESTS)})
      insert into jobs (id, kind, partnership_id, ref, step, due_at, done_at, claimed_by, lease_until)
      select 'jd-' || n || '-' || k, 'digest', 'pt-' || n, 'pt-' || n, substr(at, 1, 10), at, at, null, null from seq, weeks`.execute(tx);
    await sql`${seq}, months(k, at) as (values ${values(YEAR_OF_POLLS)})
      insert into jobs (id, kind, partnership_id, ref, step, due_at, done_at, claimed_by, lease_until)
      select 'jp-' || n || '-' || k, 'pulse.auto', 'pt-' || n, 'pt-' || n, substr(at, 1, 7), at, at, null, null from seq, months`.execute(tx);
    await sql`${seq} insert into jobs (id, kind, partnership_id, ref, step, due_at, done_at, claimed_by, lease_until)
      select 'jn-' || n, 'digest', 'pt-' || n, 'pt-' || n, ${NEXT_DIGEST.slice(0, 10)}, ${NEXT_DIGEST}, null, null, null from seq
      union all
      select 'jq-' || n, 'pulse.auto', 'pt-' || n, 'pt-' || n, '2027-04', '2027-04-01T08:30:00.000Z', null, null, null from seq`.execute(tx);
    // The channel's lane, as laneOf writes it (channel ids here need no URI-encoding).
    const lane = laneOf({ kind: 'channel', platform: 'slack', workspace: 'T0BENCH', channel: 'C' });
    await sql`${seq}, months(k, at) as (values ${values(YEAR_OF_POLLS)})
      insert into outbox (id, key, partnership_id, target, message, status, attempts, created_at, next_attempt_at, sent_at, last_error, lane, claimed_by)
      select 'o-' || n || '-' || k, 'poll:pt-' || n || ':' || substr(at, 1, 7), 'pt-' || n,
        '{"kind":"channel","platform":"slack","workspace":"T0BENCH","channel":"C' || n || '"}', ${SENT_MESSAGE}, 'sent', 1, at, at, at, null, ${lane} || n, null
      from seq, months`.execute(tx);
  });
}

export const tickIdleBench: Benchmark = {
  name: 'tick-idle',
  async run(ctx) {
    const sizes = ctx.quick ? [100, 1_000] : [1_000, 10_000, 100_000];
    const rounds = ctx.quick ? 20 : 100;
    // One database per size, measured in alternating rounds, so a busy machine slows every size alike.
    const stores: TestStore[] = [];
    try {
      const cores: ReturnType<typeof benchCore>[] = [];
      for (const size of sizes) {
        const t = await openSqliteTestStore();
        stores.push(t);
        const seedMs = await timeMs(async () => {
          // Seeding only: no fsync (the machine's disk is shared); the tick runs with the app's own settings.
          await sql`pragma synchronous = off`.execute(t.store.db);
          for (let from = 0; from < size; from += 10_000) await seedYears(t.store.db, from, Math.min(size, from + 10_000));
          await sql`pragma wal_checkpoint(truncate)`.execute(t.store.db);
          await sql`pragma synchronous = normal`.execute(t.store.db);
        });
        ctx.log(`tick-idle: ${size} partnerships seeded in ${(seedMs / 1000).toFixed(1)} s`);
        cores.push(benchCore(t.store, fixedClock(NOW)));
      }
      const times: number[][] = sizes.map(() => []);
      for (let r = -5; r < rounds; r++) {
        for (let i = 0; i < cores.length; i++) {
          const ms = await timeMs(() => cores[i]!.tick(NOW));
          if (r >= 0) times[i]!.push(ms);
        }
      }
      const cost = times.map(median);
      ctx.log(`tick-idle: median tick ${sizes.map((s, i) => `${s}: ${cost[i]!.toFixed(3)} ms`).join(', ')}`);
      const rows: Row[] = [];
      for (let i = 1; i < sizes.length; i++) {
        rows.push(
          row({
            benchmark: `Scheduler tick, nothing due, ${sizes[i]! / 1000}k partnerships`,
            unit: 'ms',
            baseline: cost[0]!,
            partnerbot: cost[i]!,
            target: atMost(2),
            note: `baseline: the same tick at ${sizes[0]! / 1000}k; a year of history (~85 rows) a partnership; SQLite; median of ${rounds}`,
          }),
        );
      }
      return rows;
    } finally {
      for (const t of stores) await t.dispose();
    }
  },
};
