import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.ts';
import { encodeAction, plain } from '../../src/domain/message.ts';
import type { Sector } from '../../src/domain/partnership.ts';
import {
  answerConfirmation,
  checkAnswer,
  closeJob,
  closePoll,
  distribution,
  median,
  newPoll,
  nextAutoPoll,
  pollJobs,
  pollMessage,
  pollResults,
  reminderJob,
  resultsMessage,
  spread,
  STATEMENTS,
  trend,
  trendLine,
  type Answers,
  type Ballot,
  type Poll,
} from '../../src/domain/pulse.ts';
import { partnership, poll } from '../support/fixtures.ts';
import { messageText as allText } from '../support/messages.ts';

const p = partnership();

function ballot(sector: Sector, answers: Answers): Ballot {
  return { sector, answers };
}

/** n ballots from one sector, every block of the full form answered with `score`. */
function same(n: number, sector: Sector, score: number): Ballot[] {
  return Array.from({ length: n }, () =>
    ballot(sector, { trust: score, respect: score, openness: score, tolerance: score, continuity: score, framework: score }),
  );
}

describe('statistics', () => {
  it('median is the middle score, or the mean of the two middle ones', () => {
    expect(median([3])).toBe(3);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([4, 4, 1, 1, 5, 5])).toBe(4);
    expect(() => median([])).toThrow(RangeError);
  });

  it('spread gives nearest-rank quartiles (scores people gave), the interquartile range and min–max', () => {
    expect(spread([1, 2, 3, 4, 5, 5])).toEqual({ q1: 2, q3: 5, iqr: 3, min: 1, max: 5 });
    expect(spread([4, 4, 4, 4, 4])).toEqual({ q1: 4, q3: 4, iqr: 0, min: 4, max: 4 });
    expect(spread([2, 1, 5, 3])).toEqual({ q1: 1, q3: 3, iqr: 2, min: 1, max: 5 });
  });

  it('distribution counts each score 1..5 and ignores anything else', () => {
    expect(distribution([1, 1, 3, 5, 5, 5])).toEqual([2, 0, 1, 0, 3]);
    expect(distribution([0, 6, 2.5, 2])).toEqual([0, 1, 0, 0, 0]);
  });
});

describe('opening, reminding and closing', () => {
  it('closes at workStart on the working day `days` later, and reminds the working day before', () => {
    // Tue 1 Dec 2026; +5 days is Sunday, so it closes Monday 7 Dec at 09:30 (GMT).
    const x = newPoll({ id: 'p-1', p, form: 'full', now: new Date('2026-12-01T10:00:00Z'), createdBy: 'm-1' });
    expect(x).toMatchObject({ status: 'open', k: 5, openedAt: '2026-12-01T10:00:00.000Z', closesAt: '2026-12-07T09:30:00Z' });
    // The working day before Monday is Friday 4 Dec.
    expect(pollJobs(x, p)).toEqual([
      { kind: 'pulse.reminder', partnershipId: 'pt-1', ref: 'p-1', step: 'reminder', dueAt: '2026-12-04T09:30:00Z' },
      { kind: 'pulse.close', partnershipId: 'pt-1', ref: 'p-1', step: 'close', dueAt: '2026-12-07T09:30:00Z' },
    ]);
  });

  it('skips public holidays when closing (Boxing Day substitute, 28 Dec 2026)', () => {
    const x = newPoll({ id: 'p-2', p, form: 'short', now: new Date('2026-12-21T10:00:00Z'), createdBy: 'm-1', days: 5 });
    expect(x.closesAt).toBe('2026-12-29T09:30:00Z');
    // Day before the close is the holiday Monday; then Sunday, Saturday, Christmas Day: Thursday 24th.
    expect(reminderJob(x, p)?.dueAt).toBe('2026-12-24T09:30:00Z');
  });

  it('has no reminder when no working-day start falls between opening and closing', () => {
    const x = newPoll({ id: 'p-3', p, form: 'short', now: new Date('2026-12-01T14:00:00Z'), createdBy: 'm-1', days: 1 });
    expect(x.closesAt).toBe('2026-12-02T09:30:00Z');
    expect(reminderJob(x, p)).toBeNull();
    expect(pollJobs(x, p)).toEqual([closeJob(x)]);
  });

  it('fixes k on the poll, never below 3, and rejects open times out of range', () => {
    const low = { ...p, settings: { ...p.settings, anonymityK: 2 } };
    expect(newPoll({ id: 'p', p: low, form: 'full', now: new Date('2026-12-01T10:00:00Z'), createdBy: 'x' }).k).toBe(3);
    expect(() => newPoll({ id: 'p', p, form: 'full', now: new Date(), createdBy: 'x', days: 0 })).toThrow(UserError);
    expect(() => newPoll({ id: 'p', p, form: 'full', now: new Date(), createdBy: 'x', days: 31 })).toThrow(UserError);
  });

  it('plans the monthly poll for workStart on the first working day of next month', () => {
    // 1 Jan 2027 is a holiday (Friday): Monday 4 Jan.
    expect(nextAutoPoll(p, new Date('2026-12-15T12:00:00Z'))).toEqual({
      kind: 'pulse.auto', partnershipId: 'pt-1', ref: 'pt-1', step: '2027-01', dueAt: '2027-01-04T09:30:00Z',
    });
    // Summer time: 09:30 BST is 08:30 UTC.
    expect(nextAutoPoll(p, new Date('2026-05-31T23:30:00Z')).dueAt).toBe('2026-07-01T08:30:00Z'); // 00:30 on 1 June locally
    expect(nextAutoPoll(p, new Date('2026-05-20T12:00:00Z'))).toMatchObject({ step: '2026-06', dueAt: '2026-06-01T08:30:00Z' });
  });

  it('closing early records the actual close time; a late close keeps the planned one', () => {
    const open = poll({ status: 'open' });
    expect(closePoll(open, new Date('2026-12-03T12:00:00Z'))).toMatchObject({ status: 'closed', closesAt: '2026-12-03T12:00:00.000Z' });
    expect(closePoll(open, new Date('2026-12-08T12:00:00Z')).closesAt).toBe('2026-12-07T09:30:00Z');
  });
});

