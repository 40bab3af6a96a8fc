// Pulse polls: the building blocks, anonymity threshold, distribution and spread, trends.
import { UserError } from './errors.ts';
import { PULSE_BLOCKS, b, context, message, para, privateMessage, t, u, type Block, type Button, type Message, type PulseBlock } from './message.ts';
import { MIN_ANONYMITY_K, SECTOR_LABELS, SECTORS, type Partnership, type Sector } from './partnership.ts';
import type { NewJob } from './ports.ts';
import type { PublishedResult } from './privacy.ts';
import { addDays, addMonths, atLocal, formatDate, localDate, localTime, onOrAfterWorkingDay, onOrBeforeWorkingDay } from './time.ts';

export { PULSE_BLOCKS, type PulseBlock } from './message.ts';

export type PollForm = 'full' | 'short';

export interface Poll {
  id: string;
  partnershipId: string;
  form: PollForm;
  /** ISO instants. */
  openedAt: string;
  closesAt: string;
  status: 'open' | 'closed';
  /** The anonymity threshold fixed when the poll opened. */
  k: number;
  createdBy: string;
}

/**
 * One person's answers to one poll, as stored: no member, no time, no order.
 * The sector is kept for breakdowns that are shown only when every group has at least k.
 */
export interface Ballot {
  sector: Sector;
  answers: Partial<Record<PulseBlock, number>>;
}

/**
 * All that results are computed from: how many ballots came from each sector, and how many of each
 * score each block got in each sector. The store counts these in SQL (GROUP BY), so results never
 * load a ballot; `tallyOf` counts them from ballots.
 */
export interface Tally {
  /** Ballots (respondents) per sector; sectors with none are left out. */
  respondents: Partial<Record<Sector, number>>;
  /** Per block and sector, how many gave each score. */
  scores: Partial<Record<PulseBlock, Partial<Record<Sector, Distribution>>>>;
}

export function emptyTally(): Tally {
  return { respondents: {}, scores: {} };
}

/** Adds `n` answers of `score` to `block` in `sector` (whole scores 1–5; anything else is ignored). */
export function countScore(t: Tally, block: PulseBlock, sector: Sector, score: number, n = 1): void {
  if (!Number.isInteger(score) || score < 1 || score > 5 || !(n > 0)) return;
  const bySector = (t.scores[block] ??= {});
  (bySector[sector] ??= [0, 0, 0, 0, 0])[score - 1]! += n;
}

export function tallyOf(ballots: readonly Ballot[]): Tally {
  const t = emptyTally();
  for (const x of ballots) {
    t.respondents[x.sector] = (t.respondents[x.sector] ?? 0) + 1;
    for (const [block, score] of Object.entries(x.answers)) countScore(t, block as PulseBlock, x.sector, score!);
  }
  return t;
}

/** How many answered at all (each ballot is counted in one sector). */
export function respondentsOf(t: Tally): number {
  let n = 0;
  for (const x of Object.values(t.respondents)) n += x;
  return n;
}

// ---- what a poll asks -------------------------------------------------------------------------

export const BLOCK_TITLES: Record<PulseBlock, string> = {
  trust: 'Trust',
  respect: 'Mutual respect',
  openness: 'Openness',
  tolerance: 'Tolerance',
  continuity: 'Continuity',
  framework: 'Framework',
};

/** One short first-person statement per building block (research: the five blocks plus framework). */
export const STATEMENTS: Record<PulseBlock, string> = {
  trust: 'I trust the other partners to do what they say they will do.',
  respect: 'I feel my views and expertise are respected by the other partners.',
  openness: 'I am willing to be affected by what happens in this partnership, even when it changes my own plans.',
  tolerance: 'I can disagree openly here without it harming our working relationships.',
  continuity: 'I work with the same people in this partnership from one month to the next.',
  framework: 'I am clear what this partnership is for and what my role is.',
};

