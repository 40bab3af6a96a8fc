// Review dates, the chair's reminders and the review pack. Research: partnerships run past their
// "sell-by date" because nobody reviews them, so the pack ends with "continue, change, or wind up?".
import { answeredCount, askedCount, isFeedbackOverdue, relativeDays, type ConsultationRecord } from './digest.ts';
import { b, context, message, para, t, u, type Block, type Button, type Field, type Message } from './message.ts';
import { SECTORS, SECTOR_LABELS, type Member, type Partnership } from './partnership.ts';
import type { NewJob } from './ports.ts';
import { BLOCK_TITLES, PULSE_BLOCKS, answered, trend, trendLine, type Result } from './pulse.ts';
import { sectorAnswered } from './retention.ts';
import { addDays, addMonths, atLocal, daysBetween, endOfLocalDay, formatDate, localDate, onOrBeforeWorkingDay } from './time.ts';

export type ReviewDecision = 'continue' | 'change' | 'wind_up';

/** Review reminders to the chair: at workStart on reviewDate − each reminder day, moved back to a working day. */
export function reviewReminderPlan(p: Partnership, now: Date): NewJob[] {
  if (!p.reviewDate || p.status !== 'active') return [];
  const week = { workDays: p.settings.workDays, region: p.region };
  const jobs: NewJob[] = [];
  for (const days of [...new Set(p.settings.reviewReminderDays)].sort((a, b) => b - a)) {
    const date = onOrBeforeWorkingDay(addDays(p.reviewDate, -days), week);
    const dueAt = atLocal(date, p.settings.workStart, p.timezone);
    if (Date.parse(dueAt) <= now.getTime()) continue;
    jobs.push({ kind: 'review.reminder', partnershipId: p.id, ref: p.id, step: `${p.reviewDate}:${days}`, dueAt });
  }
  return jobs;
}

/** The review date a `review.reminder` step was planned for ("2027-03-31:30" → "2027-03-31"). */
export function reminderStepDate(step: string): string {
  return step.split(':')[0] ?? '';
}

export interface ReviewPackInput {
  partnership: Partnership;
  members: Member[];
  /** All of the partnership's consultations; the pack picks those that belong to the period. */
  consultations: ConsultationRecord[];
  /** Results of the polls that closed in the period, as `pollResults` in pulse.ts gives them: the
   * anonymity rule is applied there, and the pack shows nothing a withheld result does not. */
  polls: Result[];
  now: Date;
}


function pct(n: number, of: number): string {
  return of === 0 ? 'n/a' : `${Math.round((100 * n) / of)}%`;
}

function ratio(n: number, of: number): string {
  return `${n} of ${of} (${pct(n, of)})`;
}

/** The start of the period a review covers: the last review, or the partnership's start. */
export function periodStart(p: Partnership): string {
  return p.lastReviewAt ?? p.createdAt;
}

interface Tally {
  asked: number;
  answered: number;
}

function tally(map: Map<string, Tally>, key: string, asked: number, answered: number): void {
  const row = map.get(key) ?? { asked: 0, answered: 0 };
  row.asked += asked;
  row.answered += answered;
  map.set(key, row);
}