describe('checking an answer', () => {
  const open = poll({ status: 'open', form: 'short' });
  const now = new Date('2026-12-02T10:00:00Z');

  it('accepts scores for blocks the poll asks, and trims the comment', () => {
    expect(checkAnswer(open, { trust: 4 }, '  more notice please ', now, p)).toEqual({ answers: { trust: 4 }, comment: 'more notice please' });
    expect(checkAnswer(open, {}, 'just a comment', now, p).comment).toBe('just a comment');
  });

  it('refuses closed polls, other blocks, bad scores, long comments and empty answers, saying why', () => {
    expect(() => checkAnswer({ ...open, status: 'closed' }, { trust: 4 }, undefined, now, p)).toThrow(/closed/);
    expect(() => checkAnswer(open, { trust: 4 }, undefined, new Date('2026-12-07T09:30:00Z'), p)).toThrow(/closed/);
    expect(() => checkAnswer(open, { respect: 4 }, undefined, now, p)).toThrow(/does not ask about respect; it asks about trust, openness/);
    expect(() => checkAnswer(open, { trust: 6 }, undefined, now, p)).toThrow(/1 \(strongly disagree\) to 5/);
    expect(() => checkAnswer(open, { trust: 4 }, 'x'.repeat(1001), now, p)).toThrow(/at most 1000 characters; yours has 1001/);
    expect(() => checkAnswer(open, {}, '   ', now, p)).toThrow(/at least one score or a comment/);
  });
});