/** Short form: trust and openness only, for a quick check between full polls. */
export const FORM_BLOCKS: Record<PollForm, readonly PulseBlock[]> = {
  full: PULSE_BLOCKS,
  short: ['trust', 'openness'],
};

export const SCORES = [1, 2, 3, 4, 5] as const;
/** Comments are shown only with at least this many respondents (and never below k), as HR survey tools do. */
export const COMMENT_MIN_RESPONDENTS = 5;
export const MAX_COMMENT_LENGTH = 1000;
export const MAX_OPEN_DAYS = 30;

/** The threshold a poll is opened with: the partnership's k, never below the floor. */
export function thresholdFor(p: Partnership): number {
  return Math.max(MIN_ANONYMITY_K, Math.floor(p.settings.anonymityK));
}

export function commentThreshold(k: number): number {
  return Math.max(k, COMMENT_MIN_RESPONDENTS);
}

// ---- statistics -------------------------------------------------------------------------------

/** Counts of scores 1..5 (index 0 is score 1). */
export type Distribution = [number, number, number, number, number];

export function distribution(scores: readonly number[]): Distribution {
  const d: Distribution = [0, 0, 0, 0, 0];
  for (const s of scores) if (Number.isInteger(s) && s >= 1 && s <= 5) d[s - 1]! += 1;
  return d;
}

function sorted(scores: readonly number[]): number[] {
  if (!scores.length) throw new RangeError('no scores');
  return [...scores].sort((x, y) => x - y);
}

/** The middle score; with an even count, the mean of the two middle ones (so it can be x.5). */
export function median(scores: readonly number[]): number {
  const s = sorted(scores);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Spread, as the interquartile range: q1 and q3 are nearest-rank quartiles, so they are scores
 * people actually gave ("the middle half answered 2 to 4"); min and max are shown beside them.
 * Spread matters because the research names "unhealthy consensus": an average hides disagreement.
 */
export interface Spread {
  q1: number;
  q3: number;
  iqr: number;
  min: number;
  max: number;
}

export function spread(scores: readonly number[]): Spread {
  const s = sorted(scores);
  const rank = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)]!;
  const q1 = rank(0.25);
  const q3 = rank(0.75);
  return { q1, q3, iqr: q3 - q1, min: s[0]!, max: s[s.length - 1]! };
}

/** The score at 0-based position `i` of the sorted scores a distribution counts. */
function nth(d: Distribution, i: number): number {
  let seen = 0;
  for (let score = 1; score <= 5; score++) {
    seen += d[score - 1]!;
    if (i < seen) return score;
  }
  throw new RangeError('no such score');
}

function total(d: Distribution): number {
  return d[0] + d[1] + d[2] + d[3] + d[4];
}

/** `median` of the scores a distribution counts, without listing them. */
export function medianOf(d: Distribution): number {
  const n = total(d);
  if (!n) throw new RangeError('no scores');
  const mid = Math.floor(n / 2);
  return n % 2 ? nth(d, mid) : (nth(d, mid - 1) + nth(d, mid)) / 2;
}

/** `spread` of the scores a distribution counts, without listing them. */
export function spreadOf(d: Distribution): Spread {
  const n = total(d);
  if (!n) throw new RangeError('no scores');
  const rank = (p: number) => nth(d, Math.max(0, Math.ceil(p * n) - 1));
  const q1 = rank(0.25);
  const q3 = rank(0.75);
  return { q1, q3, iqr: q3 - q1, min: nth(d, 0), max: nth(d, n - 1) };
}

/** An interquartile range this wide (on a 1–5 scale) is called out as real disagreement. */
export const WIDE_SPREAD = 2;

// ---- opening, reminding, closing ------------------------------------------------------------------

function week(p: Partnership) {
  return { workDays: p.settings.workDays, region: p.region };
}

/** Formatting a local time costs more than the rest of a button press, and a poll's closing time is
 * written on every confirmation: the last few are remembered. */
