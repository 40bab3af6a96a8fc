// The command runner (src/bot/handlers.ts) on both dialects: a command reads what it names once, and
// wakes the dispatcher only when it left messages in the outbox, once they are committed.
import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlStore } from '../../db/store.ts';
import { openPostgresTestStore, openSqliteTestStore, postgresAnswers, type TestStore } from '../../db/testing.ts';
import { HANDLERS } from '../../src/bot/app.ts';
import type { Actor, CommandHandler, Deps } from '../../src/bot/context.ts';
import { createCommandRunner, type CommandRunner } from '../../src/bot/handlers.ts';
import { plain } from '../../src/domain/message.ts';
import { testDeps } from '../security/support.ts';

const CI = process.env.CI === 'true';
const postgresUp = await postgresAnswers();
const dialects = [
  { name: 'sqlite', open: openSqliteTestStore },
  ...(postgresUp || CI ? [{ name: 'postgres', open: () => openPostgresTestStore() }] : []),
];

const actor = (user: string, channel = 'general'): Actor => ({
  identity: { platform: 'local', workspace: 'local', user },
  displayName: user,
  channel: { platform: 'local', workspace: 'local', channel },
});

describe.each(dialects)('the command runner on $name', ({ open }) => {
  let t: TestStore;
  let store: SqlStore;
  let deps: Deps;
  let selects: string[];
  let woken: Promise<number>[];
  let runner: CommandRunner;
  let consultationId: string;

  beforeEach(async () => {
    t = await open();
    selects = [];
    // The real store, watched through a Kysely plugin: which tables each SELECT reads.
    const watch: KyselyPlugin = {
      transformQuery: ({ node }) => {
        if (node.kind === 'SelectQueryNode') selects.push(JSON.stringify(node.from));
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    store = new SqlStore(t.store.db.withPlugin(watch), t.store.dialect);
    deps = testDeps(store, { now: new Date('2027-01-04T10:00:00Z') });
    woken = [];
    // What is pending in the outbox, seen from outside the command's transaction, when woken.
    runner = createCommandRunner(deps, HANDLERS, { onOutbox: () => void woken.push(t.store.outboxDepth().then((d) => d.pending)) });
    await runner.runCommand(actor('carol'), '/partner setup "Northside" purpose="Testing"');
    await runner.runCommand(actor('carol'), '/partner settings pulse=off');
    await runner.runCommand(actor('ann'), '/partner join third "Food Bank"');
    const [p] = await store.activePartnershipIds();
    await store.addChannel(p!, { platform: 'local', workspace: 'local', channel: 'board' });
    woken = [];
    await runner.runCommand(actor('carol'), '/partner consult "Budget" by 2027-06-30');
    consultationId = (await store.consultations(p!))[0]!.id;
  });
  afterEach(async () => {
    await Promise.allSettled(woken);
    await t.dispose();
  });

  const readsOf = (table: string) => selects.filter((from) => from.includes(`"name":"${table}"`)).length;

  it('reads the consultation a response names once, and records the response', async () => {
    selects = [];
    const replies = await runner.runCommand(actor('ann'), `/partner respond ${consultationId} done`);
    expect(plain(replies[0]!.blocks[0]!.kind === 'text' ? replies[0]!.blocks[0]!.text : [])).toMatch(/Recorded/);
    expect(readsOf('consultations')).toBe(1);
    expect((await store.responses(consultationId)).map((r) => r.kind)).toEqual(['responded']);
  });

  it('reads a consultation afresh once the handler has written', async () => {
    const rename: CommandHandler<'respond'> = async (cmd, ctx) => {
      const before = (await ctx.tx.consultation(cmd.consultationId))!;
      await ctx.tx.updateConsultation({ ...before, title: 'Budget, revised' });
      const after = (await ctx.tx.consultation(cmd.consultationId))!;
      return [{ blocks: [{ kind: 'text', text: [{ text: after.title }] }] }];
    };
    const renaming = createCommandRunner(deps, { ...HANDLERS, respond: rename });
    selects = [];
    const [reply] = await renaming.runCommand(actor('ann'), `/partner respond ${consultationId} done`);
    expect(reply!.blocks[0]).toEqual({ kind: 'text', text: [{ text: 'Budget, revised' }] });
    expect(readsOf('consultations')).toBe(2);
  });

  it('wakes the dispatcher after a command that left messages to send, once they are committed, and only then', async () => {
    // Opening the consultation posted it to the partnership's other channel.
    expect(woken).toHaveLength(1);
    expect(await woken[0]).toBeGreaterThan(0);
    woken = [];
    await runner.runCommand(actor('ann'), `/partner respond ${consultationId} done`);
    await runner.runCommand(actor('ann'), '/partner status');
    await runner.runAction(actor('ann'), 'consult.respond', `${consultationId}:not_relevant`);
    expect(woken).toEqual([]);
    // A command that wrote to the outbox but then failed leaves nothing to send: nobody is woken.
    const failing: CommandHandler<'consult'> = async (cmd, ctx) => {
      await HANDLERS.consult!(cmd, ctx);
      throw new Error('connection lost');
    };
    const broken = createCommandRunner(deps, { ...HANDLERS, consult: failing }, { onOutbox: () => void woken.push(Promise.resolve(-1)) });
    await broken.runCommand(actor('carol'), '/partner consult "Roads" by 2027-06-30');
    expect(woken).toEqual([]);
    await runner.runCommand(actor('carol'), '/partner consult "Parks" by 2027-06-30');
    expect(woken).toHaveLength(1);
  });
});
