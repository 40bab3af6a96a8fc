// Monday digest to 1,000 Slack channels (1,000 partnerships, one channel each, each with a consultation
// due that week, so there is something to say) against a fake Slack that allows one message a second
// per channel and 200 a second for the workspace (a bucket of 20), answering 429 + Retry-After in
// whole seconds beyond that. The app runs as startApp wires it, with the dispatcher flushing every
// pollMs while the tick writes digests, as the scheduler does; the fake runs on a thread of its own
// (Slack is not in our process). Measured from the tick's start to the last accepted post, against
// the minimum the limits allow: (messages - burst) / rate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { consultationRows } from '../db/rows.ts';
import { SqlStore } from '../db/store.ts';
import { startApp } from '../src/bot/app.ts';
import { loadConfig } from '../src/bot/config.ts';
import { DEFAULT_RELIABILITY } from '../src/bot/reliability.ts';
import { nextDigestJob } from '../src/domain/digest.ts';
import { consultation } from '../test/support/fixtures.ts';
import { FakePlatformsThread, type RateLimits } from './fake-platforms.ts';
import { atMost, nowMs, row, sleep, type Benchmark } from './harness.ts';
import { add, channelRow, insertAll, jobRow, partnership, partnershipRow, type Rows } from './seed.ts';
import { BOT_TOKEN, SIGNING_SECRET } from './story.ts';

const LIMITS: RateLimits = { globalPerSecond: 200, globalBurst: 20, channelIntervalMs: 1000, inFlightGraceMs: 250 };

export const digestBench: Benchmark = {
  name: 'digest-fanout',
  async run(ctx) {
    const channels = ctx.quick ? 100 : 1_000;
    const fake = await FakePlatformsThread.start(LIMITS);
    const dir = mkdtempSync(join(tmpdir(), 'partnerbot-digest-'));
    // Sunday evening; the digest is due Monday 4 January 2027 09:00 London.
    const job = nextDigestJob(partnership(), new Date('2027-01-03T20:00:00.000Z'));
    const due = Date.parse(job.dueAt) + 60_000;
    let t0 = nowMs();
    // Real time, starting just after the digest is due: the dispatcher's waits and leases are real.
    const clock = { now: () => new Date(due + (nowMs() - t0)) };
    const config = loadConfig({
      DATABASE_URL: join(dir, 'bench.sqlite'),
      PORT: '0',
      SCHEDULER: 'false',
      LOG_LEVEL: 'silent',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: fake.apiUrl,
    });
    const app = await startApp(config, { clock, log: pino({ level: 'silent' }) });
    try {
      const rows: Rows = {};
      for (let i = 0; i < channels; i++) {
        const id = `pt-${i}`;
        add(rows, 'partnerships', partnershipRow(partnership({ id, name: `Partnership ${i}` })));
        add(rows, 'channels', channelRow(id, { platform: 'slack', workspace: 'T0BENCH', channel: `C${i}` }));
        add(rows, 'consultations', consultationRows.toRow(consultation({ id: `c-${i}`, partnershipId: id, openedAt: '2026-12-01T09:00:00.000Z', deadline: '2027-01-08' })) as never);
        add(rows, 'jobs', jobRow({ ...job, partnershipId: id, ref: id }, null));
      }
      if (!(app.deps.store instanceof SqlStore)) throw new Error('expected the SQL store');
      await insertAll(app.deps.store.db, rows);
      t0 = nowMs();
      const cpu0 = process.cpuUsage();
      const poll = setInterval(() => void app.core.flush().catch(() => undefined), DEFAULT_RELIABILITY.pollMs);
      let stats = await fake.stats();
      try {
        await app.core.tick(clock.now());
        const deadline = nowMs() + 120_000;
        while (stats.channels < channels && nowMs() < deadline) {
          await sleep(20);
          stats = await fake.stats();
        }
      } finally {
        clearInterval(poll);
      }
      if (stats.channels < channels) throw new Error(`only ${stats.channels} of ${channels} digests arrived within 2 minutes`);
      const { twice } = stats;
      const used = process.cpuUsage(cpu0);
      const cpu = (used.user + used.system) / 1e6;
      const took = (stats.lastPostAt - (performance.timeOrigin + t0)) / 1000;
      const minimum = (channels - LIMITS.globalBurst) / LIMITS.globalPerSecond;
      ctx.log(`digest: ${channels} channels in ${took.toFixed(2)} s (minimum ${minimum.toFixed(2)} s), ${stats.rateLimited} 429s, ${stats.unhonoured} ignored, ${twice} channels posted twice; ${cpu.toFixed(1)} s of CPU`);
      return [
        row({
          benchmark: `Monday digest to ${channels} channels`,
          unit: 's',
          baseline: minimum,
          partnerbot: took,
          target: atMost(1.1),
          note: `fake Slack: 1 msg/s per channel, ${LIMITS.globalPerSecond}/s global (burst ${LIMITS.globalBurst}); ${stats.rateLimited} answered 429; ${twice} channels got a duplicate`,
        }),
        row({
          benchmark: 'Monday digest, requests ignoring a Retry-After',
          unit: 'requests',
          baseline: null,
          partnerbot: stats.unhonoured,
          target: atMost(0, 'value'),
          note: `requests that reached the fake more than ${LIMITS.inFlightGraceMs} ms after a 429 and before its Retry-After ran out`,
        }),
      ];
    } finally {
      await app.stop();
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