const whenTexts = new Map<string, string>();
const WHEN_TEXTS_KEPT = 256;

/** "Tue 15 Dec 2026 at 09:30" in the partnership's timezone. */
export function whenText(instant: string, p: Partnership): string {
  const key = `${instant} ${p.timezone}`;
  let text = whenTexts.get(key);
  if (text === undefined) {
    text = `${formatDate(localDate(instant, p.timezone))} at ${localTime(instant, p.timezone)}`;
    if (whenTexts.size >= WHEN_TEXTS_KEPT) whenTexts.clear();
    whenTexts.set(key, text);
  }
  return text;
}

/**
 * A poll opens now and closes at the start of the working day `days` calendar days later (moved to
 * the next working day if that one is not), so results arrive in working hours and nobody loses a
 * weekend of the promised time.
 */
export function pollWindow(p: Partnership, now: Date, days: number = p.settings.pulseOpenDays): { openedAt: string; closesAt: string } {
  if (!Number.isInteger(days) || days < 1 || days > MAX_OPEN_DAYS) {
    throw new UserError(`A poll stays open between 1 and ${MAX_OPEN_DAYS} days; ${days} is outside that.`);
  }
  const closeDay = onOrAfterWorkingDay(addDays(localDate(now, p.timezone), days), week(p));
  return { openedAt: now.toISOString(), closesAt: atLocal(closeDay, p.settings.workStart, p.timezone) };
}

export function newPoll(input: { id: string; p: Partnership; form: PollForm; now: Date; createdBy: string; days?: number }): Poll {
  const { openedAt, closesAt } = pollWindow(input.p, input.now, input.days);
  return {
    id: input.id,
    partnershipId: input.p.id,
    form: input.form,
    openedAt,
    closesAt,
    status: 'open',
    k: thresholdFor(input.p),
    createdBy: input.createdBy,
  };
}

/**
 * One reminder, at the start of the last working day before the closing day: a "last chance" nudge
 * works better than one halfway, and people who answered on day one are not reminded at all. When
 * no such moment falls after the poll opened (a one-day poll), there is no reminder: the poll itself
 * has only just arrived.
 */
export function reminderJob(poll: Poll, p: Partnership): NewJob | null {
  const closeDay = localDate(poll.closesAt, p.timezone);
  const day = onOrBeforeWorkingDay(addDays(closeDay, -1), week(p));
  const dueAt = atLocal(day, p.settings.workStart, p.timezone);
  const due = Date.parse(dueAt);
  if (due <= Date.parse(poll.openedAt) || due >= Date.parse(poll.closesAt)) return null;
  return { kind: 'pulse.reminder', partnershipId: poll.partnershipId, ref: poll.id, step: 'reminder', dueAt };
}

export function closeJob(poll: Poll): NewJob {
  return { kind: 'pulse.close', partnershipId: poll.partnershipId, ref: poll.id, step: 'close', dueAt: poll.closesAt };
}

/** The reminder (when there is room for one) and the close. */
export function pollJobs(poll: Poll, p: Partnership): NewJob[] {
  const reminder = reminderJob(poll, p);
  return reminder ? [reminder, closeJob(poll)] : [closeJob(poll)];
}

/** The next monthly automatic poll: workStart on the first working day of next month (step "YYYY-MM"). */
export function nextAutoPoll(p: Partnership, now: Date): NewJob {
  const today = localDate(now, p.timezone);
  const firstOfNext = addMonths(`${today.slice(0, 7)}-01`, 1);
  const day = onOrAfterWorkingDay(firstOfNext, week(p));
  return {
    kind: 'pulse.auto',
    partnershipId: p.id,
    ref: p.id,
    step: firstOfNext.slice(0, 7),
    dueAt: atLocal(day, p.settings.workStart, p.timezone),
  };
}

/** Open and not yet past its closing time (the close job may run a little late). */
export function isOpenAt(poll: Poll, now: Date): boolean {
  return poll.status === 'open' && now.getTime() < Date.parse(poll.closesAt);
}

