// A recording stand-in for the bot core, for the local adapter's own contract tests only
// (the true end-to-end test drives the real core).
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { Actor } from '../../../src/bot/context.ts';
import { UserError } from '../../../src/domain/errors.ts';
import { b, message, para, privateMessage, u, type Message } from '../../../src/domain/message.ts';
import type { Target } from '../../../src/domain/partnership.ts';
import type { BotCore, Sender } from '../../../src/adapters/local/bot-port.ts';

export class FakeCore implements BotCore {
  commands: { actor: Actor; text: string }[] = [];
  actions: { actor: Actor; actionId: string; value: string }[] = [];
  ticks: Date[] = [];
  flushes = 0;
  isHealthy = true;
  failFlush = false;
  private pending: { target: Target; message: Message }[] = [];

  constructor(private readonly sender: Sender) {}

  async runCommand(actor: Actor, text: string): Promise<Message[]> {
    this.commands.push({ actor, text });
    if (text.includes('boom')) throw new Error('database exploded at /srv/secret/db.ts:42');
    if (text.includes('usererr')) throw new UserError('Only a coordinator can do that.');
    if (text.includes('notify')) {
      // Like a command that DMs someone through the outbox: delivered only on flush.
      this.pending.push({ target: { kind: 'user', platform: 'local', workspace: 'local', user: 'bob' }, message: message(undefined, para('You were added by ', u(actor.displayName))) });
    }
    return [message('Reply', para('You said: ', u(text))), privateMessage(undefined, para(b('Only for you')))];
  }

  async runAction(actor: Actor, actionId: string, value: string): Promise<Message[]> {
    this.actions.push({ actor, actionId, value });
    return [privateMessage('Thanks', para(`Pressed ${actionId} = ${value}`))];
  }

  async greet(actor: Actor): Promise<Message | null> {
    return message('Welcome', para('Hello ', u(actor.displayName)));
  }

  async home(actor: Actor): Promise<Message> {
    return privateMessage('Home', para('Home of ', u(actor.displayName)));
  }

  async tick(now: Date): Promise<void> {
    this.ticks.push(now);
    await this.sender.send({ kind: 'channel', platform: 'local', workspace: 'local', channel: 'general' }, message('Digest', para(`As of ${now.toISOString()}`)));
    await this.flush();
  }

  async flush(): Promise<void> {
    this.flushes++;
    if (this.failFlush) throw new Error('chat platform down');
    const due = this.pending.splice(0);
    for (const p of due) await this.sender.send(p.target, p.message);
  }

  async healthy(): Promise<boolean> {
    return this.isHealthy;
  }
}

/** A pino logger whose JSON lines are kept for assertions. */
export function recordingLogger(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      raw.push(String(chunk));
      cb();
    },
  });
  return {
    log: pino({ level: 'debug' }, stream),
    lines: () => raw.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
