// consult, consult.list, respond, feedback: opening consultations, answering them, closing the loop.
import type { AudienceSpec } from '../../domain/command-types.ts';
import {
  announcement,
  consultCommandText,
  coordinatorList,
  coordinators,
  daysLeft,
  deadlineWarnings,
  isAsked,
  isTakingResponses,
  memberList,
  moreTimeNotice,
  nudgePlan,
  overloadText,
  overloadWarnings,
  resolveAudience,
  responseConfirmation,
  type Audience,
  type Consultation,
} from '../../domain/consultation.ts';
import { UserError } from '../../domain/errors.ts';
import { feedbackPost, feedbackPosted, responders } from '../../domain/feedback.ts';
import { context, para, privateMessage, type Block, type Message } from '../../domain/message.ts';
import { hasRole, SECTOR_LABELS, type Member, type Partnership } from '../../domain/partnership.ts';
import { formatDate, isIsoDate } from '../../domain/time.ts';
import type { CommandContext, HandlerTable } from '../context.ts';
import { toChannels, toMembers } from '../outbox.ts';
import { requireMember, requirePartnership, resolveUser } from '../resolve.ts';

async function toAudience(spec: AudienceSpec, ctx: CommandContext): Promise<Audience> {
  if (spec.all) return { all: true };
  const memberIds: string[] = [];
  for (const ref of spec.users) {
    const m = await resolveUser(ref, ctx);
    if (!memberIds.includes(m.id)) memberIds.push(m.id);
  }
  return { sectors: [...new Set(spec.sectors)], memberIds };
}

/** The consultation an id names, in the actor's partnership, or a UserError naming the id. */
async function findConsultation(id: string, ctx: CommandContext, p: Partnership): Promise<Consultation> {
  const c = await ctx.tx.consultation(id);
  if (!c || c.partnershipId !== p.id) {
    throw new UserError(`There is no consultation "${id}" in ${p.name}. \`/partner consult list\` shows the open ones.`);
  }
  return c;
}

function nobodyAsked(audience: Audience): string {
  if (audience.all) return 'Nobody would be asked: the partnership has no members yet.';
  const sectors = audience.sectors.map((s) => SECTOR_LABELS[s]).join(', ');
  return `Nobody would be asked: ${sectors ? `no members are in the ${sectors} yet` : 'name some sectors or members'}. Try \`to all\`, or check \`/partner members\`.`;
}

