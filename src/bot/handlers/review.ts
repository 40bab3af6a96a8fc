// review, review set, review pack, review done: the partnership's review date and its decision.
import { participationChart, quietOrganisations, trendChart, type Chart } from '../../domain/charts.ts';
import { relativeDays } from '../../domain/digest.ts';
import { UserError } from '../../domain/errors.ts';
import { b, context, message, para, privateMessage, t, u, type Block, type Message } from '../../domain/message.ts';
import type { Partnership } from '../../domain/partnership.ts';
import type { Repo } from '../../domain/ports.ts';
import type { Poll, Result } from '../../domain/pulse.ts';
import { nextReviewDate, periodStart, reviewFigures, reviewPack, reviewReminderPlan, type ReviewPackInput } from '../../domain/review.ts';
import { addMonths, daysBetween, formatDate, isIsoDate, localDate } from '../../domain/time.ts';
import type { CommandContext, HandlerTable } from '../context.ts';
import { mediaFor, type MediaStore } from '../media.ts';
import { toChannels } from '../outbox.ts';
import { chartImage, pdfFile } from '../render/attach.ts';
import { packDocument, packWithCharts } from '../render/pack.ts';
import { requireMember, requirePartnership } from '../resolve.ts';
import { consultationRecords } from './digest.ts';
import { resultsInOrder } from './pulse.ts';

// ---- gathering the pack ---------------------------------------------------------------------------

/** Results of the period's polls under the pulse module's anonymity rule (never computed here), from
 * their kept summaries once past retention. */
async function periodPollResults(tx: Repo, polls: Poll[]): Promise<Result[]> {
  // Comments are not shown in the pack, so none are read.
  return resultsInOrder(tx, polls, { changes: false });
}

/** What the review pack for the period up to `now` is made from, gathered from the store. */
export async function loadReviewPackInput(tx: Repo, p: Partnership, now: Date): Promise<ReviewPackInput> {
  const since = Date.parse(periodStart(p));
  const [members, consultations, closedPolls] = await Promise.all([tx.members(p.id), tx.consultations(p.id), tx.polls(p.id, 'closed')]);
  const polls = closedPolls
    .filter((x) => Date.parse(x.closesAt) >= since && Date.parse(x.closesAt) <= now.getTime())
    .sort((x, y) => x.closesAt.localeCompare(y.closesAt));
  return {
    partnership: p,
    members,
    consultations: await consultationRecords(tx, consultations, members),
    polls: await periodPollResults(tx, polls),
    now,
  };
}

/** The review pack for the period up to `now`, gathered from the store. */
export async function loadReviewPack(tx: Repo, p: Partnership, now: Date): Promise<Message> {
  return reviewPack(await loadReviewPackInput(tx, p, now));
}

/**
 * The pack with its charts (pulse trend, who is heard) in their sections and the whole pack as a PDF
 * (charts, feedback in full) linked at the top. Links are the bot's own, expiring; the drawing
 * happens when they are first opened.
 */
export function packWithAttachments(media: MediaStore, input: ReviewPackInput): Message {
  const p = input.partnership;
  const pack = reviewPack(input);
  const quiet = quietOrganisations(input.consultations, input.members, p, input.now).map((q) => q.organisation);
  const charts = new Map<string, Chart>();
  const place = (chart: Chart | null) => {
    if (!chart) return undefined;
    const image = chartImage(media, chart);
    charts.set(image.url, chart);
    return image;
  };
  const images = { trend: place(trendChart(input.polls, p)), participation: place(participationChart(reviewFigures(input), p, quiet)) };
  const doc = packDocument(pack, images, input.consultations, p);
  const file = pdfFile(media, doc, charts, { name: 'review-pack', title: doc.heading ?? 'Review pack', created: input.now });
  const shown = packWithCharts(pack, images);
  return { ...shown, blocks: [...shown.blocks.slice(0, 1), file, ...shown.blocks.slice(1)] };
}

// ---- changing the review date ---------------------------------------------------------------------

function requireActive(p: Partnership): void {
  if (p.status !== 'active') throw new UserError('This partnership has been wound up, so it has no reviews to plan.');
}

function requireFutureDate(date: string, today: string): void {
  if (!isIsoDate(date) || date <= today) {
    throw new UserError(`The review date must be after today (${formatDate(today)}), for example \`/partner review set ${addMonths(today, 12)}\`.`);
  }
}

/** Saves the partnership and replaces the chair's reminders with the plan for its review date. */
async function saveWithReminders(tx: Repo, p: Partnership, now: Date): Promise<void> {
  await tx.updatePartnership(p);
  await tx.cancelJobs('review.reminder', p.id);
  const plan = reviewReminderPlan(p, now);
  if (plan.length) await tx.scheduleJobs(plan);
}

