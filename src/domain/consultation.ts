// Consultations, deadlines, responses, nudge plans, short-deadline and overload warnings.
import type { AudienceSpec, Command } from './command-types.ts';
import {
  context,
  message,
  para,
  privateMessage,
  t,
  txt,
  u,
  type Block,
  type Button,
  type Message,
  type ResponseKind,
  type Span,
  type Text,
} from './message.ts';
import { hasRole, SECTOR_LABELS, type Member, type Partnership, type Sector } from './partnership.ts';
import type { NewJob } from './ports.ts';
import {
  addDays,
  atLocal,
  daysBetween,
  endOfLocalDay,
  formatDate,
  isoWeekday,
  localDate,
  onOrBeforeWorkingDay,
  publicHoliday,
  type WorkingWeek,
} from './time.ts';

export type { ResponseKind } from './message.ts';

/** Who a consultation asks: everyone, or some sectors and/or named members. */
export type Audience = { all: true } | { all?: false; sectors: Sector[]; memberIds: string[] };

export type ConsultationStatus =
  /** Taking responses until the deadline passes. */
  | 'open'
  /** Deadline passed; the owner owes a "you said, we did" summary. */
  | 'awaiting_feedback'
  /** Feedback posted. */
  | 'closed';

export interface Consultation {
  id: string;
  partnershipId: string;
  title: string;
  link: string | null;
  ownerId: string;
  /** ISO instant. */
  openedAt: string;
  /** Local calendar date (YYYY-MM-DD) in the partnership's timezone; responses are due by the end of it. */
  deadline: string;
  audience: Audience;
  status: ConsultationStatus;
  feedback: string | null;
  feedbackAt: string | null;
}

export interface ConsultationResponse {
  consultationId: string;
  memberId: string;
  kind: ResponseKind;
  /** With "need more time": the date the member proposes instead (YYYY-MM-DD). */
  proposedDate: string | null;
  /** ISO instant. */
  at: string;
}

// ---- rules ------------------------------------------------------------------------------------

/** Whether a member is among those a consultation asks. */
export function isAsked(audience: Audience, m: Pick<Member, 'id' | 'sector'>): boolean {
  return audience.all === true || audience.sectors.includes(m.sector) || audience.memberIds.includes(m.id);
}

/** The members a consultation asks: everyone, or the members of its sectors plus the named members. */
export function resolveAudience<M extends Pick<Member, 'id' | 'sector'>>(audience: Audience, members: M[]): M[] {
  return members.filter((m) => isAsked(audience, m));
}

export function workingWeek(p: Partnership): WorkingWeek {
  return { workDays: p.settings.workDays, region: p.region };
}

/**
 * A pure string function remembered for its last `limit` arguments. A tick asks the same few
 * calendar questions (today in a timezone, a deadline's end and wording) for thousands of
 * consultations, and each answer costs luxon a tenth of a millisecond or more.
 */
function remembered<A extends string[], R>(fn: (...args: A) => R, limit = 2048): (...args: A) => R {
  const cache = new Map<string, R>();
  return (...args: A): R => {
    const key = args.join('\u0000');
    let value = cache.get(key);
    if (value === undefined) {
      value = fn(...args);
      if (cache.size >= limit) cache.delete(cache.keys().next().value!);
      cache.set(key, value);
    }
    return value;
  };
}

const todayIn = remembered((at: string, tz: string) => localDate(new Date(Number(at)), tz));
const daysFromTo = remembered(daysBetween);
const deadlineEndsAt = remembered((deadline: string, tz: string) => Date.parse(endOfLocalDay(deadline, tz)));
const dateText = remembered(formatDate);

/** Whole days from the partnership's "today" to the deadline (0 = due today, negative = past). */
export function daysLeft(deadline: string, p: Partnership, now: Date): number {
  return daysFromTo(todayIn(String(now.getTime()), p.timezone), deadline);
}

