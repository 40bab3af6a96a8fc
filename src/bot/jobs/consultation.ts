// Scheduled consultation work: nudges before the deadline, the deadline itself, feedback chases.
import { isTakingResponses, nudgePlan, nudgeMessage, resolveAudience, type Consultation } from '../../domain/consultation.ts';
import { feedbackChase, feedbackChasePlan, feedbackOwners, feedbackRequest } from '../../domain/feedback.ts';
import type { JobContext, JobTable } from '../context.ts';
import { toMembers } from '../outbox.ts';

/** The job's consultation, if it still exists in the job's partnership. */
async function consultationOf(ctx: JobContext): Promise<Consultation | null> {
  const c = await ctx.tx.consultation(ctx.job.ref);
  return c && c.partnershipId === ctx.partnership.id ? c : null;
}

const SUPERSEDE_CHECK_AFTER_MS = 20 * 60 * 60 * 1000;

export const consultationJobs: JobTable = {
  // Only those who have not answered at all are nudged: "not relevant" and "need more time" count as answers.
  'consultation.nudge': async (ctx) => {
    const c = await consultationOf(ctx);
    if (!c || !isTakingResponses(c, ctx.partnership, ctx.now)) return;
    // After downtime several nudges may be due at once: only the latest goes out. Nudges fall on
    // different local days (at least ~23 h apart, allowing for DST), so a job less than 20 h late
    // cannot have been overtaken and the plan need not be recomputed (the hot path of a tick).
    const now = ctx.now.getTime();
    const dueAt = Date.parse(ctx.job.dueAt);
    const superseded =
      now - dueAt >= SUPERSEDE_CHECK_AFTER_MS &&
      nudgePlan(c, ctx.partnership, new Date(c.openedAt)).some(
        (j) => j.kind === 'consultation.nudge' && Date.parse(j.dueAt) > dueAt && Date.parse(j.dueAt) <= now,
      );
    if (superseded) return;
    const asked = resolveAudience(c.audience, await ctx.tx.members(c.partnershipId));
    const answered = new Set((await ctx.tx.responses(c.id)).map((r) => r.memberId));
    const pending = asked.filter((m) => !answered.has(m.id));
    await toMembers(ctx.tx, pending, `nudge:${c.id}:${ctx.job.step}`, nudgeMessage(c, ctx.partnership, ctx.now), ctx.now);
  },

  'consultation.deadline': async (ctx) => {
    const c = await consultationOf(ctx);
    if (!c || c.status !== 'open') return;
    await ctx.tx.updateConsultation({ ...c, status: 'awaiting_feedback' });
    const members = await ctx.tx.members(c.partnershipId);
    const asked = resolveAudience(c.audience, members);
    const responses = await ctx.tx.responses(c.id);
    // The owner is asked; if they have left the partnership, the coordinators are asked instead.
    const owner = members.find((m) => m.id === c.ownerId);
    const to = owner ? [owner] : feedbackOwners(c, members);
    await toMembers(ctx.tx, to, `feedback_request:${c.id}`, feedbackRequest(c, asked, responses), ctx.now);
    await ctx.tx.scheduleJobs(feedbackChasePlan(c, ctx.partnership));
  },

  'feedback.chase': async (ctx) => {
    const c = await consultationOf(ctx);
    if (!c || c.status !== 'awaiting_feedback') return;
    const to = feedbackOwners(c, await ctx.tx.members(c.partnershipId));
    await toMembers(ctx.tx, to, `feedback_chase:${c.id}:${ctx.job.step}`, feedbackChase(c, ctx.partnership, ctx.now), ctx.now);
  },
};