describe('results and the anonymity rule', () => {
  it('an open poll shows only how many answered so far', () => {
    const r = pollResults(poll({ status: 'open' }), same(7, 'public', 4), ['hi']);
    expect(r).toEqual({ kind: 'open', poll: poll({ status: 'open' }), respondents: 7 });
    const text = allText(resultsMessage(r, p));
    expect(text).toContain('7 answered so far; results after it closes Mon 7 Dec 2026 at 09:30');
    expect(text).not.toMatch(/median/i);
  });

  it('fewer than k: the count and the threshold, and nothing else', () => {
    const r = pollResults(poll(), same(4, 'public', 2), ['a comment']);
    expect(r.kind).toBe('withheld');
    const m = resultsMessage(r, p, { bySector: true });
    expect(allText(m)).toContain('4 answered; results need at least 5, so none are shown');
    expect(allText(m)).not.toMatch(/median|a comment|By sector/);
    expect(m.blocks.some((x) => x.kind === 'bars')).toBe(false);
  });

  it('k or more: per block count, distribution, median, spread; comments at 5 or more', () => {
    const ballots = [...same(3, 'public', 4), ...same(2, 'third', 2), ballot('private', { trust: 5, openness: 1 })];
    const r = pollResults(poll(), ballots, ['zebra', 'apple']);
    if (r.kind !== 'shown') throw new Error('expected results');
    expect(r.respondents).toBe(6);
    expect(r.comments).toEqual(['apple', 'zebra']);
    const trust = r.blocks.find((x) => x.block === 'trust')!;
    expect(trust.stats).toEqual({ count: 6, distribution: [0, 2, 0, 3, 1], median: 4, q1: 2, q3: 4, iqr: 2, min: 2, max: 5 });
    // respect was answered by 5 of the 6: still shown; nobody's answers are separable.
    expect(r.blocks.find((x) => x.block === 'respect')!.stats?.count).toBe(5);

    const m = resultsMessage(r, p);
    const text = allText(m);
    expect(m.heading).toBe('Pulse results: poll p-1');
    expect(text).toContain('6 answered the full poll that closed Mon 7 Dec 2026 at 09:30.');
    expect(text).toContain('6 answered · median 4 · middle half 2–4 (interquartile range 2) · all answers 2–5 · answers differ widely');
    const bars = m.blocks.find((x) => x.kind === 'bars');
    expect(bars).toEqual({
      kind: 'bars',
      label: 'Trust: how many gave each score (1 = strongly disagree, 5 = strongly agree)',
      bars: [{ label: '1', count: 0 }, { label: '2', count: 2 }, { label: '3', count: 0 }, { label: '4', count: 3 }, { label: '5', count: 1 }],
    });
    // Comments are the user's own text: marked so adapters escape them.
    const comment = m.blocks.find((x) => x.kind === 'text' && x.text.some((s) => s.text === 'apple'));
    expect(comment).toEqual({ kind: 'text', text: [{ text: '• ' }, { text: 'apple', user: true }] });
  });

  it('suppresses a block fewer than k answered, count included', () => {
    const ballots = [...same(3, 'public', 4), ...Array.from({ length: 3 }, () => ballot('public', { trust: 3 }))];
    const r = pollResults(poll(), ballots, []);
    if (r.kind !== 'shown') throw new Error('expected results');
    expect(r.blocks.find((x) => x.block === 'continuity')).toEqual({ block: 'continuity', stats: null, change: null });
    const text = allText(resultsMessage(r, p));
    expect(text).toContain('Continuity: not shown, because fewer than 5 people answered this question.');
    expect(text).not.toMatch(/\b3 answered/);
  });

  it('hides comments below max(k, 5) even when k is lower', () => {
    const r = pollResults(poll({ k: 3 }), same(4, 'public', 3), ['keep this private']);
    if (r.kind !== 'shown') throw new Error('expected results');
    expect(r.comments).toBeNull();
    const text = allText(resultsMessage(r, p));
    expect(text).not.toContain('keep this private');
    expect(text).toContain('Comments are shown only when at least 5 people have answered.');
  });

  it('shows the change in median only when the previous poll also passed its threshold', () => {
    const previous = { poll: poll({ id: 'p-0', openedAt: '2026-11-01T10:00:00Z' }), ballots: same(5, 'public', 2) };
    const r = pollResults(poll(), same(5, 'public', 4), [], previous);
    if (r.kind !== 'shown') throw new Error('expected results');
    expect(r.blocks[0]!.change).toBe(2);
    expect(allText(resultsMessage(r, p))).toContain('median 4, up 2 since the last poll');

    const tooFew = { ...previous, ballots: same(4, 'public', 2) };
    const r2 = pollResults(poll(), same(5, 'public', 4), [], tooFew);
    if (r2.kind !== 'shown') throw new Error('expected results');
    expect(r2.blocks.every((x) => x.change === null)).toBe(true);
  });

  it('breaks down by sector only when every sector that answered has k or more', () => {
    const even = [...same(5, 'public', 4), ...same(5, 'third', 2)];
    const r = pollResults(poll(), even, []);
    if (r.kind !== 'shown') throw new Error('expected results');
    expect(r.bySector).toMatchObject({ shown: true, hiddenBlocks: [], groups: [{ sector: 'public', respondents: 5 }, { sector: 'third', respondents: 5 }] });
    const text = allText(resultsMessage(r, p, { bySector: true }));
    expect(text).toContain('Public sector (5 answered)');
    expect(text).toContain('Median: Trust 4 · Mutual respect 4');
    // Not asked for: not shown.
    expect(allText(resultsMessage(r, p))).not.toContain('By sector');

    const oneSmall = pollResults(poll(), [...even, ...same(1, 'private', 5)], []);
    if (oneSmall.kind !== 'shown') throw new Error('expected results');
    expect(oneSmall.bySector).toEqual({ shown: false });
    const why = allText(resultsMessage(oneSmall, p, { bySector: true }));
    expect(why).toContain('A breakdown by sector appears only when every sector that answered has at least 5 answers');
    expect(why).not.toMatch(/Public sector|Private sector/);
  });

  it('does not break a block down when a sector answered it fewer than k times', () => {
    const ballots = [...same(5, 'public', 4), ...same(3, 'third', 2), ...Array.from({ length: 2 }, () => ballot('third', { trust: 1 }))];
    const r = pollResults(poll(), ballots, []);
    if (r.kind !== 'shown' || !r.bySector.shown) throw new Error('expected a breakdown');
    expect(r.bySector.hiddenBlocks).toEqual(['respect', 'openness', 'tolerance', 'continuity', 'framework']);
    expect(r.bySector.groups.map((g) => g.medians)).toEqual([{ trust: 4 }, { trust: 2 }]);
    expect(allText(resultsMessage(r, p, { bySector: true }))).toContain('Not broken down by sector: Mutual respect, Openness');
  });
});