/** Whether responses are still taken: open, and the deadline's local day has not ended. */
export function isTakingResponses(c: Consultation, p: Partnership, now: Date): boolean {
  return c.status === 'open' && now.getTime() < deadlineEndsAt(c.deadline, p.timezone);
}

function span(days: number): string {
  if (days % 7 === 0 && days > 0) return days === 7 ? '1 week' : `${days / 7} weeks`;
  return days === 1 ? '1 day' : `${days} days`;
}

function possessive(days: number): string {
  const s = span(days);
  return s.startsWith('1 ') ? `${s}'s` : `${s}'`;
}

const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/**
 * What is worth telling the coordinator about a deadline, with the evidence: too little notice,
 * a non-working day, a public holiday. None of these stops the consultation opening.
 */
export function deadlineWarnings(p: Partnership, deadline: string, now: Date): string[] {
  const warnings: string[] = [];
  const notice = daysLeft(deadline, p, now);
  const min = p.settings.minNoticeDays;
  if (notice < min) {
    const given = notice <= 0 ? 'No notice: the deadline is today' : `${possessive(notice)} notice`;
    const standard =
      min === 84
        ? '(UK public-body consultation guidance)'
        : "(set in this partnership's settings; UK public-body consultation guidance is 12 weeks)";
    warnings.push(`${given}; the partnership's minimum is ${span(min)} ${standard}.`);
  }
  const weekday = isoWeekday(deadline);
  if (!p.settings.workDays.includes(weekday)) {
    warnings.push(`The deadline, ${formatDate(deadline)}, falls on a ${WEEKDAY_NAMES[weekday]}, which is not a working day.`);
  }
  const holiday = publicHoliday(deadline, p.region);
  if (holiday) {
    warnings.push(`The deadline, ${formatDate(deadline)}, is a public holiday in ${p.region}: ${holiday}.`);
  }
  return warnings;
}

/** One member or organisation that a new consultation would overload. */
export interface OverloadWarning {
  kind: 'member' | 'organisation';
  /** The member's name or the organisation as written (user text). */
  name: string;
  /** Consultations due in the window, counting the new one. */
  count: number;
  /** The window (local dates, inclusive). */
  from: string;
  to: string;
  /** Titles of the other open consultations due in that window (user text). */
  titles: string[];
}

const orgKey = (org: string) => org.trim().toLowerCase();

/**
 * Members and organisations that would have more than `overloadLimit` open consultations due within
 * some `overloadWindowDays`-day window containing the new deadline (the new one included).
 * `open` are the partnership's other open consultations; `members` resolves their audiences.
 */
export function overloadWarnings(
  p: Partnership,
  deadline: string,
  asked: Member[],
  open: Consultation[],
  members: Member[],
): OverloadWarning[] {
  const { overloadLimit: limit, overloadWindowDays: width } = p.settings;
  const audiences = open.map((c) => ({ c, asked: resolveAudience(c.audience, members) }));

  const worst = (relevant: Consultation[]): Pick<OverloadWarning, 'count' | 'from' | 'to' | 'titles'> | null => {
    let best: Pick<OverloadWarning, 'count' | 'from' | 'to' | 'titles'> | null = null;
    for (let start = addDays(deadline, 1 - width); start <= deadline; start = addDays(start, 1)) {
      const end = addDays(start, width - 1);
      const inWindow = relevant.filter((c) => c.deadline >= start && c.deadline <= end);
      if (!best || inWindow.length + 1 > best.count) {
        best = { count: inWindow.length + 1, from: start, to: end, titles: inWindow.map((c) => c.title) };
      }
    }
    return best && best.count > limit ? best : null;
  };

  const warnings: OverloadWarning[] = [];
  for (const m of asked) {
    const w = worst(audiences.filter((a) => a.asked.some((x) => x.id === m.id)).map((a) => a.c));
    if (w) warnings.push({ kind: 'member', name: m.name, ...w });
  }
  const orgs = new Map<string, string>();
  for (const m of asked) if (!orgs.has(orgKey(m.organisation))) orgs.set(orgKey(m.organisation), m.organisation);
  for (const [key, name] of orgs) {
    const w = worst(audiences.filter((a) => a.asked.some((x) => orgKey(x.organisation) === key)).map((a) => a.c));
    if (w) warnings.push({ kind: 'organisation', name, ...w });
  }
  return warnings;
}

