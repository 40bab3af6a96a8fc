// Slack slash command, signed, through parse -> authz -> store -> reply (`/partner respond <id> done`
// from 50 members in turn) vs a bare Bolt app on the same receiver that acks and replies a constant.
// Throughput is end to end: requests sent until every reply has reached the response_url. Time to
// ack is autocannon's latency at a fixed 100 requests/s (coordinated omission corrected).
import { bareBoltEnv, partnerbotEnv } from './apps.ts';
import { startChild, type ChildServer } from './child.ts';
import { FakePlatforms } from './fake-platforms.ts';
import { atLeast, atMost, nowMs, perSecond, row, until, type BenchContext, type Benchmark, type Row } from './harness.ts';
import { load, slackCommand } from './load.ts';

const PEOPLE = 50;
const CONNECTIONS = 10;

interface Measured {
  throughput: number;
  p99: number;
  p50: number;
}

async function measure(ctx: BenchContext, server: ChildServer, fake: FakePlatforms, text: string): Promise<Measured> {
  const sizes = ctx.quick ? { warm: 50, amount: 200, seconds: 2 } : { warm: 300, amount: 3000, seconds: 15 };
  const requests = Array.from({ length: PEOPLE }, (_, i) => slackCommand(i, text, `${fake.url}/respond/${i}`));
  const replied = () => fake.count('response_url');
  const run = async (opts: { amount?: number; duration?: number; overallRate?: number }) => {
    const before = replied();
    const started = nowMs();
    const r = await load({ url: server.url, connections: CONNECTIONS, requests, ...opts });
    if (r.errors || r.non2xx) throw new Error(`slack: ${r.errors} errors and ${r.non2xx} non-2xx answers`);
    const sent = r.requests.total;
    await until(() => replied() - before >= sent, `${sent} Slack replies`, 120_000, 5);
    return { r, ms: nowMs() - started, sent };
  };
  await run({ amount: sizes.warm });
  const reply = fake.last.get('response_url') ?? '';
  if (/went wrong|not asked|no consultation/i.test(reply)) throw new Error(`slack: the command was refused: ${reply.slice(0, 300)}`);
  ctx.log(`slack: a reply reads ${JSON.stringify(JSON.parse(reply || '{}').text ?? '').slice(0, 100)}`);
  const full = await run({ amount: sizes.amount });
  const paced = await run({ duration: sizes.seconds, overallRate: 100 });
  return { throughput: perSecond(full.sent, full.ms), p99: paced.r.latency.p99, p50: paced.r.latency.p50 };
}

export const slackCommandBench: Benchmark = {
  name: 'slack-command',
  async run(ctx) {
    const fake = await new FakePlatforms().start();
    try {
      ctx.log('slack: bare Bolt baseline');
      const bare = await startChild('bare-bolt', bareBoltEnv(fake));
      let base: Measured;
      try {
        base = await measure(ctx, bare, fake, 'respond c-bench000 done');
      } finally {
        await bare.stop();
      }
      ctx.log('slack: partnerbot');
      const pb = await startChild('partnerbot', partnerbotEnv(fake, PEOPLE));
      let ours: Measured;
      try {
        ours = await measure(ctx, pb, fake, `respond ${String(pb.info.consultationId)} done`);
      } finally {
        await pb.stop();
      }
      const rows: Row[] = [
        row({
          benchmark: 'Slack slash command, throughput',
          unit: 'cmd/s',
          baseline: base.throughput,
          partnerbot: ours.throughput,
          target: atLeast(0.7),
          note: `end to end (ack + reply via response_url), ${CONNECTIONS} connections; baseline: bare Bolt ExpressReceiver acking and replying a constant`,
        }),
        row({
          benchmark: 'Slack slash command, p99 time to ack at 100 req/s',
          unit: 'ms',
          baseline: base.p99,
          partnerbot: ours.p99,
          target: atMost(50, 'value'),
          note: `p50 ${ours.p50} ms (baseline p50 ${base.p50} ms)`,
        }),
      ];
      return rows;
    } finally {
      await fake.stop();
    }
  },
};
