// Finding the member a command names, and the partnership/member a handler requires.
import type { UserRef } from '../domain/command-types.ts';
import { UserError } from '../domain/errors.ts';
import type { Member, Partnership } from '../domain/partnership.ts';
import type { CommandContext } from './context.ts';

/** The member a mention or a name refers to, in the actor's partnership, or a UserError saying who was not found. */
export async function resolveUser(ref: UserRef, ctx: CommandContext): Promise<Member> {
  const p = requirePartnership(ctx);
  if ('id' in ref) {
    const found = await ctx.tx.memberByIdentity(p.id, { ...ctx.actor.identity, user: ref.id });
    if (!found) throw new UserError(`The person you mentioned is not a member of ${p.name} yet: they can join with \`/partner join\`.`);
    return found;
  }
  const wanted = ref.name.replace(/^@/, '').trim().toLowerCase();
  const matches = (await ctx.tx.members(p.id)).filter((m) => m.name.toLowerCase() === wanted);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new UserError(`More than one member is called "${ref.name}": mention the person instead.`);
  throw new UserError(`Nobody called "${ref.name}" is a member of ${p.name}. \`/partner members\` lists who is.`);
}

export const NO_PARTNERSHIP =
  'This channel is not linked to a partnership yet. A coordinator can start one here with `/partner setup <name>`, or join it to an existing one with `/partner link`.';

export function requirePartnership(ctx: CommandContext): Partnership {
  if (!ctx.partnership) throw new UserError(NO_PARTNERSHIP);
  return ctx.partnership;
}

export function requireMember(ctx: CommandContext): Member {
  if (!ctx.member) throw new UserError('You are not a member of this partnership yet. Join with `/partner join <sector> <organisation>`.');
  return ctx.member;
}