function list(items: Span[][]): Span[] {
  const out: Span[] = [];
  items.forEach((item, i) => {
    if (i > 0) out.push(t(i === items.length - 1 ? ' and ' : ', '));
    out.push(...item);
  });
  return out;
}

export function overloadText(w: OverloadWarning, p: Partnership): Text {
  const titles = [...w.titles.map((title) => [t('“'), u(title), t('”')]), [t('this one')]];
  return txt(
    u(w.name),
    w.kind === 'organisation' ? ' (organisation)' : '',
    ` would have ${w.count} consultations due between ${formatDate(w.from)} and ${formatDate(w.to)}`,
    ` (the limit is ${p.settings.overloadLimit} in ${p.settings.overloadWindowDays} days): `,
    ...list(titles),
    '.',
  );
}

function quote(s: string): string {
  return `"${s.replace(/"/g, "'")}"`;
}

/** A canonical command text for a consult command, for "open anyway" buttons: the parser reads it back. */
export function consultCommandText(cmd: Extract<Command, { verb: 'consult' }>): string {
  const parts = ['/partner consult', quote(cmd.title), 'by', cmd.deadline, 'to'];
  const a: AudienceSpec = cmd.audience;
  if (a.all) parts.push('all');
  else {
    parts.push(...a.sectors);
    // A name with a space has no @form the parser reads back; such a button fails with a parse error.
    for (const r of a.users) parts.push('id' in r ? `<@${r.id}>` : `@${r.name.replace(/^@/, '')}`);
  }
  if (cmd.link) parts.push('link', cmd.link);
  return parts.join(' ');
}

/**
 * Nudge jobs before the deadline (at the start of the working day on or before each offset's date,
 * never in the past nor before the opening; offsets landing on the same day keep the smaller one),
 * plus the deadline job at the end of the deadline's local day.
 */
export function nudgePlan(c: Consultation, p: Partnership, now: Date): NewJob[] {
  const earliest = Math.max(now.getTime(), Date.parse(c.openedAt));
  const week = workingWeek(p);
  const byDate = new Map<string, NewJob>();
  for (const offset of [...p.settings.nudgeOffsetsDays].sort((x, y) => x - y)) {
    const date = onOrBeforeWorkingDay(addDays(c.deadline, -offset), week);
    const dueAt = atLocal(date, p.settings.workStart, p.timezone);
    if (Date.parse(dueAt) < earliest || byDate.has(date)) continue;
    byDate.set(date, { kind: 'consultation.nudge', partnershipId: p.id, ref: c.id, step: String(offset), dueAt });
  }
  const deadline: NewJob = {
    kind: 'consultation.deadline',
    partnershipId: p.id,
    ref: c.id,
    step: 'deadline',
    dueAt: endOfLocalDay(c.deadline, p.timezone),
  };
  return [...[...byDate.values()].sort((x, y) => x.dueAt.localeCompare(y.dueAt)), deadline];
}

/** A nudge less late than this cannot have been overtaken by a later one: nudges fall on different
 * local days, at least ~23 h apart allowing for DST. */
const SUPERSEDE_CHECK_AFTER_MS = 20 * 60 * 60 * 1000;

/**
 * Whether the nudge planned for `dueAt` should still go out at `now`: the consultation takes
 * responses, and (after downtime, when several nudges fall due at once) no later nudge of its plan
 * is due already, so only the latest goes out. A nudge on time skips the re-plan (a tick's hot path).
 */
