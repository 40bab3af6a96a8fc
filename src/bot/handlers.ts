// Command + actor -> partnership and member -> permission -> handler, all in one transaction.
import type { Command } from '../domain/command-types.ts';
import type { Consultation } from '../domain/consultation.ts';
import { parseCommand } from '../domain/commands.ts';
import { UserError } from '../domain/errors.ts';
import { decodeAction, para, privateMessage, t, u, type Message } from '../domain/message.ts';
import type { Member, Partnership } from '../domain/partnership.ts';
import { denial, PERMISSIONS } from '../domain/permissions.ts';
import type { Repo } from '../domain/ports.ts';
import type { Poll } from '../domain/pulse.ts';
import type { Actor, CommandContext, CommandHandler, Deps, HandlerTable } from './context.ts';
import { NO_PARTNERSHIP } from './resolve.ts';

const DEFAULT_TIMEZONE = 'Europe/London';

/** About the person across all their partnerships, so a direct message needs no partnership. */
const PERSONAL: ReadonlySet<Command['verb']> = new Set(['help', 'home', 'export.me', 'forget.me', 'link.use']);
/** Still allowed once a partnership is wound up: its people keep their rights over its records. */
const AFTER_WIND_UP: ReadonlySet<Command['verb']> = new Set([...PERSONAL, 'export.partnership', 'delete.partnership', 'audit']);

export interface CommandRunner {
  runCommand(actor: Actor, text: string): Promise<Message[]>;
  runAction(actor: Actor, actionId: string, value: string): Promise<Message[]>;
}

function problem(text: string, usage?: string): Message {
  const blocks = [para(u(text))];
  if (usage) blocks.push(para(t('Usage: '), u(usage)));
  return { ...privateMessage(undefined, ...blocks), error: true };
}

/** Repo methods that only read: calling them keeps the consultation a CommandTx holds. */
const READS: ReadonlySet<PropertyKey> = new Set<keyof Repo>([
  'partnership', 'partnershipByChannel', 'channels', 'member', 'members', 'memberByIdentity', 'membersByIdentity', 'consultation',
  'consultationScope', 'consultations', 'responses', 'poll', 'polls', 'hasVoted', 'ballots', 'ballotCount', 'comments',
]);

/**
 * A command's transaction as its handler sees it. It notes whether the command put anything in the
 * outbox (only then is the dispatcher woken: most commands send nothing later). And it answers a read
 * of the consultation that resolveScope read to find the partnership (`hold`) without asking the
 * database again, until anything but a read is called through it (a write may change it).
 */
class CommandTx {
  readonly repo: Repo;
  wroteOutbox = false;
  private held: Consultation | null = null;

  constructor(tx: Repo) {
    this.repo = new Proxy(tx, {
      get: (target, prop) => {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const fn = value as (...args: unknown[]) => unknown;
        if (prop === 'consultation') {
          return (id: string) => (this.held && this.held.id === id ? Promise.resolve(this.held) : fn.call(target, id));
        }
        if (READS.has(prop)) return fn.bind(target);
        return (...args: unknown[]) => {
          this.held = null;
          if (prop === 'enqueue') this.wroteOutbox = true;
          return fn.apply(target, args);
        };
      },
    });
  }

  hold(c: Consultation): void {
    this.held = c;
  }
}

/** The partnership a command is about: the one its object belongs to, else the channel's, else in a
 * direct message the actor's only one. */
async function resolveScope(
  commandTx: CommandTx,
  actor: Actor,
  cmd: Command | null,
): Promise<{ partnership: Partnership | null; member: Member | null; poll?: Poll }> {
  const tx = commandTx.repo;
  let poll: Poll | undefined;
  let partnership: Partnership | null = null;
  let member: Member | null | undefined;
  if (cmd && 'consultationId' in cmd) {
    // One query for the consultation, its partnership and the member; the handler's read of the
    // consultation is answered from it (hold).
    const found = await tx.consultationScope(cmd.consultationId, actor.identity);
    if (found) {
      commandTx.hold(found.consultation);
      ({ partnership, member } = found);
    }
  } else if (cmd && 'pollId' in cmd && cmd.pollId) {
    // One query for the poll, its partnership and the member, and the poll goes to the handler: a
    // button press is the hottest path.
    const found = await tx.pollScope(cmd.pollId, actor.identity);
    if (found) ({ poll, partnership, member } = found);
  }
  if (!partnership && actor.channel) partnership = await tx.partnershipByChannel(actor.channel);
  if (!partnership && !actor.channel) {
    const memberships = await tx.membersByIdentity(actor.identity);
    if (memberships.length === 1) partnership = await tx.partnership(memberships[0]!.partnershipId);
    else if (memberships.length > 1 && cmd && !PERSONAL.has(cmd.verb)) {
      const names = (await Promise.all(memberships.map((m) => tx.partnership(m.partnershipId)))).map((p) => p?.name).filter(Boolean);
      throw new UserError(`You are in several partnerships (${names.join(', ')}): run this in the partnership's channel.`);
    }
  }
  if (member === undefined) member = partnership ? await tx.memberByIdentity(partnership.id, actor.identity) : null;
  return { partnership, member, poll };
}

