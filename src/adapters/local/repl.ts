// A small console for the local adapter: type commands as a named person in a channel and read the
// replies. It goes through the same path as the HTTP API, so what you see here is what it would post.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import { encodeAction, type Button } from '../../domain/message.ts';
import { INTERNAL_ERROR } from '../../bot/server.ts';
import { UserError } from '../../domain/errors.ts';
import type { BotCore } from './bot-port.ts';
import type { Inbox, InboxEntry } from './inbox.ts';
import { pressButton, typeCommand, type Reply } from './conversation.ts';
import { NAME_PATTERN } from './http.ts';
import { buttonsOf, renderText } from './render.ts';

export interface ReplOptions {
  input: Readable;
  output: Writable;
  user?: string;
  channel?: string;
  /** Whether :tick may move the scheduler's clock; default true (the console is the operator's own). */
  allowTick?: boolean;
  log?: Logger;
  /** Called once when the console ends (:quit, end of input, or close()). */
  onClose?: () => void;
}

export interface Repl {
  /** Resolves when the person quits or the input ends. */
  closed: Promise<void>;
  close(): void;
}

export const REPL_HELP = `Type a command, with or without "/partner" (e.g. "help", "/partner status").
  :as <name>                switch to another person
  :in <channel>             switch to a channel        :dm   talk to the bot directly
  :press <n>                press button [n] of the last replies
  :press <action> <value>   press a button by its action and value
  :tick <ISO time>          run the scheduler as if it were then, e.g. :tick 2026-12-01T09:30:00Z
  :inbox                    show your direct messages
  :help  :quit`;

export function startRepl(core: BotCore, inbox: Inbox, opts: ReplOptions): Repl {
  // Line editing and history only on a real terminal; plain lines otherwise (pipes, tests).
  const terminal = (opts.output as Partial<NodeJS.WriteStream>).isTTY === true;
  const rl = createInterface({ input: opts.input, output: opts.output, terminal });
  const say = (s: string): void => {
    opts.output.write(`${s}\n`);
  };
  let user = opts.user ?? 'alice';
  let channel: string | undefined = opts.channel ?? 'general';
  let buttons: Button[] = [];
  const prompt = () => opts.output.write(`${user}@${channel ?? 'dm'}> `);
  const hooks = { onFlushError: (err: unknown) => opts.log?.warn({ err }, 'repl: sending the outbox failed; it will be retried') };

  // Prints messages with buttons numbered across all of them, so ":press 3" knows which one is meant.
  function show(items: { where: string; text?: string; message?: Reply['message'] }[]): void {
    buttons = [];
    for (const item of items) {
      say(`-- ${item.where}`);
      if (item.message) {
        say(renderText(item.message, { firstButton: buttons.length + 1 }));
        buttons.push(...buttonsOf(item.message));
      } else if (item.text !== undefined) say(item.text);
    }
  }

  const whereReply = (r: Reply) =>
    'channel' in r ? `partnerbot in #${r.channel}` : r.message.private ? 'partnerbot (only you can see this)' : `partnerbot to @${r.user}`;
  const whereEntry = (e: InboxEntry) =>
    e.channel !== undefined
      ? `${e.from ?? 'partnerbot'} in #${e.channel}`
      : e.from === null
        ? `partnerbot to @${e.user}`
        : `${e.from} to partnerbot`;

  async function press(args: string[]): Promise<void> {
    let action: string | undefined;
    let value: string | undefined;
    if (args.length === 1 && /^\d+$/.test(args[0] ?? '')) {
      const button = buttons[Number(args[0]) - 1];
      if (!button) return say(`There is no button [${args[0]}] in the last replies.`);
      ({ id: action, value } = encodeAction(button.action));
    } else {
      [action, value] = [args[0], args.slice(1).join(' ')];
    }
    if (!action || !value) return say('Use ":press <n>" or ":press <action> <value>".');
    const replies = await pressButton(core, inbox, { user, channel }, action, value, hooks);
    show(replies.map((r) => ({ where: whereReply(r), message: r.message })));
  }

  async function tick(arg: string): Promise<void> {
    if (opts.allowTick === false) return say('Moving the clock is off here (a real chat platform is connected).');
    const now = new Date(arg);
    if (!arg || Number.isNaN(now.getTime())) return say('Use ":tick <ISO time>", e.g. ":tick 2026-12-01T09:30:00Z".');
    const before = inbox.lastSeq();
    await core.tick(now);
    const posted = inbox.since(before);
    say(`Ticked to ${now.toISOString()}: ${posted.length} message(s) posted.`);
    show(posted.map((e) => ({ where: whereEntry(e), text: e.text, ...(e.message ? { message: e.message } : {}) })));
  }

  function switchName(kind: 'user' | 'channel', arg: string): void {
    if (!NAME_PATTERN.test(arg)) return say(`"${arg}" is not a name I can use: letters, digits, ".", "_" and "-", at most 64.`);
    if (kind === 'user') user = arg;
    else channel = arg;
  }

  /** Returns false when the person asked to quit. */
  async function handle(line: string): Promise<boolean> {
    const trimmed = line.trim();
    if (!trimmed) return true;
    if (!trimmed.startsWith(':')) {
      const text = trimmed.startsWith('/') ? trimmed : `/partner ${trimmed}`;
      const replies = await typeCommand(core, inbox, { user, channel }, text, hooks);
      show(replies.map((r) => ({ where: whereReply(r), message: r.message })));
      if (replies.length === 0) say('(no reply)');
      return true;
    }
    const [cmd = '', ...args] = trimmed.slice(1).split(/\s+/);
    switch (cmd) {
      case 'quit':
      case 'q':
      case 'exit':
        return false;
      case 'help':
        say(REPL_HELP);
        break;
      case 'as':
        switchName('user', args.join(' '));
        break;
      case 'in':
        switchName('channel', args.join(' ').replace(/^#/, ''));
        break;
      case 'dm':
        channel = undefined;
        break;
      case 'press':
        await press(args);
        break;
      case 'tick':
        await tick(args[0] ?? '');
        break;
      case 'inbox': {
        const dms = inbox.user(user);
        if (dms.length === 0) say(`No direct messages for @${user} yet.`);
        show(dms.map((e) => ({ where: whereEntry(e), text: e.text, ...(e.message ? { message: e.message } : {}) })));
        break;
      }
      default:
        say(`Unknown ":${cmd}". Type :help for the list.`);
    }
    return true;
  }

  async function loop(): Promise<void> {
    say('partnerbot local console. Type :help for help.');
    prompt();
    // The async iterator hands over one line at a time, so commands run in the order typed.
    for await (const line of rl) {
      let go = true;
      try {
        go = await handle(line);
      } catch (err) {
        if (err instanceof UserError) say(err.message);
        else {
          opts.log?.error({ err }, 'repl: command failed');
          say(INTERNAL_ERROR);
        }
      }
      if (!go) break;
      prompt();
    }
    rl.close();
    opts.onClose?.();
  }

  const closed = loop();
  return { closed, close: () => rl.close() };
}