export function nudgeStillDue(c: Consultation, p: Partnership, dueAt: string, now: Date): boolean {
  if (!isTakingResponses(c, p, now)) return false;
  const at = now.getTime();
  const due = Date.parse(dueAt);
  if (at - due < SUPERSEDE_CHECK_AFTER_MS) return true;
  return !nudgePlan(c, p, new Date(c.openedAt)).some(
    (j) => j.kind === 'consultation.nudge' && Date.parse(j.dueAt) > due && Date.parse(j.dueAt) <= at,
  );
}

/** Who a nudge goes to: the members asked who have not answered at all ("not relevant" and "need
 * more time" count as answers). `members` are the partnership's; responses to other consultations are ignored. */
export function unanswered<M extends Pick<Member, 'id' | 'sector'>>(c: Consultation, members: M[], responses: ConsultationResponse[]): M[] {
  const answered = new Set<string>();
  for (const r of responses) if (r.consultationId === c.id) answered.add(r.memberId);
  return resolveAudience(c.audience, members).filter((m) => !answered.has(m.id));
}

// ---- messages ---------------------------------------------------------------------------------

export function dueText(deadline: string, p: Partnership, now: Date): string {
  const n = daysLeft(deadline, p, now);
  if (n < 0) return `${formatDate(deadline)} (passed)`;
  if (n === 0) return `${formatDate(deadline)} (due today)`;
  return `${formatDate(deadline)} (${n === 1 ? '1 day' : `${n} days`} left)`;
}

/** Who is asked, in words: "everyone", or sectors and named members. */
export function audienceText(audience: Audience, members: Member[]): Text {
  if (audience.all) return txt(`everyone in the partnership (${members.length})`);
  const items: Span[][] = audience.sectors.map((s: Sector) => [t(`${SECTOR_LABELS[s]} members`)]);
  for (const id of audience.memberIds) {
    const m = members.find((x) => x.id === id);
    if (m) items.push([u(m.name)]);
  }
  const count = resolveAudience(audience, members).length;
  return [...list(items), t(` (${count})`)];
}

export function responseButtons(consultationId: string): Button[] {
  return [
    { label: 'We have responded', action: { type: 'consult.respond', consultationId, kind: 'responded' }, style: 'primary' },
    { label: 'Need more time', action: { type: 'consult.respond', consultationId, kind: 'more_time' } },
    { label: 'Not relevant to us', action: { type: 'consult.respond', consultationId, kind: 'not_relevant' } },
  ];
}

function linkBlocks(c: Consultation): Block[] {
  return c.link ? [{ kind: 'link', url: c.link, label: 'Read the consultation' }] : [];
}

/** The announcement posted in the partnership's channels when a consultation opens. */
export function announcement(c: Consultation, p: Partnership, members: Member[], owner: Member | null, now: Date): Message {
  return message(
    'New consultation',
    { kind: 'text', text: [{ text: c.title, user: true, bold: true }] },
    {
      kind: 'fields',
      fields: [
        { label: 'Deadline', value: txt(dueText(c.deadline, p, now)) },
        { label: 'Asked', value: audienceText(c.audience, members) },
      ],
    },
    ...linkBlocks(c),
    { kind: 'buttons', buttons: responseButtons(c.id) },
    context('Opened by ', owner ? u(owner.name) : 'a coordinator', ` · ${c.id} · one click tells the coordinator where you are.`),
  );
}

const KIND_WORDS: Record<ResponseKind, string> = {
  responded: 'you have responded',
  more_time: 'you need more time',
  not_relevant: 'this is not relevant to you',
};

const ANSWER_LABELS: Record<ResponseKind, string> = {
  responded: 'responded',
  more_time: 'need more time',
  not_relevant: 'not relevant',
};

/** The private confirmation to the person who answered. */
export function responseConfirmation(c: Consultation, kind: ResponseKind, proposedDate: string | null): Message {
  const extra =
    kind === 'more_time'
      ? proposedDate
        ? ` The coordinator has been told, with your proposed date ${formatDate(proposedDate)}.`
        : ' The coordinator has been told.'
      : kind === 'not_relevant'
        ? ' You will not be reminded about it again.'
        : ' Thank you: you will hear what was done with the responses.';
  return privateMessage(undefined, para('Recorded for ', u(c.title), `: ${KIND_WORDS[kind]}.${extra}`));
}