export interface RunnerOptions {
  /** Called once a command that put messages in the outbox has committed (to send them now). */
  onOutbox?: () => void;
}

export function createCommandRunner(deps: Deps, handlers: HandlerTable, opts: RunnerOptions = {}): CommandRunner {
  async function execute(
    actor: Actor,
    build: (tx: Repo, now: Date, scope: { partnership: Partnership | null }) => Command | Message,
    hint: Command | null,
    now: Date = deps.clock.now(),
  ): Promise<Message[]> {
    let wroteOutbox = false;
    try {
      const replies = await deps.store.transaction(async (transaction) => {
        const commandTx = new CommandTx(transaction);
        const tx = commandTx.repo;
        const { partnership, member, poll } = await resolveScope(commandTx, actor, hint);
        const built = build(tx, now, { partnership });
        if (!('verb' in built)) return [built];
        const cmd = built;
        if (partnership && partnership.status === 'wound_up' && !AFTER_WIND_UP.has(cmd.verb)) {
          throw new UserError(`${partnership.name} has been wound up; its records are kept but it takes no new work.`);
        }
        if (!partnership && PERMISSIONS[cmd.verb] !== 'anyone') throw new UserError(NO_PARTNERSHIP);
        const denied = denial(cmd.verb, member);
        if (denied) throw new UserError(denied);
        const handler = handlers[cmd.verb] as CommandHandler<typeof cmd.verb> | undefined;
        if (!handler) throw new UserError(`\`${cmd.verb}\` is not available yet.`);
        const ctx: CommandContext = { deps, tx, actor, now, partnership, member, poll };
        const out = await handler(cmd as never, ctx);
        wroteOutbox = commandTx.wroteOutbox;
        return out;
      });
      if (wroteOutbox) opts.onOutbox?.();
      return replies;
    } catch (err) {
      if (err instanceof UserError) return [problem(err.message)];
      deps.log.error({ err, platform: actor.identity.platform }, 'command failed');
      return [problem('Something went wrong on my side, and nothing was changed. Please try again in a minute; if it keeps happening, tell your coordinator.')];
    }
  }

  return {
    runCommand(actor, text) {
      // Parse once with the default timezone to learn which object the command names, then again in
      // the partnership's timezone (when it has another) so dates mean that partnership's "today".
      const now = deps.clock.now();
      const first = parseCommand(text, { now, timezone: DEFAULT_TIMEZONE });
      const build = (_tx: Repo, at: Date, { partnership }: { partnership: Partnership | null }) => {
        const timezone = partnership?.timezone ?? DEFAULT_TIMEZONE;
        const parsed = timezone === DEFAULT_TIMEZONE ? first : parseCommand(text, { now: at, timezone });
        return parsed.ok ? parsed.command : problem(parsed.error, parsed.usage);
      };
      return execute(actor, build, first.ok ? first.command : null, now);
    },

    runAction(actor, actionId, value) {
      const action = decodeAction(actionId, value);
      if ('error' in action) return Promise.resolve([problem(action.error)]);
      let cmd: Command | null;
      switch (action.type) {
        case 'consult.respond':
          cmd = { verb: 'respond', consultationId: action.consultationId, kind: action.kind };
          break;
        case 'pulse.answer':
          cmd = { verb: 'pulse.answer', pollId: action.pollId, answers: { [action.block]: action.score } };
          break;
        case 'command':
          return this.runCommand(actor, action.text);
      }
      const fixed = cmd;
      return execute(actor, () => fixed, fixed);
    },
  };
}
