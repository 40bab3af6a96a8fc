import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Inbox } from '../../../src/adapters/local/inbox.ts';
import { startRepl, type ReplOptions } from '../../../src/adapters/local/repl.ts';
import { INTERNAL_ERROR } from '../../../src/bot/server.ts';
import { message, type Message } from '../../../src/domain/message.ts';
import { FakeCore, recordingLogger } from './fake-core.ts';

/** Feeds the lines to a REPL, ends the input, and returns everything it printed. */
async function session(lines: string[], opts: Partial<ReplOptions> = {}, core?: FakeCore, inbox = new Inbox()) {
  const c = core ?? new FakeCore(inbox);
  const input = new PassThrough();
  const output = new PassThrough();
  let out = '';
  output.on('data', (d: Buffer) => (out += d.toString()));
  const repl = startRepl(c, inbox, { input, output, ...opts });
  input.end(lines.map((l) => `${l}\n`).join(''));
  await repl.closed;
  return { out, core: c, inbox };
}

describe('startRepl', () => {
  it('runs lines as commands, adding /partner when left out, and prints the replies', async () => {
    const { out, core } = await session(['help', '/partner status']);
    expect(core.commands.map((c) => c.text)).toEqual(['/partner help', '/partner status']);
    expect(core.commands[0]?.actor.identity.user).toBe('alice');
    expect(core.commands[0]?.actor.channel?.channel).toBe('general');
    expect(out).toContain('alice@general> ');
    expect(out).toContain('-- partnerbot in #general\n== Reply ==\nYou said: /partner help');
    expect(out).toContain('-- partnerbot (only you can see this)\nOnly for you');
  });

  it('switches person and channel with :as, :in and :dm', async () => {
    const { out, core } = await session([':as bob', ':in #board', 'status', ':dm', 'status', ':as not ok!']);
    expect(core.commands.map((c) => [c.actor.identity.user, c.actor.channel?.channel ?? null])).toEqual([
      ['bob', 'board'],
      ['bob', null],
    ]);
    expect(out).toContain('bob@board> ');
    expect(out).toContain('bob@dm> ');
    expect(out).toContain('-- partnerbot to @bob');
    expect(out).toContain('"not ok!" is not a name I can use');
  });

  it('presses buttons by number or by action and value', async () => {
    const inbox = new Inbox();
    const core = new FakeCore(inbox);
    const withButtons: Message = {
      blocks: [
        { kind: 'buttons', buttons: [{ label: 'Responded', action: { type: 'consult.respond', consultationId: 'c1', kind: 'responded' } }] },
      ],
    };
    core.runCommand = async (actor, text) => {
      core.commands.push({ actor, text });
      return [withButtons, message(undefined, { kind: 'buttons', buttons: [{ label: 'Four', action: { type: 'pulse.answer', pollId: 'p1', block: 'trust', score: 4 } }] })];
    };
    const { out } = await session(['consult list', ':press 2', ':press consult.respond c1:not_relevant', ':press 9', ':press'], {}, core, inbox);
    expect(out).toContain('[1] Responded');
    expect(out).toContain('[2] Four  (action: pulse.answer, value: p1:trust:4)');
    expect(core.actions.map((a) => [a.actionId, a.value])).toEqual([
      ['pulse.answer', 'p1:trust:4'],
      ['consult.respond', 'c1:not_relevant'],
    ]);
    expect(out).toContain('There is no button [9]');
    expect(out).toContain('Use ":press <n>" or ":press <action> <value>".');
  });

  it('ticks the scheduler and shows what was posted, only when allowed', async () => {
    const { out, core } = await session([':tick 2026-12-01T09:30:00Z', ':tick soon']);
    expect(core.ticks.map((d) => d.toISOString())).toEqual(['2026-12-01T09:30:00.000Z']);
    expect(out).toContain('Ticked to 2026-12-01T09:30:00.000Z: 1 message(s) posted.\n-- partnerbot in #general\n== Digest ==');
    expect(out).toContain('Use ":tick <ISO time>"');

    const off = await session([':tick 2026-12-01T09:30:00Z'], { allowTick: false });
    expect(off.core.ticks).toEqual([]);
    expect(off.out).toContain('Moving the clock is off here');
  });

  it('shows your direct messages with :inbox', async () => {
    const { out } = await session([':as bob', ':inbox', ':as alice', 'notify', ':as bob', ':inbox']);
    expect(out).toContain('No direct messages for @bob yet.');
    expect(out).toContain('-- partnerbot to @bob\nYou were added by alice');

    const own = await session([':dm', 'status', ':inbox']);
    expect(own.out).toContain('-- alice to partnerbot\n/partner status\n-- partnerbot to @alice\n== Reply ==');
  });

  it('prints help, rejects unknown colon commands and stops at :quit', async () => {
    let closed = 0;
    const { out, core } = await session([':help', ':frobnicate', ':quit', 'status'], { onClose: () => closed++ });
    expect(closed).toBe(1);
    expect(out).toContain(':press <action> <value>');
    expect(out).toContain('Unknown ":frobnicate"');
    expect(core.commands).toEqual([]); // nothing after :quit runs
  });

  it('keeps going after a failure, without showing the error itself', async () => {
    const { log, lines } = recordingLogger();
    const { out, core } = await session(['boom', 'usererr', 'status'], { log });
    expect(out).toContain(INTERNAL_ERROR);
    expect(out).not.toContain('/srv/secret');
    expect(out).toContain('Only a coordinator can do that.');
    expect(core.commands).toHaveLength(3);
    expect(lines().some((l) => l.level === 50 && l.msg === 'repl: command failed')).toBe(true);
  });

  it('can be closed from outside', async () => {
    const input = new PassThrough();
    const inbox = new Inbox();
    let closes = 0;
    const repl = startRepl(new FakeCore(inbox), inbox, { input, output: new PassThrough(), user: 'zoe', channel: 'x', onClose: () => closes++ });
    repl.close();
    await expect(repl.closed).resolves.toBeUndefined();
    expect(closes).toBe(1);
  });
});
