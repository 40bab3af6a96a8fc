import { describe, expect, it } from 'vitest';
import type { Consultation, ConsultationResponse } from '../../src/domain/consultation.ts';
import type { ConsultationRecord } from '../../src/domain/digest.ts';
import { pollResults, type Ballot, type Poll, type Result } from '../../src/domain/pulse.ts';
import type { Partnership, Sector } from '../../src/domain/partnership.ts';
import {
  nextReviewDate,
  reminderStepDate,
  reviewFigures,
  reviewPack,
  reviewReminderPlan,
  type ReviewPackInput,
} from '../../src/domain/review.ts';
import { consultation as fixtureConsultation, member as fixtureMember, partnership as fixturePartnership, poll, response } from '../support/fixtures.ts';
import { bodyText as textOf } from '../support/messages.ts';

const partnership = (over: Partial<Partnership> = {}) =>
  fixturePartnership({ name: 'Leith Food', reviewDate: '2026-12-15', createdAt: '2026-01-05T10:00:00Z', ...over });

describe('reviewReminderPlan', () => {
  it('reminds 30, 7 and 1 days before at 09:30 local, moving weekends back to Friday', () => {
    const jobs = reviewReminderPlan(partnership(), new Date('2026-10-01T00:00:00Z'));
    expect(jobs).toEqual([
      // 15 Nov 2026 is a Sunday: Friday 13 Nov (GMT).
      { kind: 'review.reminder', partnershipId: 'pt-1', ref: 'pt-1', step: '2026-12-15:30', dueAt: '2026-11-13T09:30:00Z' },
      { kind: 'review.reminder', partnershipId: 'pt-1', ref: 'pt-1', step: '2026-12-15:7', dueAt: '2026-12-08T09:30:00Z' },
      { kind: 'review.reminder', partnershipId: 'pt-1', ref: 'pt-1', step: '2026-12-15:1', dueAt: '2026-12-14T09:30:00Z' },
    ]);
    expect(jobs.map((j) => reminderStepDate(j.step))).toEqual(['2026-12-15', '2026-12-15', '2026-12-15']);
  });

  it('skips bank holidays and reminders already past, and uses summer time', () => {
    // Review Tue 29 Dec 2026: the day before is the Boxing Day substitute holiday, and 25 Dec is Christmas: Thu 24 Dec.
    const xmas = reviewReminderPlan(partnership({ reviewDate: '2026-12-29' }), new Date('2026-12-23T12:00:00Z')); // the 7-day one (22 Dec) is past
    expect(xmas.map((j) => [j.step, j.dueAt])).toEqual([['2026-12-29:1', '2026-12-24T09:30:00Z']]);
    // In June, 09:30 London is 08:30 UTC.
    const june = reviewReminderPlan(partnership({ reviewDate: '2026-06-30' }), new Date('2026-06-01T00:00:00Z'));
    expect(june.map((j) => j.dueAt)).toEqual(['2026-06-23T08:30:00Z', '2026-06-29T08:30:00Z']);
  });

  it('plans nothing without a review date or for a wound-up partnership', () => {
    expect(reviewReminderPlan(partnership({ reviewDate: null }), new Date('2026-01-01T00:00:00Z'))).toEqual([]);
    expect(reviewReminderPlan(partnership({ status: 'wound_up' }), new Date('2026-01-01T00:00:00Z'))).toEqual([]);
  });
});

describe('nextReviewDate', () => {
  it('is the date given, or twelve months on', () => {
    expect(nextReviewDate('2026-10-12', '2027-03-01')).toBe('2027-03-01');
    expect(nextReviewDate('2026-10-12', undefined)).toBe('2027-10-12');
  });
});

// ---- the review pack for a hand-built period -----------------------------------------------------

// Members named by their ids: the pack counts them, it does not name them.
const member = (id: string, sector: Sector, organisation: string) => fixtureMember(id, { id, sector, organisation });