/** Closes a poll now; a poll closed early records when it actually closed. */
export function closePoll(poll: Poll, now: Date): Poll {
  return { ...poll, status: 'closed', closesAt: now.getTime() < Date.parse(poll.closesAt) ? now.toISOString() : poll.closesAt };
}

export type Answers = Partial<Record<PulseBlock, number>>;

/**
 * Checks an answer against the poll: open, not past its closing time, only the blocks this poll
 * asks, whole scores 1–5, a comment of at most MAX_COMMENT_LENGTH. Returns the trimmed comment.
 */
export function checkAnswer(poll: Poll, answers: Answers, comment: string | undefined, now: Date, p: Partnership): { answers: Answers; comment: string | null } {
  if (!isOpenAt(poll, now)) {
    throw new UserError(`Poll ${poll.id} closed on ${whenText(poll.closesAt, p)}, so it takes no more answers.`);
  }
  const asked = FORM_BLOCKS[poll.form];
  for (const [block, score] of Object.entries(answers)) {
    if (!asked.includes(block as PulseBlock)) {
      throw new UserError(`Poll ${poll.id} does not ask about ${block}; it asks about ${asked.join(', ')}.`);
    }
    if (!Number.isInteger(score) || score! < 1 || score! > 5) {
      throw new UserError(`Scores are whole numbers from 1 (strongly disagree) to 5 (strongly agree); ${block}=${score} is not one.`);
    }
  }
  const text = comment?.trim() ?? '';
  if (text.length > MAX_COMMENT_LENGTH) {
    throw new UserError(`A comment can be at most ${MAX_COMMENT_LENGTH} characters; yours has ${text.length}. Please shorten it.`);
  }
  if (!Object.keys(answers).length && !text) {
    throw new UserError(`Give at least one score or a comment, e.g. \`/partner pulse answer ${poll.id} trust=4\`.`);
  }
  return { answers, comment: text || null };
}

// ---- results, with the anonymity rule ---------------------------------------------------------
//
// The rule, in full (k is fixed on the poll when it opens, never below 3):
// - Results are published only once a poll is closed. An open poll shows only "N answered so far":
//   snapshots of an open poll could be differenced ("the median moved after Sam said they voted").
// - Fewer than k respondents: no numbers at all except the respondent count, which says who took
//   part in aggregate but nothing about any answer.
// - A block answered by fewer than k (people may skip questions) is suppressed, count included.
//   Comparing other blocks' counts can reveal how many skipped, never what anyone answered.
// - Comments only with at least max(k, 5) respondents, sorted (never in the order written).
// - A sector breakdown is all-or-nothing: shown only when EVERY sector with any ballots has at least
//   k, so no small group can be recovered as "all" minus the shown groups. Per block, sector medians
//   are shown only when every sector that answered that block has at least k answers to it.
// - Counts shown are group sizes (respondents, block answerers, sector groups), all at least k; the
//   distribution bars are counts of scores within a group of at least k.

export interface BlockStats extends Spread {
  count: number;
  distribution: Distribution;
  median: number;
}

export interface BlockResult {
  block: PulseBlock;
  /** null: fewer than k answered this block, so nothing about it is shown. */
  stats: BlockStats | null;
  /** Median now minus median in the previous poll; null unless both were shown. */
  change: number | null;
}

export interface SectorGroup {
  sector: Sector;
  respondents: number;
  /** Medians of the blocks whose breakdown passed (see `hiddenBlocks`). */
  medians: Partial<Record<PulseBlock, number>>;
}

export type SectorBreakdown =
  | { shown: true; groups: SectorGroup[]; /** Blocks not broken down: a sector had fewer than k answers to it. */ hiddenBlocks: PulseBlock[] }
  | { shown: false };

