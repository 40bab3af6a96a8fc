// Teams message activity -> reply on a fake Bot Connector: partnerbot answering `respond <id> done`
// typed in each member's 1:1 chat, vs a bare teams-ai echo bot replying a constant. Throughput is end
// to end: activities posted until every reply has reached the connector.
import { bareBoltEnv, partnerbotEnv } from './apps.ts';
import { startChild, type ChildServer } from './child.ts';
import { FakePlatforms } from './fake-platforms.ts';
import { atLeast, nowMs, perSecond, row, until, type BenchContext, type Benchmark } from './harness.ts';
import { load, teamsMessage } from './load.ts';

const PEOPLE = 50;
const CONNECTIONS = 10;

async function measure(ctx: BenchContext, server: ChildServer, fake: FakePlatforms, text: string): Promise<number> {
  const sizes = ctx.quick ? { warm: 50, amount: 200 } : { warm: 300, amount: 3000 };
  const requests = Array.from({ length: PEOPLE }, (_, i) => teamsMessage(i, text, `${fake.url}/`));
  const replies = () => fake.count('teams.reply') + fake.count('teams.send');
  const run = async (amount: number) => {
    const before = replies();
    const started = nowMs();
    const r = await load({ url: server.url, connections: CONNECTIONS, requests, amount });
    if (r.errors || r.non2xx) throw new Error(`teams: ${r.errors} errors and ${r.non2xx} non-2xx answers`);
    await until(() => replies() - before >= amount, `${amount} Teams replies`, 120_000, 5);
    return perSecond(amount, nowMs() - started);
  };
  await run(sizes.warm);
  const reply = fake.last.get('teams.reply') || fake.last.get('teams.send') || '';
  if (/went wrong|not asked|could not tell/i.test(reply)) throw new Error(`teams: the message was refused: ${reply.slice(0, 300)}`);
  ctx.log(`teams: a reply reads ${JSON.stringify(reply).slice(0, 160)}`);
  return run(sizes.amount);
}

export const teamsMessageBench: Benchmark = {
  name: 'teams-message',
  async run(ctx) {
    const fake = await new FakePlatforms().start();
    try {
      ctx.log('teams: bare teams-ai echo baseline');
      const bare = await startChild('bare-teams', bareBoltEnv(fake));
      let base: number;
      try {
        base = await measure(ctx, bare, fake, 'respond c-bench000 done');
      } finally {
        await bare.stop();
      }
      ctx.log('teams: partnerbot');
      const pb = await startChild('partnerbot', partnerbotEnv(fake, PEOPLE));
      let ours: number;
      try {
        ours = await measure(ctx, pb, fake, `respond ${String(pb.info.consultationId)} done`);
      } finally {
        await pb.stop();
      }
      return [
        row({
          benchmark: 'Teams message → reply',
          unit: 'msg/s',
          baseline: base,
          partnerbot: ours,
          target: atLeast(0.7),
          note: `1:1 chat, ${CONNECTIONS} connections, fake Bot Connector; baseline: bare teams-ai Application echoing a constant`,
        }),
      ];
    } finally {
      await fake.stop();
    }
  },
};
