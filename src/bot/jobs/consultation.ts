// Scheduled consultation work: nudges before the deadline, the deadline itself, feedback chases.
import { nudgeMessage, nudgeStillDue, resolveAudience, unanswered, type Consultation } from '../../domain/consultation.ts';
import { feedbackChase, feedbackChasePlan, feedbackOwners, feedbackRequest } from '../../domain/feedback.ts';
import type { NewOutbox, Recipient } from '../../domain/ports.ts';
import type { JobBatchContext, JobContext, JobRunner, JobTable } from '../context.ts';
import { groupBy } from '../group.ts';
import { directMessages, toMembers } from '../outbox.ts';

/** The job's consultation, if it still exists in the job's partnership. */
async function consultationOf(ctx: JobContext): Promise<Consultation | null> {
  const c = await ctx.tx.consultation(ctx.job.ref);
  return c && c.partnershipId === ctx.partnership.id ? c : null;
}

/**
 * Nudges for many jobs in a few set-based queries (10k nudges can fall due in one tick): the
 * consultations, then the members and responses of those still due, decided in memory (the domain's
 * rules) and written with multi-row INSERTs. Keys are per consultation, step and member, so a
 * rerun writes nothing twice.
 */
async function nudges(ctx: JobBatchContext): Promise<void> {
  // A slice of jobs at a time: what one slice loads and writes is garbage before the next is loaded.
  for (let i = 0; i < ctx.items.length; i += NUDGE_SLICE) await nudgeSlice(ctx, ctx.items.slice(i, i + NUDGE_SLICE));
}

const NUDGE_SLICE = 200;

async function nudgeSlice({ tx, now }: JobBatchContext, items: JobBatchContext['items']): Promise<void> {
  const consultations = new Map((await tx.consultationsById(items.map((i) => i.job.ref))).map((c) => [c.id, c]));
  const due = items.flatMap(({ job, partnership: p }) => {
    const c = consultations.get(job.ref);
    return c && c.partnershipId === p.id && nudgeStillDue(c, p, job.dueAt, now) ? [{ job, p, c }] : [];
  });
  if (!due.length) return;
  const members = groupBy(await tx.recipients(due.map((d) => d.p.id)), (m) => m.partnershipId);
  const responses = groupBy(await tx.responsesTo(due.map((d) => d.c.id)), (r) => r.consultationId);
  const rows: NewOutbox[] = [];
  for (const { job, p, c } of due) {
    const pending = unanswered(c, members.get(p.id) ?? NONE, responses.get(c.id) ?? []);
    if (pending.length) rows.push(...directMessages(pending, `nudge:${c.id}:${job.step}`, nudgeMessage(c, p, now)));
  }
  if (rows.length) await tx.enqueue(rows, now.toISOString());
}

const NONE: Recipient[] = [];

/** A runner that is its batch run on one job, so both paths decide alike. */
function batched(batch: (ctx: JobBatchContext) => Promise<void>): JobRunner {
  const one: JobRunner = ({ deps, tx, now, job, partnership }) => batch({ deps, tx, now, items: [{ job, partnership }] });
  one.batch = batch;
  return one;
}

export const consultationJobs: JobTable = {
  // Only those who have not answered at all are nudged; after downtime only the latest nudge goes out.
  'consultation.nudge': batched(nudges),

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