export const consultationHandlers: HandlerTable = {
  consult: async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    const me = requireMember(ctx);
    if (daysLeft(cmd.deadline, p, ctx.now) < 0) {
      throw new UserError(`The deadline ${formatDate(cmd.deadline)} has already passed in ${p.timezone}: choose a later date.`);
    }
    const members = await ctx.tx.members(p.id);
    const audience = await toAudience(cmd.audience, ctx);
    const asked = resolveAudience(audience, members);
    if (asked.length === 0) throw new UserError(nobodyAsked(audience));

    // Overload is checked before opening: the coordinator decides, with one click, to open anyway.
    const open = await ctx.tx.consultations(p.id, ['open']);
    const overload = overloadWarnings(p, cmd.deadline, asked, open, members);
    if (overload.length > 0 && !cmd.confirm) {
      return [
        privateMessage(
          'Not opened yet: some partners would be overloaded',
          ...overload.map((w) => ({ kind: 'text', text: overloadText(w, p) }) as Block),
          para('Consider a later deadline, or open it anyway.'),
          { kind: 'buttons', buttons: [{ label: 'Open anyway', style: 'danger', action: { type: 'command', text: `${consultCommandText(cmd)} anyway` } }] },
        ),
      ];
    }

    const c: Consultation = {
      id: ctx.deps.ids.next('c'),
      partnershipId: p.id,
      title: cmd.title,
      link: cmd.link ?? null,
      ownerId: me.id,
      openedAt: ctx.now.toISOString(),
      deadline: cmd.deadline,
      audience,
      status: 'open',
      feedback: null,
      feedbackAt: null,
    };
    await ctx.tx.insertConsultation(c);
    await ctx.tx.scheduleJobs(nudgePlan(c, p, ctx.now));
    await ctx.tx.audit({ partnershipId: p.id, actorId: me.id, action: 'consultation.open', detail: `${c.id} due ${c.deadline}, ${asked.length} asked`, at: c.openedAt });

    const post = announcement(c, p, members, me, ctx.now);
    await toChannels(ctx.tx, p.id, `consult:${c.id}`, post, ctx.now, ctx.actor.channel);

    const replies: Message[] = [post];
    const warnings = deadlineWarnings(p, c.deadline, ctx.now);
    if (warnings.length > 0 || overload.length > 0) {
      replies.push(
        privateMessage(
          'Opened, but note',
          ...warnings.map((w) => para(w)),
          ...overload.map((w) => ({ kind: 'text', text: overloadText(w, p) }) as Block),
          context(`Only you can see this. ${c.id}`),
        ),
      );
    }
    return replies;
  },

  'consult.list': async (_cmd, ctx) => {
    const p = requirePartnership(ctx);
    const me = requireMember(ctx);
    const members = await ctx.tx.members(p.id);
    const views = [];
    for (const c of await ctx.tx.consultations(p.id, ['open'])) {
      views.push({ consultation: c, asked: resolveAudience(c.audience, members), responses: await ctx.tx.responses(c.id) });
    }
    views.sort((a, b) => a.consultation.deadline.localeCompare(b.consultation.deadline));
    return [hasRole(me, 'coordinator') ? coordinatorList(views, p, ctx.now) : memberList(views, me, p, ctx.now)];
  },

  respond: async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    const me = requireMember(ctx);
    const c = await findConsultation(cmd.consultationId, ctx, p);
    if (!isAsked(c.audience, me)) {
      throw new UserError(`You were not asked in “${c.title}” (${c.id}), so there is nothing to answer.`);
    }
    if (!isTakingResponses(c, p, ctx.now)) {
      throw new UserError(`The deadline for “${c.title}” was ${formatDate(c.deadline)}: it no longer takes responses. Speak to the coordinator if you still want to contribute.`);
    }
    const proposedDate = cmd.kind === 'more_time' ? (cmd.proposedDate ?? null) : null;
    if (proposedDate !== null && (!isIsoDate(proposedDate) || proposedDate <= c.deadline)) {
      throw new UserError(`Propose a date after the current deadline, ${formatDate(c.deadline)}.`);
    }
    await ctx.tx.upsertResponse({ consultationId: c.id, memberId: me.id, kind: cmd.kind, proposedDate, at: ctx.now.toISOString() });
    if (cmd.kind === 'more_time') {
      const members = await ctx.tx.members(p.id);
      const owner = members.find((m) => m.id === c.ownerId);
      const told = [...(owner ? [owner] : []), ...coordinators(members).filter((m) => m.id !== c.ownerId)].filter((m) => m.id !== me.id);
      await toMembers(ctx.tx, told, `more_time:${c.id}:${me.id}:${proposedDate ?? 'none'}`, moreTimeNotice(c, me, proposedDate), ctx.now);
    }
    return [responseConfirmation(c, cmd.kind, proposedDate)];
  },

  feedback: async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    const me = requireMember(ctx);
    const c = await findConsultation(cmd.consultationId, ctx, p);
    if (!hasRole(me, 'coordinator') && me.id !== c.ownerId) {
      throw new UserError('Only a coordinator or the consultation’s owner can post its feedback.');
    }
    const summary = cmd.text.trim();
    if (!summary) throw new UserError(`Say what was done with the responses: \`/partner feedback ${c.id} <summary>\`.`);
    if (c.status === 'open') {
      throw new UserError(`“${c.title}” is open until ${formatDate(c.deadline)}; post its feedback after the deadline.`);
    }
    // A closed consultation may be posted again: a correction goes out marked "updated" (and is audited).
    const corrected = c.status === 'closed';
    const at = ctx.now.toISOString();
    const closed: Consultation = { ...c, status: 'closed', feedback: summary, feedbackAt: at };
    await ctx.tx.updateConsultation(closed);
    await ctx.tx.cancelJobs('feedback.chase', c.id);

    const members = await ctx.tx.members(p.id);
    const owner = members.find((m) => m.id === c.ownerId) ?? null;
    const post = feedbackPost(closed, owner, summary, corrected);
    const key = corrected ? `feedback:${c.id}:update:${at}` : `feedback:${c.id}`;
    const asked = resolveAudience(c.audience, members);
    const told = responders(asked, await ctx.tx.responses(c.id));
    const channels = (await ctx.tx.channels(p.id)).length;
    await toChannels(ctx.tx, p.id, key, post, ctx.now);
    await toMembers(ctx.tx, told, key, post, ctx.now);
    await ctx.tx.audit({
      partnershipId: p.id,
      actorId: me.id,
      action: corrected ? 'feedback.update' : 'feedback.post',
      detail: `${c.id}: ${summary}`,
      at,
    });
    return [feedbackPosted(closed, channels, told.length)];
  },
};