export type Result =
  /** Still open: nothing but the number who answered so far. */
  | { kind: 'open'; poll: Poll; respondents: number }
  /** Closed with fewer than k respondents: nothing but that number. */
  | { kind: 'withheld'; poll: Poll; respondents: number }
  | {
      kind: 'shown';
      poll: Poll;
      respondents: number;
      blocks: BlockResult[];
      /** null: fewer than max(k, 5) respondents. */
      comments: string[] | null;
      bySector: SectorBreakdown;
    };

/** A block's scores over all sectors. */
function blockDistribution(t: Tally, block: PulseBlock): Distribution {
  const d: Distribution = [0, 0, 0, 0, 0];
  for (const x of Object.values(t.scores[block] ?? {})) for (let i = 0; i < 5; i++) d[i]! += x[i]!;
  return d;
}

function statsOf(d: Distribution, k: number): BlockStats | null {
  const count = total(d);
  if (count < k) return null;
  return { count, distribution: d, median: medianOf(d), ...spreadOf(d) };
}

function sectorCount(t: Tally, block: PulseBlock, sector: Sector): number {
  const d = t.scores[block]?.[sector];
  return d ? total(d) : 0;
}

function sectorBreakdown(t: Tally, blocks: readonly PulseBlock[], k: number): SectorBreakdown {
  // Every sector with any ballot or any answer (the two agree for a tally of ballots; counting both
  // keeps a malformed tally from leaving a small group out, to be found by subtraction).
  const answered = new Set<Sector>(Object.keys(t.respondents) as Sector[]);
  for (const bySector of Object.values(t.scores)) for (const s of Object.keys(bySector)) answered.add(s as Sector);
  // All-or-nothing: one small sector hides the whole breakdown.
  if ([...answered].some((s) => (t.respondents[s] ?? 0) < k)) return { shown: false };
  const present = SECTORS.filter((s) => answered.has(s));
  const hiddenBlocks = blocks.filter((block) => present.some((s) => {
    const n = sectorCount(t, block, s);
    return n > 0 && n < k;
  }));
  const groups = present.map((sector) => {
    const medians: Partial<Record<PulseBlock, number>> = {};
    for (const block of blocks) {
      const d = t.scores[block]?.[sector];
      if (!hiddenBlocks.includes(block) && d && total(d)) medians[block] = medianOf(d);
    }
    return { sector, respondents: t.respondents[sector]!, medians };
  });
  return { shown: true, groups, hiddenBlocks };
}

/** The change in a block's median since `before` (a shown result), when both were shown. */
function changeSince(before: Result | undefined, block: PulseBlock, stats: BlockStats | null): number | null {
  if (!stats || before?.kind !== 'shown') return null;
  const prior = before.blocks.find((x) => x.block === block)?.stats;
  return prior ? stats.median - prior.median : null;
}

/**
 * The results of one poll under the anonymity rule above, from its tally. `comments` come from the
 * store (sorted; sorted again here so no caller can leak their order). `previous` is the result of
 * the poll before this one, for the change in median when both passed the threshold. Used by
 * `results`, by the close job and by the review pack.
 */
export function resultsOf(poll: Poll, tally: Tally, comments: readonly string[], previous?: Result): Result {
  const respondents = respondentsOf(tally);
  if (poll.status === 'open') return { kind: 'open', poll, respondents };
  if (respondents < poll.k) return { kind: 'withheld', poll, respondents };
  const asked = FORM_BLOCKS[poll.form];
  const blocks = asked.map((block): BlockResult => {
    const stats = statsOf(blockDistribution(tally, block), poll.k);
    return { block, stats, change: changeSince(previous, block, stats) };
  });
  return {
    kind: 'shown',
    poll,
    respondents,
    blocks,
    comments: respondents >= commentThreshold(poll.k) ? [...comments].sort() : null,
    bySector: sectorBreakdown(tally, asked, poll.k),
  };
}

