// What is due, open and overdue for one partnership, gathered into one message instead of many
// pings (research: resources are stretched; people cannot respond to everything).
import type { Consultation, ConsultationResponse } from './consultation.ts';
import { b, context, message, para, t, u, type Block, type Message } from './message.ts';
import type { Partnership } from './partnership.ts';
import type { NewJob } from './ports.ts';
import type { Poll } from './pulse.ts';
import type { ConsultationSummary } from './retention.ts';
import { addDays, atLocal, daysBetween, formatDate, isoWeekday, localDate, localTime } from './time.ts';

/** Consultations due within this many days are listed. */
export const DIGEST_DUE_WINDOW_DAYS = 14;
/** The next review date is shown when it is this close (or already passed). */
export const DIGEST_REVIEW_WINDOW_DAYS = 30;

/** A consultation with who it asked (its audience resolved to member ids) and the answers so far. */
export interface ConsultationRecord {
  consultation: Consultation;
  asked: string[];
  responses: ConsultationResponse[];
  /** Set once the responses are past retention (then `responses` is empty): the counts kept in their place. */
  kept?: ConsultationSummary;
}

/** How many the consultation asked (when its responses were reduced to counts, as it was then). */
export function askedCount(r: ConsultationRecord): number {
  return r.kept ? r.kept.asked : r.asked.length;
}

/** Answers of any kind from members the consultation asked. */
export function answeredCount(r: ConsultationRecord): number {
  if (r.kept) return r.kept.answered;
  const asked = new Set(r.asked);
  return new Set(r.responses.filter((x) => asked.has(x.memberId)).map((x) => x.memberId)).size;
}

/** Feedback is overdue once the deadline passed more than the first chase interval ago. */
export function isFeedbackOverdue(c: Consultation, p: Partnership, now: Date): boolean {
  if (c.status !== 'awaiting_feedback') return false;
  const chase = p.settings.feedbackChaseDays.length ? Math.min(...p.settings.feedbackChaseDays) : 7;
  return daysBetween(c.deadline, localDate(now, p.timezone)) > chase;
}

/** "in 5 days", "tomorrow", "today", "3 days ago". */
export function relativeDays(n: number): string {
  if (n === 0) return 'today';
  if (n === 1) return 'tomorrow';
  if (n === -1) return 'yesterday';
  return n > 0 ? `in ${n} days` : `${-n} days ago`;
}

export interface DigestInput {
  partnership: Partnership;
  /** The partnership's open and awaiting-feedback consultations (others are ignored). */
  consultations: ConsultationRecord[];
  /** Open polls: only their close time is shown, never any results. */
  polls: Poll[];
}

/** The digest as of `now`, or null when nothing is due, open or overdue (an empty digest is not posted). */
export function buildDigest(input: DigestInput, now: Date): Message | null {
  const p = input.partnership;
  const today = localDate(now, p.timezone);
  const blocks: Block[] = [];

  const due = input.consultations
    .filter((r) => r.consultation.status === 'open')
    .map((r) => ({ r, days: daysBetween(today, r.consultation.deadline) }))
    .filter((x) => x.days >= 0 && x.days <= DIGEST_DUE_WINDOW_DAYS)
    .sort((x, y) => x.days - y.days);
  if (due.length) {
    blocks.push(para(b(`Due in the next ${DIGEST_DUE_WINDOW_DAYS} days`)));
    for (const { r, days } of due) {
      const c = r.consultation;
      blocks.push(
        para(
          t('• '),
          u(c.title),
          t(` (${c.id}): due ${formatDate(c.deadline)}, ${relativeDays(days)}. ${answeredCount(r)} of ${askedCount(r)} asked have answered.`),
        ),
      );
    }
  }

  const awaiting = input.consultations
    .filter((r) => r.consultation.status === 'awaiting_feedback')
    .sort((x, y) => x.consultation.deadline.localeCompare(y.consultation.deadline));
  if (awaiting.length) {
    blocks.push(para(b('Waiting for “you said, we did” feedback')));
    for (const { consultation: c } of awaiting) {
      const overdue = isFeedbackOverdue(c, p, now);
      blocks.push(
        para(
          t('• '),
          u(c.title),
          t(` (${c.id}): closed ${formatDate(c.deadline)}`),
          ...(overdue ? [t(' — '), b('feedback overdue')] : [t(', feedback due soon')]),
        ),
      );
    }
  }

  const polls = input.polls.filter((x) => x.status === 'open').sort((x, y) => x.closesAt.localeCompare(y.closesAt));
  if (polls.length) {
    blocks.push(para(b('Pulse polls open')));
    for (const poll of polls) {
      const when = `${formatDate(localDate(poll.closesAt, p.timezone))} ${localTime(poll.closesAt, p.timezone)}`;
      blocks.push(para(t(`• Poll ${poll.id} is open until ${when}. Answers are anonymous: use the poll’s buttons or \`/partner pulse answer\`.`)));
    }
  }

  if (p.reviewDate) {
    const days = daysBetween(today, p.reviewDate);
    if (days <= DIGEST_REVIEW_WINDOW_DAYS) {
      blocks.push(
        para(
          b('Review: '),
          t(days >= 0 ? `the next review is on ${formatDate(p.reviewDate)}, ${relativeDays(days)}.` : `the review was due on ${formatDate(p.reviewDate)} and has not been recorded.`),
        ),
      );
    }
  }

  if (!blocks.length) return null;
  return message(
    'Partnership digest',
    para(t('What is due, open and overdue in '), u(p.name), t(` as of ${formatDate(today)}.`)),
    ...blocks,
    context(t('Sent once a week instead of separate reminders. `/partner digest` shows it at any time.')),
  );
}

/** The next digest after `after`: `digestTime` on the next `digestWeekday`, in the partnership's timezone. */
export function nextDigestJob(p: Partnership, after: Date): NewJob {
  const weekday = p.settings.digestWeekday;
  if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7) throw new RangeError(`digestWeekday ${weekday} is not an ISO weekday (1–7)`);
  const start = localDate(after, p.timezone);
  // The weekday's next date from today on; if that is today and its time has passed, a week later.
  // (Computed, not searched day by day: a Monday tick schedules a thousand of these.)
  const ahead = (weekday - isoWeekday(start) + 7) % 7;
  for (const days of ahead === 0 ? [0, 7] : [ahead]) {
    const date = addDays(start, days);
    const dueAt = atLocal(date, p.settings.digestTime, p.timezone);
    if (Date.parse(dueAt) > after.getTime()) return { kind: 'digest', partnershipId: p.id, ref: p.id, step: date, dueAt };
  }
  throw new RangeError(`no ${p.settings.digestTime} after ${after.toISOString()} on ISO weekday ${weekday} in ${p.timezone}`);
}
