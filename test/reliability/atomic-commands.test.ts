// Bad input never corrupts: every command is one transaction, so a handler that fails after it has
// written (a bug, a dropped connection) leaves no partial consultation, poll, member, job or message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HANDLERS } from '../../src/bot/app.ts';
import type { Actor, CommandHandler, Deps, HandlerTable } from '../../src/bot/context.ts';
import { createCommandRunner } from '../../src/bot/handlers.ts';
import type { Verb } from '../../src/domain/command-types.ts';
import { UserError } from '../../src/domain/errors.ts';
import { outbox, testDeps } from '../support/bot.ts';
import { DIALECTS, type SharedDb } from './support/dialects.ts';

const actor = (user: string): Actor => ({
  identity: { platform: 'local', workspace: 'local', user },
  displayName: user,
  channel: { platform: 'local', workspace: 'local', channel: 'general' },
});

/** The real handler for `verb`, then a failure after everything it wrote. */
function failingAfter<V extends Verb>(verb: V, error: () => Error): HandlerTable {
  const real = HANDLERS[verb] as CommandHandler<V>;
  return {
    [verb]: (async (cmd, ctx) => {
      await real(cmd, ctx);
      throw error();
    }) as CommandHandler<V>,
  };
}

describe.each(DIALECTS)('a command that fails halfway, on $name', ({ open }) => {
  let db: SharedDb;
  let deps: Deps;

  beforeEach(async () => {
    db = await open();
    deps = testDeps(db.store, new Date('2027-01-04T10:00:00Z'));
    const setup = createCommandRunner(deps, HANDLERS);
    await setup.runCommand(actor('carol'), '/partner setup "Northside" purpose="Testing"');
    await setup.runCommand(actor('carol'), '/partner settings pulse=off');
    await setup.runCommand(actor('ann'), '/partner join third "Food Bank"');
    // A second channel, so opening a consultation also writes a post to the outbox.
    await db.store.addChannel((await db.store.activePartnershipIds())[0]!, { platform: 'local', workspace: 'local', channel: 'board' });
  });
  afterEach(() => db.dispose());

  async function snapshot() {
    const p = (await db.store.activePartnershipIds())[0]!;
    return {
      members: (await db.store.members(p)).map((m) => m.id),
      consultations: await db.store.consultations(p),
      polls: await db.store.polls(p),
      jobs: await db.store.pendingJobs(p, 100),
      outbox: (await outbox(db.store)).map((r) => r.key),
    };
  }

  const cases: [string, Verb, string, string][] = [
    ['consult', 'consult', 'carol', '/partner consult "Budget" by 2027-06-30'],
    ['pulse start', 'pulse.start', 'carol', '/partner pulse start short days=3'],
    ['join', 'join', 'bob', '/partner join private "Acme"'],
  ];

  it.each(cases)('%s: nothing of it is kept, and the person is told nothing changed', async (_name, verb, user, text) => {
    const before = await snapshot();
    const runner = createCommandRunner(deps, { ...HANDLERS, ...failingAfter(verb, () => new Error('connection terminated unexpectedly')) });
    const replies = await runner.runCommand(actor(user), text);
    expect(JSON.stringify(replies)).toMatch(/nothing was changed/);
    expect(await snapshot()).toEqual(before);
  });

  it('a refusal raised after writing (UserError) also keeps nothing', async () => {
    const before = await snapshot();
    const runner = createCommandRunner(deps, { ...HANDLERS, ...failingAfter('consult', () => new UserError('Pick a later date.')) });
    const replies = await runner.runCommand(actor('carol'), '/partner consult "Budget" by 2027-06-30');
    expect(JSON.stringify(replies)).toMatch(/Pick a later date/);
    expect(await snapshot()).toEqual(before);
  });

  it('the same command without the failure does write (so the test above can see a difference)', async () => {
    const before = await snapshot();
    await createCommandRunner(deps, HANDLERS).runCommand(actor('carol'), '/partner consult "Budget" by 2027-06-30');
    const after = await snapshot();
    expect(after.consultations).toHaveLength(before.consultations.length + 1);
    expect(after.outbox.length).toBeGreaterThan(before.outbox.length);
    expect(after.jobs.length).toBeGreaterThan(before.jobs.length);
  });
});