/** The numbers the pack shows, separate from how it shows them (tests check these directly). */
export function reviewFigures(input: ReviewPackInput) {
  const { partnership: p, now } = input;
  const since = Date.parse(periodStart(p));
  const opened = input.consultations.filter((r) => {
    const at = Date.parse(r.consultation.openedAt);
    return at >= since && at <= now.getTime();
  });
  let asked = 0;
  let answered = 0;
  let onTime = 0;
  const bySector = new Map<string, Tally>();
  const byOrg = new Map<string, Tally>();
  const memberById = new Map(input.members.map((m) => [m.id, m]));
  for (const r of opened) {
    if (r.kept) {
      // Past retention: the kept counts, by sector only (nothing says which organisation answered).
      asked += r.kept.asked;
      answered += r.kept.answered;
      onTime += r.kept.onTime;
      for (const s of r.kept.bySector) tally(bySector, s.sector, s.asked, sectorAnswered(s));
      continue;
    }
    const due = Date.parse(endOfLocalDay(r.consultation.deadline, p.timezone));
    const askedSet = new Set(r.asked);
    const answers = new Map(r.responses.filter((x) => askedSet.has(x.memberId)).map((x) => [x.memberId, x]));
    asked += askedSet.size;
    answered += answeredCount(r);
    onTime += [...answers.values()].filter((x) => Date.parse(x.at) < due).length;
    for (const id of askedSet) {
      const m = memberById.get(id);
      if (!m) continue; // asked, then left: counted in the totals, not in a group
      tally(bySector, m.sector, 1, answers.has(id) ? 1 : 0);
      tally(byOrg, m.organisation, 1, answers.has(id) ? 1 : 0);
    }
  }
  // Feedback belongs to the period when the consultation's deadline fell in it.
  const sinceDate = localDate(new Date(since), p.timezone);
  const closedInPeriod = input.consultations.filter(
    (r) => r.consultation.status !== 'open' && r.consultation.deadline >= sinceDate,
  );
  const feedbackGiven = closedInPeriod.filter((r) => r.consultation.status === 'closed').length;
  const feedbackOwed = closedInPeriod.filter((r) => r.consultation.status === 'awaiting_feedback').length;
  // Overdue is listed whenever it started: it is still owed.
  const overdue = input.consultations.filter((r) => isFeedbackOverdue(r.consultation, p, now)).map((r) => r.consultation);
  return {
    since: new Date(since),
    opened: opened.map((r) => ({ record: r, answered: answeredCount(r) })),
    /** Consultations of the period whose responses are past retention (counted from their kept counts). */
    reduced: opened.filter((r) => r.kept).length,
    asked,
    answered,
    onTime,
    feedbackGiven,
    feedbackOwed,
    feedbackOverdue: closedInPeriod.filter((r) => isFeedbackOverdue(r.consultation, p, now)).length,
    overdue,
    bySector: SECTORS.filter((s) => bySector.has(s)).map((s) => ({ sector: s, ...bySector.get(s)! })),
    // Least heard first, so the pack shows who is not being reached.
    byOrganisation: [...byOrg.entries()]
      .map(([organisation, x]) => ({ organisation, ...x }))
      .sort((x, y) => x.answered / x.asked - y.answered / y.asked || x.organisation.localeCompare(y.organisation)),
  };
}

const MAX_LISTED = 10;

/** Per block, the medians of the period's polls ("–" where a poll's results were withheld). */
function pulseBlocks(results: Result[], p: Partnership): Block[] {
  const closed = results.filter((r) => r.kind !== 'open');
  const shown = closed.filter((r) => r.kind === 'shown');
  if (!shown.length) {
    return [
      para(
        t(
          closed.length
            ? `${closed.length} poll(s) closed in the period, none with enough answers to show results (at least ${p.settings.anonymityK}).`
            : 'No pulse poll closed in the period.',
        ),
      ),
    ];
  }
  const lines = trend(closed);
  const fields: Field[] = [];
  for (const block of PULSE_BLOCKS) {
    const points = lines[block] ?? [];
    const last = points.filter((x) => x.median !== null).at(-1);
    if (!last) continue;
    const size = shown.find((r) => r.poll.id === last.pollId)?.respondents ?? 0;
    fields.push({
      label: BLOCK_TITLES[block],
      value: [t(`${trendLine(points)} (latest median: ${answered(size)}, ${formatDate(localDate(last.closesAt, p.timezone))})`)],
    });
  }
  const out: Block[] = [{ kind: 'fields', fields }];
  const withheld = closed.length - shown.length;
  if (withheld > 0) out.push(context(t(`– marks ${withheld} poll(s) with too few answers to show.`)));
  return out;
}