/** `resultsOf` for ballots (and the ballots of the previous poll). */
export function pollResults(poll: Poll, ballots: readonly Ballot[], comments: readonly string[], previous?: { poll: Poll; ballots: readonly Ballot[] }): Result {
  const before = previous ? resultsOf(previous.poll, tallyOf(previous.ballots), []) : undefined;
  return resultsOf(poll, tallyOf(ballots), comments, before);
}

/**
 * The results of a poll whose answers are past retention, from what its results published then
 * (poll_summaries): the same numbers, since only groups of at least k were ever published. The
 * change since `previous` is worked out as for any poll. One thing is not kept: which blocks a sector
 * breakdown left out, so a block with no sector median counts as left out (for a block nobody
 * answered at all, the live results would not have listed it).
 */
export function keptResults(poll: Poll, kept: PublishedResult, previous?: Result): Result {
  if (poll.status === 'open') return { kind: 'open', poll, respondents: kept.respondents };
  if (!kept.shown || kept.respondents < poll.k) return { kind: 'withheld', poll, respondents: kept.respondents };
  const asked = FORM_BLOCKS[poll.form];
  const blocks = asked.map((block): BlockResult => {
    const x = kept.blocks.find((b) => b.block === block);
    const stats: BlockStats | null = x
      ? { count: x.count, distribution: [...x.distribution] as Distribution, median: x.median, q1: x.q1, q3: x.q3, iqr: x.q3 - x.q1, min: x.min, max: x.max }
      : null;
    return { block, stats, change: changeSince(previous, block, stats) };
  });
  const groups: SectorGroup[] | null = kept.bySector
    ? kept.bySector.map((g) => ({ sector: g.sector as Sector, respondents: g.respondents, medians: { ...g.medians } as Partial<Record<PulseBlock, number>> }))
    : null;
  return {
    kind: 'shown',
    poll,
    respondents: kept.respondents,
    blocks,
    comments: kept.comments === null ? null : [...kept.comments].sort(),
    bySector: groups
      ? { shown: true, groups, hiddenBlocks: asked.filter((block) => !groups.some((g) => g.medians[block] !== undefined)) }
      : { shown: false },
  };
}

// ---- trends -----------------------------------------------------------------------------------

/** One poll's median for one block; null when that poll's results (or that block) were withheld. */
export interface TrendPoint {
  pollId: string;
  closesAt: string;
  median: number | null;
  /** How many answered that block; null exactly when `median` is (a count below k is never given). */
  respondents: number | null;
}

export type Trend = Partial<Record<PulseBlock, TrendPoint[]>>;

/**
 * Per block, the medians of closed polls in the order they ran. Withheld polls and suppressed blocks
 * appear as null (so a gap is visible, not silently skipped); open polls and blocks a poll did not
 * ask are left out. For the results message and the review pack.
 */
export function trend(results: readonly Result[]): Trend {
  const out: Trend = {};
  const closed = results.filter((r) => r.kind !== 'open').sort((x, y) => Date.parse(x.poll.openedAt) - Date.parse(y.poll.openedAt));
  for (const r of closed) {
    for (const block of FORM_BLOCKS[r.poll.form]) {
      const stats = r.kind === 'shown' ? r.blocks.find((x) => x.block === block)?.stats : null;
      (out[block] ??= []).push({ pollId: r.poll.id, closesAt: r.poll.closesAt, median: stats ? stats.median : null, respondents: stats ? stats.count : null });
    }
  }
  return out;
}

/** "3.5 → 4 → – → 4": "–" marks a poll whose results were withheld. */
export function trendLine(points: readonly TrendPoint[]): string {
  return points.map((x) => (x.median === null ? '–' : num(x.median))).join(' → ');
}

// ---- messages ---------------------------------------------------------------------------------

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** How group sizes are always written ("6 answered"), so they are easy to find and check. */
export function answered(n: number): string {
  return `${n} answered`;
}

const SCALE = '1 = strongly disagree, 5 = strongly agree';

