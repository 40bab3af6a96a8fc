// Command + actor -> partnership and member -> permission -> handler, all in one transaction.
import type { Command } from '../domain/command-types.ts';
import { parseCommand } from '../domain/commands.ts';
import { UserError } from '../domain/errors.ts';
import { decodeAction, para, privateMessage, t, u, type Message } from '../domain/message.ts';
import type { Member, Partnership } from '../domain/partnership.ts';
import { denial, PERMISSIONS } from '../domain/permissions.ts';
import type { Repo } from '../domain/ports.ts';
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

/** The partnership a command is about: the one its object belongs to, else the channel's, else in a
 * direct message the actor's only one. */
async function resolveScope(tx: Repo, actor: Actor, cmd: Command | null): Promise<{ partnership: Partnership | null; member: Member | null }> {
  let partnershipId: string | null = null;
  if (cmd && 'consultationId' in cmd) partnershipId = (await tx.consultation(cmd.consultationId))?.partnershipId ?? null;
  if (cmd && 'pollId' in cmd && cmd.pollId) partnershipId = (await tx.poll(cmd.pollId))?.partnershipId ?? null;
  let partnership = partnershipId ? await tx.partnership(partnershipId) : null;
  if (!partnership && actor.channel) partnership = await tx.partnershipByChannel(actor.channel);
  if (!partnership && !actor.channel) {
    const memberships = await tx.membersByIdentity(actor.identity);
    if (memberships.length === 1) partnership = await tx.partnership(memberships[0]!.partnershipId);
    else if (memberships.length > 1 && cmd && !PERSONAL.has(cmd.verb)) {
      const names = (await Promise.all(memberships.map((m) => tx.partnership(m.partnershipId)))).map((p) => p?.name).filter(Boolean);
      throw new UserError(`You are in several partnerships (${names.join(', ')}): run this in the partnership's channel.`);
    }
  }
  const member = partnership ? await tx.memberByIdentity(partnership.id, actor.identity) : null;
  return { partnership, member };
}

export function createCommandRunner(deps: Deps, handlers: HandlerTable): CommandRunner {
  async function execute(actor: Actor, build: (tx: Repo, now: Date, scope: { partnership: Partnership | null }) => Command | Message, hint: Command | null): Promise<Message[]> {
    const now = deps.clock.now();
    try {
      return await deps.store.transaction(async (tx) => {
        const { partnership, member } = await resolveScope(tx, actor, hint);
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
        const ctx: CommandContext = { deps, tx, actor, now, partnership, member };
        return handler(cmd as never, ctx);
      });
    } catch (err) {
      if (err instanceof UserError) return [problem(err.message)];
      deps.log.error({ err, platform: actor.identity.platform }, 'command failed');
      return [problem('Something went wrong on my side, and nothing was changed. Please try again in a minute; if it keeps happening, tell your coordinator.')];
    }
  }

  function parse(text: string, now: Date, partnership: Partnership | null): Command | Message {
    const parsed = parseCommand(text, { now, timezone: partnership?.timezone ?? DEFAULT_TIMEZONE });
    return parsed.ok ? parsed.command : problem(parsed.error, parsed.usage);
  }

  return {
    runCommand(actor, text) {
      // Parse once with the default timezone to learn which object the command names, then again in
      // the partnership's timezone so dates mean that partnership's "today".
      const first = parseCommand(text, { now: deps.clock.now(), timezone: DEFAULT_TIMEZONE });
      return execute(actor, (_tx, now, { partnership }) => parse(text, now, partnership), first.ok ? first.command : null);
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
