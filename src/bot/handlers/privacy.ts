// export me / export partnership / forget me / delete partnership / audit: partners' data is theirs,
// and coordinators' actions are on the record. Queries beyond the Repo live in db/privacy-store.ts.
import {
  auditLog,
  consultationSummaries,
  deletePartnership,
  forgetMember,
  sealClosedPolls,
  summaries,
  tallies,
  tookPart,
} from '../../../db/privacy-store.ts';
import { sqlOf } from '../../../db/privacy-store.ts';
import { DEFAULT_AUDIT_ENTRIES, auditMessage } from '../../domain/audit.ts';
import type { Verb } from '../../domain/command-types.ts';
import { UserError } from '../../domain/errors.ts';
import { channelTarget, type Member, type Partnership } from '../../domain/partnership.ts';
import type { Repo } from '../../domain/ports.ts';
import {
  deletedNotice,
  deletePreview,
  exportFileName,
  exportMessage,
  forgetDone,
  forgetPreview,
  partnershipExport,
  personalExport,
  publishedResult,
  soleCoordinatorOf,
  type MembershipRecords,
  type PublishedResult,
} from '../../domain/privacy.ts';
import { pollResults, type Poll } from '../../domain/pulse.ts';
import type { CommandContext, CommandHandler, Deps, HandlerTable } from '../context.ts';
import { requireMember, requirePartnership } from '../resolve.ts';

async function memberships(ctx: CommandContext): Promise<{ member: Member; partnership: Partnership }[]> {
  const found = await ctx.tx.membersByIdentity(ctx.actor.identity);
  const out: { member: Member; partnership: Partnership }[] = [];
  for (const member of found) {
    const partnership = await ctx.tx.partnership(member.partnershipId);
    if (partnership) out.push({ member, partnership });
  }
  return out;
}

async function membershipRecords(tx: Repo, deps: Deps, member: Member, partnership: Partnership): Promise<MembershipRecords> {
  const db = sqlOf(tx);
  const consultations = await tx.consultations(partnership.id);
  const responses = (await Promise.all(consultations.map((c) => tx.responses(c.id)))).flat().filter((r) => r.memberId === member.id);
  const polls = await tx.polls(partnership.id);
  const took = new Set<string>();
  for (const poll of polls) if (await tookPart(db, poll.id, deps.voterHash(poll.id, member.id))) took.add(poll.id);
  const purged = new Set((await summaries(db, polls.map((x) => x.id))).keys());
  const purgedConsultations = new Set((await consultationSummaries(db, consultations.map((c) => c.id))).keys());
  return { partnership, member, consultations, responses, polls, tookPart: took, purged, purgedConsultations };
}

/** What a closed poll's results published (from its kept summary once past retention); null while open. */
export async function published(tx: Repo, poll: Poll, kept?: PublishedResult): Promise<PublishedResult | null> {
  if (poll.status !== 'closed') return null;
  if (kept) return kept;
  return publishedResult(pollResults(poll, await tx.ballots(poll.id), await tx.comments(poll.id)));
}

async function audit(ctx: CommandContext, partnershipId: string, actorId: string | null, action: string, detail: string): Promise<void> {
  await ctx.tx.audit({ partnershipId, actorId, action, detail, at: ctx.now.toISOString() });
}