const members = [
  member('m-1', 'public', 'City Council'),
  member('m-2', 'public', 'City Council'),
  member('m-3', 'third', 'Food Bank <!channel>'),
  member('m-4', 'private', 'Grocer Ltd'),
];

const consultation = (id: string, over: Partial<Consultation>): Consultation =>
  fixtureConsultation({ id, title: `Title ${id}`, openedAt: '2026-07-01T09:00:00Z', deadline: '2026-08-31', status: 'closed', ...over });

const resp = (consultationId: string, memberId: string, at: string, kind: ConsultationResponse['kind'] = 'responded') =>
  response(memberId, { consultationId, at, kind });

// Last review 1 Jun 2026; now Mon 12 Oct 2026.
const NOW = new Date('2026-10-12T09:00:00Z');
const p = partnership({ lastReviewAt: '2026-06-01T10:00:00Z', reviewDate: '2026-10-30' });

const records: ConsultationRecord[] = [
  // Before the period: ignored for rates, but its overdue feedback still shows.
  {
    consultation: consultation('c-old', { openedAt: '2026-03-01T09:00:00Z', deadline: '2026-05-20', status: 'awaiting_feedback' }),
    asked: ['m-1'],
    responses: [],
  },
  // In the period: 4 asked, 3 answered (one late, one "not relevant"), feedback given.
  {
    consultation: consultation('c-a', { deadline: '2026-08-31', status: 'closed', feedbackAt: '2026-09-05T10:00:00Z' }),
    asked: ['m-1', 'm-2', 'm-3', 'm-4'],
    responses: [
      resp('c-a', 'm-1', '2026-08-01T10:00:00Z'),
      resp('c-a', 'm-3', '2026-08-31T22:30:00Z', 'not_relevant'), // 23:30 BST on the deadline day: on time
      resp('c-a', 'm-4', '2026-09-01T08:00:00Z'), // the next morning: late
    ],
  },
  // In the period: 2 asked, 1 answered on time, feedback owed and overdue (deadline 1 Oct, now 12 Oct).
  {
    consultation: consultation('c-b', { openedAt: '2026-09-01T09:00:00Z', deadline: '2026-10-01', status: 'awaiting_feedback' }),
    asked: ['m-2', 'm-3'],
    responses: [resp('c-b', 'm-3', '2026-09-10T10:00:00Z', 'more_time'), resp('c-b', 'm-9', '2026-09-10T10:00:00Z')],
  },
];

const closedPoll = (id: string, closesAt: string) => poll({ id, form: 'short', openedAt: closesAt, closesAt });

function ballots(trust: number[], openness: number[]): Ballot[] {
  return trust.map((score, i) => ({ sector: 'public', answers: { trust: score, openness: openness[i]! } }));
}

// Results come from the pulse module's anonymity rule: the middle poll had 3 answers and is withheld.
const polls: Result[] = [
  pollResults(closedPoll('pl-1', '2026-07-06T15:00:00Z'), ballots([3, 3, 3, 3, 4, 4], [4, 4, 4, 4, 4, 4]), []),
  pollResults(closedPoll('pl-2', '2026-08-03T15:00:00Z'), ballots([1, 1, 5], [1, 1, 1]), []),
  pollResults(closedPoll('pl-3', '2026-09-07T15:00:00Z'), ballots([2, 3, 3, 4, 4, 4, 5], [1, 2, 2, 2, 3, 3, 3]), []),
];

const input: ReviewPackInput = { partnership: p, members, consultations: records, polls, now: NOW };