function choices(poll: Poll): Block[] {
  return FORM_BLOCKS[poll.form].map((block) => ({
    kind: 'choice',
    label: [b(BLOCK_TITLES[block]), t(`: ${STATEMENTS[block]}`)],
    buttons: SCORES.map((score): Button => ({ label: String(score), action: { type: 'pulse.answer', pollId: poll.id, block, score } })),
  }));
}

function anonymityLine(poll: Poll): string {
  return `Anonymous: nobody, including coordinators, can see who answered what. Results show when at least ${poll.k} have answered, after the poll closes.`;
}

/** The poll as posted to the partnership's channels: one 1–5 choice per statement. */
export function pollMessage(poll: Poll, p: Partnership): Message {
  const n = FORM_BLOCKS[poll.form].length;
  return message(
    'Pulse poll: how is the partnership working?',
    para(t(`${n === 2 ? 'Two' : 'Six'} short statements. How far do you agree? ${SCALE}. Answer any or all; pressing another number changes your answer.`)),
    ...choices(poll),
    para(t(`To add an anonymous comment: \`/partner pulse answer ${poll.id} comment="..."\``)),
    context(t(`Poll ${poll.id} closes ${whenText(poll.closesAt, p)}. ${anonymityLine(poll)}`)),
  );
}

/** The direct message to members who have not answered yet. */
export function reminderMessage(poll: Poll, p: Partnership): Message {
  const full = pollMessage(poll, p);
  return message(
    `Reminder: the pulse poll closes ${whenText(poll.closesAt, p)}`,
    para(t('You have not answered the pulse poll yet. It takes a minute, and your answers are anonymous.')),
    ...full.blocks.slice(1),
  );
}

/** Shown only to the person who answered. */
export function answerConfirmation(poll: Poll, p: Partnership, answers: Answers, opts: { comment: boolean; answeredBefore: boolean }): Message {
  const parts = FORM_BLOCKS[poll.form].filter((x) => answers[x] !== undefined).map((x) => `${BLOCK_TITLES[x]} ${answers[x]}`);
  const blocks: Block[] = [];
  if (parts.length) {
    blocks.push(para(t(`Recorded anonymously: ${parts.join(', ')}.`)));
    blocks.push(para(t(
      `${opts.answeredBefore ? 'A new answer to a question replaces your earlier one; it is not counted twice. ' : ''}You can change an answer until the poll closes ${whenText(poll.closesAt, p)}.`,
    )));
  }
  if (opts.comment) {
    blocks.push(para(t(`${parts.length ? 'Your comment was added' : 'Recorded anonymously: your comment'}. Comments cannot be edited or withdrawn, because nothing links them to you.`)));
  }
  blocks.push(context(t(anonymityLine(poll))));
  return privateMessage(undefined, ...blocks);
}

function changeText(change: number | null): string {
  if (change === null) return '';
  if (change === 0) return ', no change since the last poll';
  return `, ${change > 0 ? 'up' : 'down'} ${num(Math.abs(change))} since the last poll`;
}

function blockBlocks(r: BlockResult, k: number): Block[] {
  const title = BLOCK_TITLES[r.block];
  if (!r.stats) {
    return [para(b(title), t(`: not shown, because fewer than ${k} people answered this question.`))];
  }
  const s = r.stats;
  const wide = s.iqr >= WIDE_SPREAD ? ' · answers differ widely' : '';
  return [
    para(b(title), t(`: ${STATEMENTS[r.block]}`)),
    { kind: 'bars', label: `${title}: how many gave each score (${SCALE})`, bars: SCORES.map((score) => ({ label: String(score), count: s.distribution[score - 1]! })) },
    context(t(`${answered(s.count)} · median ${num(s.median)}${changeText(r.change)} · middle half ${s.q1}–${s.q3} (interquartile range ${s.iqr}) · all answers ${s.min}–${s.max}${wide}`)),
  ];
}