export const privacyHandlers: HandlerTable = {
  'export.me': async (_cmd, ctx) => {
    const mine = await memberships(ctx);
    const records: MembershipRecords[] = [];
    for (const { member, partnership } of mine) {
      records.push(await membershipRecords(ctx.tx, ctx.deps, member, partnership));
      await audit(ctx, partnership.id, member.id, 'export.me', '');
    }
    const note = mine.length
      ? `Everything partnerbot holds about you in ${mine.length === 1 ? 'one partnership' : `${mine.length} partnerships`}, as JSON. Only you can see this.`
      : 'partnerbot holds nothing about you: you are not a member of any partnership. Only you can see this.';
    return [exportMessage('Your data', exportFileName('me', ctx.now), personalExport(ctx.actor.identity, records, ctx.now), note)];
  },

  'export.partnership': async (_cmd, ctx) => {
    const p = requirePartnership(ctx);
    const me = requireMember(ctx);
    const db = sqlOf(ctx.tx);
    const consultations = await ctx.tx.consultations(p.id);
    const polls = await ctx.tx.polls(p.id);
    const kept = await summaries(db, polls.map((x) => x.id));
    const keptCounts = await consultationSummaries(db, consultations.map((c) => c.id));
    const data = partnershipExport(
      {
        partnership: p,
        channels: await ctx.tx.channels(p.id),
        members: await ctx.tx.members(p.id),
        consultations: await Promise.all(
          consultations.map(async (c) => ({
            consultation: c,
            responses: await ctx.tx.responses(c.id),
            forgottenResponses: await tallies(db, c.id),
            keptCounts: keptCounts.get(c.id) ?? null,
          })),
        ),
        polls: await Promise.all(polls.map(async (poll) => ({ poll, published: await published(ctx.tx, poll, kept.get(poll.id)) }))),
        audit: (await auditLog(db, p.id, 100_000)).reverse(),
      },
      ctx.now,
    );
    await audit(ctx, p.id, me.id, 'export.partnership', '');
    return [exportMessage('Partnership data', exportFileName('partnership', ctx.now), data, 'Everything this partnership holds, as JSON: members, consultations and responses, published poll results (never individual answers) and the audit log. Only you can see this.')];
  },

  'forget.me': async (cmd, ctx) => {
    const mine = await memberships(ctx);
    for (const { member, partnership } of mine) {
      if (soleCoordinatorOf(member, await ctx.tx.members(partnership.id))) {
        throw new UserError(
          `You are the only coordinator of ${partnership.name}, so it would be left with nobody to run it: give someone else the coordinator role first (/partner role @name coordinator), or delete the partnership (/partner delete partnership).`,
        );
      }
    }
    const names = mine.map((x) => x.partnership.name);
    if (!cmd.confirm) return [forgetPreview(names)];
    const db = sqlOf(ctx.tx);
    for (const { member, partnership } of mine) {
      await forgetMember(db, member, (pollId) => ctx.deps.voterHash(pollId, member.id));
      // Recorded without saying who: the entry must not undo the erasure.
      await audit(ctx, partnership.id, null, 'forget.me', '');
    }
    return [forgetDone(names)];
  },

  'delete.partnership': async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    const me = requireMember(ctx);
    const counts = {
      members: (await ctx.tx.members(p.id)).length,
      consultations: (await ctx.tx.consultations(p.id)).length,
      polls: (await ctx.tx.polls(p.id)).length,
    };
    if (!cmd.confirm) return [deletePreview(p, counts)];
    const channels = await ctx.tx.channels(p.id);
    await deletePartnership(sqlOf(ctx.tx), p.id);
    // The one entry that outlives the partnership: who deleted it (an id that now names nobody), and how much.
    await audit(ctx, p.id, me.id, 'delete.partnership', `${counts.members} members, ${counts.consultations} consultations, ${counts.polls} polls`);
    const here = ctx.actor.channel;
    const others = channels.filter((ch) => !here || ch.platform !== here.platform || ch.workspace !== here.workspace || ch.channel !== here.channel);
    if (others.length) {
      await ctx.tx.enqueue(
        others.map((ch) => ({ key: `deleted:${p.id}:${ch.platform}:${ch.workspace}:${ch.channel}`, partnershipId: null, target: channelTarget(ch), message: deletedNotice(p.name) })),
        ctx.now.toISOString(),
      );
    }
    return [deletedNotice(p.name)];
  },

  audit: async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    const limit = cmd.limit ?? DEFAULT_AUDIT_ENTRIES;
    const entries = await auditLog(sqlOf(ctx.tx), p.id, limit);
    return [auditMessage(p, entries, await ctx.tx.members(p.id), limit)];
  },
};

/** Wraps the `pulse.close` handler: once a poll is closed its ballots are sealed in the same
 * transaction, so no answer stays linkable to a voter, even with the server secret. */
export function sealingBallots<V extends Verb>(handler: CommandHandler<V>): CommandHandler<V> {
  return async (cmd, ctx) => {
    const replies = await handler(cmd, ctx);
    if (ctx.partnership) await sealClosedPolls(sqlOf(ctx.tx), ctx.partnership.id);
    return replies;
  };
}
