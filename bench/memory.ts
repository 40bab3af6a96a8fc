// Memory of a started app with Slack and Teams on (the local adapter is refused alongside a chat
// platform, see src/bot/config.ts; its code is loaded all the same): RSS when idle, then after 10k
// and 100k requests (signed Slack slash commands and Teams messages, alternating, from 50 members).
// RSS is read in the child after a full GC, once every reply has arrived and V8 has given the freed
// pages back (bench/servers/ipc.ts). The child runs the compiled build, as `npm start` does
// (bench/child.ts).
// Sizes: 3k then 30k requests, not the 10k then 100k: partnerbot answers ~230 a second on 2
// cores, so 100k alone would take ~7 of the 10 minutes a full run may take. 27k requests between the
// two readings still show any leak of more than ~0.7 kB a request as a 10% rise.
// BENCH_MEMORY_REQUESTS=100000 runs the sizes (the first reading is always after a tenth).
import { partnerbotEnv } from './apps.ts';
import { startChild } from './child.ts';
import { FakePlatforms } from './fake-platforms.ts';
import { atMost, row, sleep, until, type Benchmark } from './harness.ts';
import { load, slackCommand, teamsMessage } from './load.ts';

const PEOPLE = 50;
const MB = 2 ** 20;

export const memoryBench: Benchmark = {
  name: 'memory',
  async run(ctx) {
    const total = Number(process.env.BENCH_MEMORY_REQUESTS ?? (ctx.quick ? 2_000 : 30_000));
    const first = Math.round(total / 10);
    const fake = await new FakePlatforms().start();
    const pb = await startChild('partnerbot', partnerbotEnv(fake, PEOPLE));
    try {
      await sleep(2_000);
      const idle = await pb.rss();
      const text = `respond ${String(pb.info.consultationId)} done`;
      const requests = Array.from({ length: PEOPLE }, (_, i) => [slackCommand(i, text, `${fake.url}/respond/${i}`), teamsMessage(i, text, `${fake.url}/`)]).flat();
      const replies = () => fake.count('response_url') + fake.count('teams.reply') + fake.count('teams.send');
      let sent = 0;
      const drive = async (amount: number) => {
        const r = await load({ url: pb.url, connections: 10, requests, amount });
        if (r.errors || r.non2xx) throw new Error(`memory: ${r.errors} errors and ${r.non2xx} non-2xx answers`);
        sent += r.requests.total;
        await until(() => replies() >= sent, `${sent} replies`, 300_000, 20);
        ctx.log(`memory: ${sent} requests at ${Math.round(r.requests.average)} req/s`);
      };
      await drive(first);
      const afterFirst = await pb.rss();
      await drive(total - first);
      const afterAll = await pb.rss();
      ctx.log(`memory: RSS idle ${(idle / MB).toFixed(0)} MB, after ${first} ${(afterFirst / MB).toFixed(0)} MB, after ${total} ${(afterAll / MB).toFixed(0)} MB`);
      return [
        row({
          benchmark: 'Idle RSS, Slack + Teams adapters',
          unit: 'MB',
          baseline: null,
          partnerbot: idle / MB,
          target: atMost(150, 'value'),
          note: 'started app (the compiled build, startApp, SQLite, scheduler on), 2 s after it is ready, after a full GC; the local adapter is refused alongside Slack/Teams',
        }),
        row({
          benchmark: `RSS after ${total / 1000}k requests vs after ${first / 1000}k`,
          unit: 'MB',
          baseline: afterFirst / MB,
          partnerbot: afterAll / MB,
          target: atMost(1.1),
          note: 'Slack slash commands and Teams messages alternating, 10 connections; RSS after a full GC once every reply arrived',
        }),
      ];
    } finally {
      await pb.stop();
      await fake.stop();
    }
  },
};