describe('reviewFigures', () => {
  it('counts the period’s consultations, answers, timeliness, feedback and participation', () => {
    const f = reviewFigures(input);
    expect(f.since.toISOString()).toBe('2026-06-01T10:00:00.000Z');
    expect(f.opened.map((o) => o.record.consultation.id)).toEqual(['c-a', 'c-b']);
    expect([f.asked, f.answered, f.onTime]).toEqual([6, 4, 3]);
    expect([f.feedbackGiven, f.feedbackOwed, f.feedbackOverdue]).toEqual([1, 1, 1]);
    expect(f.overdue.map((c) => c.id)).toEqual(['c-old', 'c-b']);
    expect(f.bySector).toEqual([
      { sector: 'public', asked: 3, answered: 1 },
      { sector: 'third', asked: 2, answered: 2 },
      { sector: 'private', asked: 1, answered: 1 },
    ]);
    expect(f.byOrganisation).toEqual([
      { organisation: 'City Council', asked: 3, answered: 1 },
      { organisation: 'Food Bank <!channel>', asked: 2, answered: 2 },
      { organisation: 'Grocer Ltd', asked: 1, answered: 1 },
    ]);
  });

  it('covers the time since the partnership began when there was no review yet', () => {
    const f = reviewFigures({ ...input, partnership: { ...p, lastReviewAt: null } });
    expect(f.since.toISOString()).toBe('2026-01-05T10:00:00.000Z');
    expect(f.opened.map((o) => o.record.consultation.id)).toEqual(['c-old', 'c-a', 'c-b']);
  });
});

describe('reviewPack', () => {
  const pack = reviewPack(input);
  const text = textOf(pack);

  it('summarises the period', () => {
    expect(text).toContain('for the period Mon 1 Jun 2026 to Mon 12 Oct 2026 (133 days, since the last review)');
    expect(text).toContain('Consultations opened: 2');
    expect(text).toContain('Response rate (answers of any kind / asked): 4 of 6 (67%)');
    expect(text).toContain('Answered before the deadline: 3 of 4 (75%)');
    expect(text).toContain('“You said, we did” feedback: 1 given, 1 owed (1 overdue)');
    expect(text).toContain('Trust: 3 → – → 4 (latest median: 7 answered, Mon 7 Sep 2026)');
    expect(text).toContain('Openness: 4 → – → 2');
    expect(text).toContain('– marks 1 poll(s) with too few answers to show.');
    // Nothing of the withheld poll shows, not even its size.
    expect(text).not.toContain('3 answered');
    expect(text).toContain('public sector: 1 of 3 (33%)');
    expect(text).toContain('Food Bank <!channel>: 2 of 2 (100%)');
    expect(text).toContain('Feedback on Title c-old (c-old), deadline Wed 20 May 2026');
  });

  it('marks organisation names and titles as user text', () => {
    const spans = pack.blocks.flatMap((bl) => ('text' in bl ? bl.text : []));
    expect(spans.find((s) => s.text === 'Food Bank <!channel>')?.user).toBe(true);
    expect(spans.find((s) => s.text === 'Title c-a')?.user).toBe(true);
    expect(spans.find((s) => s.text === 'Leith Food')?.user).toBe(true);
  });

  it('asks: continue, change, or wind up?', () => {
    expect(text).toContain('Continue, change, or wind up?');
    const buttons = pack.blocks.flatMap((bl) => (bl.kind === 'buttons' ? bl.buttons : []));
    expect(buttons.map((x) => x.action)).toEqual([
      { type: 'command', text: 'review done continue' },
      { type: 'command', text: 'review done change' },
      { type: 'command', text: 'review done wind-up' },
    ]);
  });

  it('says when no poll passed the threshold and nothing is overdue', () => {
    const quiet = textOf(
      reviewPack({
        partnership: { ...p, lastReviewAt: '2026-10-01T00:00:00Z' },
        members,
        consultations: [],
        polls: [pollResults(closedPoll('pl-9', '2026-10-05T15:00:00Z'), ballots([4, 4, 4, 4], [4, 4, 4, 4]), [])],
        now: NOW,
      }),
    );
    expect(quiet).toContain('1 poll(s) closed in the period, none with enough answers to show results (at least 5).');
    expect(quiet).toContain('Nothing is overdue.');
    expect(quiet).toContain('Response rate (answers of any kind / asked): nobody was asked');
  });
});