/** The direct-message nudge to someone who has not answered yet. */
export function nudgeMessage(c: Consultation, p: Partnership, now: Date): Message {
  const n = daysLeft(c.deadline, p, now);
  const when = n <= 0 ? 'due today' : n === 1 ? '1 day left' : `${n} days left`;
  return message(
    `Consultation reminder: ${when}`,
    para(u(c.title), ` is due ${dateText(c.deadline)} and we have not heard from you yet.`),
    ...linkBlocks(c),
    { kind: 'buttons', buttons: responseButtons(c.id) },
    context(`${c.id} · "Not relevant" stops these reminders.`),
  );
}

/** Tells coordinators that a member needs more time. */
export function moreTimeNotice(c: Consultation, who: Member, proposedDate: string | null): Message {
  return message(
    'More time requested',
    para(
      u(who.name),
      ' (',
      u(who.organisation),
      ') needs more time for ',
      u(c.title),
      proposedDate ? ` and proposes ${formatDate(proposedDate)} instead of ${formatDate(c.deadline)}.` : ` (deadline ${formatDate(c.deadline)}).`,
    ),
    context(c.id),
  );
}

export interface ConsultationStatusView {
  consultation: Consultation;
  asked: Member[];
  responses: ConsultationResponse[];
}

/** Coordinators: every open consultation with answered/asked and who has not answered. */
export function coordinatorList(items: ConsultationStatusView[], p: Partnership, now: Date): Message {
  if (items.length === 0) return privateMessage('Open consultations', para('No consultations are open.'));
  const blocks: Block[] = [];
  for (const { consultation: c, asked, responses } of items) {
    const answered = new Set(responses.map((r) => r.memberId));
    const missing = asked.filter((m) => !answered.has(m.id));
    const count = (k: ResponseKind) => responses.filter((r) => r.kind === k && asked.some((m) => m.id === r.memberId)).length;
    blocks.push(
      para({ text: c.title, user: true, bold: true }, ` · ${c.id}`),
      {
        kind: 'fields',
        fields: [
          { label: 'Deadline', value: txt(dueText(c.deadline, p, now)) },
          { label: 'Answered', value: txt(`${asked.length - missing.length} of ${asked.length}`) },
          {
            label: 'Answers',
            value: txt(`${count('responded')} responded, ${count('more_time')} need more time, ${count('not_relevant')} not relevant`),
          },
          { label: 'Not answered', value: missing.length ? list(missing.map((m) => [u(m.name)])) : txt('nobody') },
        ],
      },
      { kind: 'divider' },
    );
  }
  return privateMessage('Open consultations', ...blocks.slice(0, -1));
}

/** A member: the open consultations they are asked in, their own answer, and buttons where unanswered. */
export function memberList(items: ConsultationStatusView[], me: Member, p: Partnership, now: Date): Message {
  const mine = items.filter((i) => i.asked.some((m) => m.id === me.id));
  if (mine.length === 0) return privateMessage('Your open consultations', para('Nothing is waiting for you.'));
  const blocks: Block[] = [];
  for (const { consultation: c, responses } of mine) {
    const own = responses.find((r) => r.memberId === me.id);
    blocks.push(
      para({ text: c.title, user: true, bold: true }, ` · ${c.id}`),
      para(`Due ${dueText(c.deadline, p, now)} · `, own ? `your answer: ${ANSWER_LABELS[own.kind]}` : 'not answered yet'),
      ...(own ? [] : [{ kind: 'buttons', buttons: responseButtons(c.id) } as Block]),
      { kind: 'divider' },
    );
  }
  return privateMessage('Your open consultations', ...blocks.slice(0, -1));
}

/** Coordinators of a partnership (the people told about requests for more time). */
export function coordinators(members: Member[]): Member[] {
  return members.filter((m) => hasRole(m, 'coordinator'));
}