function sectorBlocks(r: Extract<Result, { kind: 'shown' }>): Block[] {
  const out: Block[] = [para(b('By sector'))];
  const bd = r.bySector;
  if (!bd.shown) {
    out.push(para(t(
      `Not shown. A breakdown by sector appears only when every sector that answered has at least ${r.poll.k} answers, and at least one has fewer: showing the other sectors would let anyone work out the smaller group's answers by subtracting them from the totals.`,
    )));
    return out;
  }
  out.push({
    kind: 'fields',
    fields: bd.groups.map((g) => {
      const medians = FORM_BLOCKS[r.poll.form].filter((x) => g.medians[x] !== undefined).map((x) => `${BLOCK_TITLES[x]} ${num(g.medians[x]!)}`);
      const label = SECTOR_LABELS[g.sector];
      return { label: `${label[0]!.toUpperCase()}${label.slice(1)} (${answered(g.respondents)})`, value: [t(medians.length ? `Median: ${medians.join(' · ')}` : 'No medians shown')] };
    }),
  });
  if (bd.hiddenBlocks.length) {
    out.push(context(t(
      `Not broken down by sector: ${bd.hiddenBlocks.map((x) => BLOCK_TITLES[x]).join(', ')}, because in at least one sector fewer than ${r.poll.k} people answered it.`,
    )));
  }
  return out;
}

/**
 * The results as a message. `bySector` adds the sector breakdown (or the reason it is withheld);
 * `trend` adds the medians of recent polls. Every count it shows is a group of at least k, except
 * the respondent count of an open or withheld poll, which comes with no results at all.
 */
export function resultsMessage(r: Result, p: Partnership, opts: { bySector?: boolean; trend?: Trend } = {}): Message {
  const heading = `Pulse results: poll ${r.poll.id}`;
  const k = r.poll.k;
  if (r.kind === 'open') {
    return message(
      `Pulse poll ${r.poll.id}`,
      para(t(`${r.respondents ? `${answered(r.respondents)} so far` : 'Nobody has answered yet'}; results after it closes ${whenText(r.poll.closesAt, p)}, if at least ${k} people have answered by then.`)),
      context(t('Results are published only after a poll closes, so nobody can compare snapshots to work out an answer.')),
    );
  }
  if (r.kind === 'withheld') {
    return message(
      heading,
      para(t(`${r.respondents ? answered(r.respondents) : 'Nobody answered'}; results need at least ${k}, so none are shown, and no comments either.`)),
      context(t(`With fewer than ${k} answers, people could be singled out. The next poll is a fresh chance.`)),
    );
  }
  const blocks: Block[] = [
    para(t(`${answered(r.respondents)} the ${r.poll.form} poll that closed ${whenText(r.poll.closesAt, p)}.`)),
  ];
  for (const x of r.blocks) blocks.push(...blockBlocks(x, k));
  if (opts.bySector) blocks.push(...sectorBlocks(r));
  if (r.comments === null) {
    blocks.push(context(t(`Comments are shown only when at least ${commentThreshold(k)} people have answered.`)));
  } else if (r.comments.length) {
    blocks.push(para(b('Comments')));
    for (const c of r.comments) blocks.push(para(t('• '), u(c)));
  }
  const lines = FORM_BLOCKS[r.poll.form]
    .map((x) => ({ block: x, points: opts.trend?.[x] ?? [] }))
    .filter((x) => x.points.length > 1);
  if (lines.length) {
    blocks.push(para(b('Trend (median, oldest first)')));
    blocks.push({ kind: 'fields', fields: lines.map((x) => ({ label: BLOCK_TITLES[x.block], value: [t(trendLine(x.points))] })) });
    blocks.push(context(t('– marks a poll whose results were withheld because too few answered.')));
  }
  blocks.push(context(t(`Anonymous: group counts and spread only, never who answered what; nothing is shown for fewer than ${k} people. Scores: ${SCALE}.`)));
  return message(heading, ...blocks);
}