/** The review pack: what the period showed, what is overdue, and the question partnerships forget. */
export function reviewPack(input: ReviewPackInput): Message {
  const { partnership: p, now } = input;
  const f = reviewFigures(input);
  const today = localDate(now, p.timezone);
  const sinceDate = localDate(f.since, p.timezone);
  const blocks: Block[] = [
    para(
      t('Review of '),
      u(p.name),
      t(` for the period ${formatDate(sinceDate)} to ${formatDate(today)} (${daysBetween(sinceDate, today)} days, since ${p.lastReviewAt ? 'the last review' : 'the partnership started'}).`),
    ),
    {
      kind: 'fields',
      fields: [
        { label: 'Consultations opened', value: [t(String(f.opened.length))] },
        { label: 'Response rate (answers of any kind / asked)', value: [t(f.asked ? ratio(f.answered, f.asked) : 'nobody was asked')] },
        { label: 'Answered before the deadline', value: [t(f.answered ? ratio(f.onTime, f.answered) : 'no answers')] },
        {
          label: '“You said, we did” feedback',
          value: [t(`${f.feedbackGiven} given, ${f.feedbackOwed} owed${f.feedbackOwed ? ` (${f.feedbackOverdue} overdue)` : ''}`)],
        },
      ],
    },
  ];

  if (f.opened.length) {
    blocks.push(para(b('Consultations in the period')));
    for (const { record: r, answered } of f.opened.slice(0, MAX_LISTED)) {
      blocks.push(para(t('• '), u(r.consultation.title), t(`: due ${formatDate(r.consultation.deadline)}, ${answered} of ${askedCount(r)} answered.`)));
    }
    if (f.opened.length > MAX_LISTED) blocks.push(context(t(`and ${f.opened.length - MAX_LISTED} more`)));
  }

  blocks.push(para(b('Pulse trends')), ...pulseBlocks(input.polls, p));

  blocks.push(para(b('Who took part (consultation answers / asked)')));
  if (!f.bySector.length) {
    blocks.push(para(t('No consultations asked anyone in the period.')));
  } else {
    blocks.push({ kind: 'fields', fields: f.bySector.map((s) => ({ label: SECTOR_LABELS[s.sector], value: [t(ratio(s.answered, s.asked))] })) });
    for (const o of f.byOrganisation) blocks.push(para(t('• '), u(o.organisation), t(`: ${ratio(o.answered, o.asked)}`)));
    if (f.reduced) {
      blocks.push(
        context(
          t(`${f.reduced} consultation(s) of the period closed more than ${p.retentionMonths} months ago (the partnership's retention period): their answers are counted from the anonymous counts kept by sector, and are not in the organisation lines.`),
        ),
      );
    }
  }

  blocks.push(para(b('Overdue')));
  const overdueLines: Block[] = f.overdue.map((c) =>
    para(t('• Feedback on '), u(c.title), t(` (${c.id}), deadline ${formatDate(c.deadline)}`)),
  );
  if (p.reviewDate && p.reviewDate < today) {
    overdueLines.push(para(t(`• This review, due ${formatDate(p.reviewDate)} (${relativeDays(daysBetween(today, p.reviewDate))})`)));
  }
  blocks.push(...(overdueLines.length ? overdueLines : [para(t('Nothing is overdue.'))]));

  blocks.push({ kind: 'divider' });
  blocks.push(para(b('Continue, change, or wind up?'), t(' Partnerships tend to run on past their purpose because nobody asks. Record the decision:')));
  const buttons: Button[] = [
    { label: 'Continue', action: { type: 'command', text: 'review done continue' }, style: 'primary' },
    { label: 'Change', action: { type: 'command', text: 'review done change' } },
    { label: 'Wind up', action: { type: 'command', text: 'review done wind-up' }, style: 'danger' },
  ];
  blocks.push({ kind: 'buttons', buttons });
  blocks.push(context(t('Or: `/partner review done continue|change|wind-up [next <date>] [note="..."]`. Without a date the next review is in 12 months.')));
  return message('Review pack', ...blocks);
}

/** The chair's reminder: when the review is, then the pack. */
export function reviewReminderMessage(p: Partnership, now: Date, pack: Message): Message {
  const days = p.reviewDate ? daysBetween(localDate(now, p.timezone), p.reviewDate) : 0;
  return message(
    'Review coming up',
    para(
      t('The review of '),
      u(p.name),
      t(` is on ${p.reviewDate ? formatDate(p.reviewDate) : 'a date not set'}, ${relativeDays(days)}. As chair, you decide with the partnership whether to continue, change or wind up. The review pack follows.`),
    ),
    { kind: 'divider' },
    ...pack.blocks,
  );
}

/** The review date a decision sets: the one given, or twelve months after today. */
export function nextReviewDate(today: string, given: string | undefined): string {
  return given ?? addMonths(today, 12);
}
