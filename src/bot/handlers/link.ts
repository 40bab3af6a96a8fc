// link / link <code>: one partnership across Slack and Teams. A member asks for a one-time code and
// types it on the other platform: in a new channel (coordinators) it joins that channel to the
// partnership; in a direct message it adds that account to their membership.
import { linkCodeSaved, linkDone, LINK_CODE_MINUTES } from '../../domain/link.ts';
import { UserError } from '../../domain/errors.ts';
import { sameIdentity } from '../../domain/partnership.ts';
import { saveLinkCode, takeLinkCode } from '../../../db/link-codes.ts';
import type { HandlerTable } from '../context.ts';
import { randomCode } from '../ids.ts';
import { requireMember, requirePartnership } from '../resolve.ts';

export const linkHandlers: HandlerTable = {
  link: async (_cmd, ctx) => {
    const p = requirePartnership(ctx);
    const me = requireMember(ctx);
    const code = randomCode(8);
    await saveLinkCode(ctx.tx, code, p.id, me.id, new Date(ctx.now.getTime() + LINK_CODE_MINUTES * 60_000));
    await ctx.tx.audit({ partnershipId: p.id, actorId: me.id, action: 'link.code', detail: '', at: ctx.now.toISOString() });
    return [linkCodeSaved(p, me, code)];
  },

  'link.use': async (cmd, ctx) => {
    const found = await takeLinkCode(ctx.tx, cmd.code, ctx.now);
    if (!found) throw new UserError('That code is unknown, used or expired (codes last an hour and work once). Ask for a new one with `/partner link`.');
    const p = await ctx.tx.partnership(found.partnershipId);
    const member = await ctx.tx.member(found.memberId);
    if (!p || !member || p.status !== 'active') throw new UserError('The partnership or person that code was for no longer exists.');

    const identity = ctx.actor.identity;
    const holder = await ctx.tx.memberByIdentity(p.id, identity);
    if (holder && holder.id !== member.id) {
      throw new UserError(`This account is already ${holder.name} in ${p.name}; one account can be one member only.`);
    }
    const channel = ctx.actor.channel;
    let channelLinked = false;
    if (channel) {
      const owner = await ctx.tx.partnershipByChannel(channel);
      if (owner && owner.id !== p.id) throw new UserError(`This channel already belongs to ${owner.name}.`);
      if (!owner) {
        if (!member.roles.includes('coordinator')) {
          throw new UserError(`Only a coordinator can join a channel to ${p.name}. Type the code in a direct message to me to connect just your account.`);
        }
        await ctx.tx.addChannel(p.id, channel);
        channelLinked = true;
      }
    }
    const accountLinked = !member.identities.some((i) => sameIdentity(i, identity));
    if (accountLinked) await ctx.tx.updateMember({ ...member, identities: [...member.identities, identity] });
    await ctx.tx.audit({
      partnershipId: p.id,
      actorId: member.id,
      action: 'link.use',
      detail: `${identity.platform}${channelLinked ? ' channel' : ''}${accountLinked ? ' account' : ''}`,
      at: ctx.now.toISOString(),
    });
    return [linkDone(p, member, identity.platform, { channelLinked, accountLinked })];
  },
};