/** Drops every pending job of a wound-up partnership: its own recurring ones and those of its consultations and polls. */
async function cancelAllJobs(tx: Repo, partnershipId: string): Promise<void> {
  for (const kind of ['review.reminder', 'digest', 'pulse.auto'] as const) await tx.cancelJobs(kind, partnershipId);
  // pendingJobs is paged (soonest first), so repeat until nothing new is left to cancel.
  const done = new Set<string>();
  for (;;) {
    const fresh = (await tx.pendingJobs(partnershipId, 500)).filter((j) => !done.has(`${j.kind}|${j.ref}`));
    if (!fresh.length) return;
    for (const j of fresh) {
      const key = `${j.kind}|${j.ref}`;
      if (done.has(key)) continue;
      done.add(key);
      await tx.cancelJobs(j.kind, j.ref);
    }
  }
}

function reviewDateText(p: Partnership, today: string): string {
  return p.reviewDate ? `${formatDate(p.reviewDate)} (${relativeDays(daysBetween(today, p.reviewDate))})` : 'not set';
}

async function audit(ctx: CommandContext, p: Partnership, action: string, detail: object): Promise<void> {
  await ctx.tx.audit({ partnershipId: p.id, actorId: ctx.member?.id ?? null, action, detail: JSON.stringify(detail), at: ctx.now.toISOString() });
}

export const reviewHandlers: HandlerTable = {
  review: async (_cmd, ctx) => {
    const p = requirePartnership(ctx);
    const today = localDate(ctx.now, p.timezone);
    const blocks: Block[] = [
      {
        kind: 'fields',
        fields: [
          { label: 'Next review', value: [t(reviewDateText(p, today))] },
          { label: 'Last review', value: [t(p.lastReviewAt ? formatDate(localDate(p.lastReviewAt, p.timezone)) : 'none yet')] },
        ],
      },
    ];
    if (p.status !== 'active') blocks.unshift(para(t('This partnership has been wound up.')));
    else if (!p.reviewDate) blocks.push(context(t('The chair can set the date with `/partner review set <date>`.')));
    return [privateMessage('Review', para(t('Reviews of '), u(p.name), t(' ask whether to continue, change or wind up.')), ...blocks)];
  },

  'review.set': async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    requireActive(p);
    const today = localDate(ctx.now, p.timezone);
    requireFutureDate(cmd.date, today);
    const updated: Partnership = { ...p, reviewDate: cmd.date };
    await saveWithReminders(ctx.tx, updated, ctx.now);
    await audit(ctx, p, 'review.set', { from: p.reviewDate, to: cmd.date });
    const days = [...p.settings.reviewReminderDays].sort((x, y) => y - x).join(', ');
    return [
      message(
        'Review date set',
        para(t('The next review of '), u(p.name), t(` is on ${reviewDateText(updated, today)}.`)),
        context(t(`The chair will be reminded ${days} day(s) before, with the review pack.`)),
      ),
    ];
  },

  'review.pack': async (_cmd, ctx) => {
    const p = requirePartnership(ctx);
    const input = await loadReviewPackInput(ctx.tx, p, ctx.now);
    const media = mediaFor(ctx.deps);
    return [{ ...(media ? packWithAttachments(media, input) : reviewPack(input)), private: true }];
  },

  'review.done': async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    requireActive(p);
    const chair = requireMember(ctx);
    const today = localDate(ctx.now, p.timezone);
    const note = cmd.note?.trim() || null;
    const noteBlocks = note ? [para(b('Note: '), u(note))] : [];

    if (cmd.decision === 'wind_up') {
      if (cmd.nextDate) throw new UserError('A partnership that winds up has no next review: leave out the date.');
      const updated: Partnership = { ...p, status: 'wound_up', reviewDate: null, lastReviewAt: ctx.now.toISOString() };
      await ctx.tx.updatePartnership(updated);
      await cancelAllJobs(ctx.tx, p.id);
      await audit(ctx, p, 'review.done', { decision: 'wind_up', note });
      const closing = message(
        'Partnership wound up',
        para(u(p.name), t(' has been wound up after a review led by '), u(chair.name), t('. Thank you to everyone who took part.')),
        ...noteBlocks,
        context(t('No more nudges, polls, reminders or digests will be sent for it.')),
      );
      await toChannels(ctx.tx, p.id, `review_wind_up:${p.id}`, closing, ctx.now, ctx.actor.channel);
      return [closing];
    }

    const next = nextReviewDate(today, cmd.nextDate);
    requireFutureDate(next, today);
    const updated: Partnership = { ...p, reviewDate: next, lastReviewAt: ctx.now.toISOString() };
    await saveWithReminders(ctx.tx, updated, ctx.now);
    await audit(ctx, p, 'review.done', { decision: cmd.decision, nextDate: next, note });
    return [
      message(
        'Review recorded',
        para(t('The review of '), u(p.name), t(' decided to '), b(cmd.decision), t(`. The next review is on ${reviewDateText(updated, today)}.`)),
        ...noteBlocks,
      ),
    ];
  },
};