describe('trends', () => {
  const results = [
    pollResults(poll({ id: 'p-3', openedAt: '2026-12-01T00:00:00Z' }), same(6, 'public', 4), []),
    pollResults(poll({ id: 'p-1', openedAt: '2026-10-01T00:00:00Z', form: 'short' }), [...same(3, 'public', 2), ...same(2, 'third', 3)], []),
    pollResults(poll({ id: 'p-2', openedAt: '2026-11-01T00:00:00Z' }), same(3, 'public', 5), []),
    pollResults(poll({ id: 'p-4', openedAt: '2027-01-01T00:00:00Z', status: 'open' }), same(9, 'public', 1), []),
  ];

  it('lists medians oldest first, with null for withheld polls, skipping open polls and unasked blocks', () => {
    const tr = trend(results);
    expect(tr.trust?.map((x) => [x.pollId, x.median])).toEqual([['p-1', 2], ['p-2', null], ['p-3', 4]]);
    expect(tr.respect?.map((x) => [x.pollId, x.median])).toEqual([['p-2', null], ['p-3', 4]]);
    expect(trendLine(tr.trust!)).toBe('2 → – → 4');
    expect(tr.trust?.map((x) => x.respondents)).toEqual([5, null, 6]);
  });

  it('is shown in the results message when there is more than one point', () => {
    const text = allText(resultsMessage(results[0]!, p, { trend: trend(results) }));
    expect(text).toContain('Trend (median, oldest first)');
    expect(text).toMatch(/Trust: 2 → – → 4/);
  });
});

describe('poll messages', () => {
  it('asks one 1–5 choice per statement, with answer buttons, the close time and the anonymity line', () => {
    const m = pollMessage(poll({ status: 'open' }), p);
    const choices = m.blocks.filter((x) => x.kind === 'choice');
    expect(choices).toHaveLength(6);
    const first = choices[0]!;
    if (first.kind !== 'choice') throw new Error();
    expect(plain(first.label)).toBe(`Trust: ${STATEMENTS.trust}`);
    expect(first.buttons.map((x) => x.label)).toEqual(['1', '2', '3', '4', '5']);
    expect(encodeAction(first.buttons[3]!.action)).toEqual({ id: 'pulse.answer', value: 'p-1:trust:4' });
    const text = allText(m);
    expect(text).toContain('Poll p-1 closes Mon 7 Dec 2026 at 09:30.');
    expect(text).toContain(
      'Anonymous: nobody, including coordinators, can see who answered what. Results show when at least 5 have answered, after the poll closes.',
    );
    expect(m.private).toBeUndefined();
  });

  it('the short form asks trust and openness', () => {
    const m = pollMessage(poll({ status: 'open', form: 'short' }), p);
    const labels = m.blocks.flatMap((x) => (x.kind === 'choice' ? [plain(x.label)] : []));
    expect(labels).toEqual([`Trust: ${STATEMENTS.trust}`, `Openness: ${STATEMENTS.openness}`]);
    expect(STATEMENTS.framework).toBe('I am clear what this partnership is for and what my role is.');
  });

  it('confirms privately what was recorded', () => {
    const m = answerConfirmation(poll({ status: 'open' }), p, { openness: 2, trust: 4 }, { comment: true, answeredBefore: true });
    expect(m.private).toBe(true);
    const text = allText(m);
    expect(text).toContain('Recorded anonymously: Trust 4, Openness 2.');
    expect(text).toContain('replaces your earlier one; it is not counted twice');
    expect(text).toContain('Your comment was added');
  });
});
