import { describe, expect, it } from 'vitest';
import type { Consultation, ConsultationResponse } from '../../src/domain/consultation.ts';
import { buildDigest, isFeedbackOverdue, nextDigestJob, type ConsultationRecord } from '../../src/domain/digest.ts';
import type { Poll } from '../../src/domain/pulse.ts';
import { consultation, partnership as fixturePartnership, poll as fixturePoll, response, type PartnershipOverrides } from '../support/fixtures.ts';
import { bodyText as textOf } from '../support/messages.ts';

// A name with a mention in it, to show it is marked as user text.
const partnership = (over: PartnershipOverrides = {}) => fixturePartnership({ name: 'Leith <!here> Food', ...over });

function record(c: Consultation, asked: string[], answeredBy: string[]): ConsultationRecord {
  const responses: ConsultationResponse[] = answeredBy.map((memberId) => response(memberId, { consultationId: c.id }));
  return { consultation: c, asked, responses };
}

const poll = (over: Partial<Poll> = {}) =>
  fixturePoll({ id: 'pl-1', form: 'short', openedAt: '2026-10-09T08:30:00Z', closesAt: '2026-10-14T16:00:00Z', status: 'open', ...over });

// Monday 12 Oct 2026, 09:00 BST.
const NOW = new Date('2026-10-12T08:00:00Z');

describe('nextDigestJob', () => {
  it('is the next Monday 09:00 local, across the BST→GMT change on 25 Oct 2026', () => {
    const p = partnership();
    // Exactly at this Monday's digest time: strictly after means next week, now in GMT.
    expect(nextDigestJob(p, new Date('2026-10-19T08:00:00Z'))).toEqual({
      kind: 'digest',
      partnershipId: 'pt-1',
      ref: 'pt-1',
      step: '2026-10-26',
      dueAt: '2026-10-26T09:00:00Z',
    });
    // A minute before 09:00 BST on a Monday: later the same day.
    expect(nextDigestJob(p, new Date('2026-10-19T07:59:00Z')).dueAt).toBe('2026-10-19T08:00:00Z');
    // From a Tuesday in BST to the Monday after the clocks change.
    expect(nextDigestJob(p, new Date('2026-10-20T12:00:00Z')).step).toBe('2026-10-26');
  });

  it('uses the partnership’s weekday, time and timezone', () => {
    const p = partnership({ timezone: 'America/New_York', settings: { digestWeekday: 5, digestTime: '16:30' } });
    // Friday 16 Oct 2026 21:00Z is 17:00 in New York, after 16:30: the Friday after.
    const job = nextDigestJob(p, new Date('2026-10-16T21:00:00Z'));
    expect(job.step).toBe('2026-10-23');
    expect(job.dueAt).toBe('2026-10-23T20:30:00Z');
  });

  it('is always in the future and on the configured weekday', () => {
    const p = partnership();
    for (let h = 0; h < 24 * 14; h += 7) {
      const after = new Date(Date.parse('2026-10-15T00:00:00Z') + h * 3600_000);
      const job = nextDigestJob(p, after);
      expect(Date.parse(job.dueAt)).toBeGreaterThan(after.getTime());
      expect(Date.parse(job.dueAt) - after.getTime()).toBeLessThanOrEqual(7 * 24 * 3600_000 + 3600_000);
      expect(new Date(`${job.step}T12:00:00Z`).getUTCDay()).toBe(1);
    }
  });
});

describe('buildDigest', () => {
  it('is null when nothing is due, open or overdue', () => {
    const p = partnership({ reviewDate: '2026-11-12' }); // 31 days away: not yet shown
    const far = consultation({ deadline: '2026-10-27' }); // 15 days away
    const closed = consultation({ id: 'c-2', status: 'closed', deadline: '2026-10-01' });
    expect(buildDigest({ partnership: p, consultations: [record(far, ['m-1'], []), record(closed, [], [])], polls: [] }, NOW)).toBeNull();
    expect(buildDigest({ partnership: partnership(), consultations: [], polls: [poll({ status: 'closed' })] }, NOW)).toBeNull();
  });

  it('lists consultations due in 14 days with answers out of those asked', () => {
    const p = partnership();
    const due = consultation({ id: 'c-due', title: 'Budget <@U1>', deadline: '2026-10-26' }); // 14 days
    const today = consultation({ id: 'c-today', title: 'Today', deadline: '2026-10-12' });
    const m = buildDigest(
      {
        partnership: p,
        // m-9 answered but was not asked: not counted.
        consultations: [record(due, ['m-1', 'm-2', 'm-3'], ['m-1', 'm-9']), record(today, ['m-1'], [])],
        polls: [],
      },
      NOW,
    )!;
    const text = textOf(m);
    expect(text).toContain('Budget <@U1> (c-due): due Mon 26 Oct 2026, in 14 days. 1 of 3 asked have answered.');
    expect(text).toContain('Today (c-today): due Mon 12 Oct 2026, today. 0 of 1 asked have answered.');
    expect(text.indexOf('c-today')).toBeLessThan(text.indexOf('c-due'));
    // Titles and the partnership name are user text, so adapters escape them.
    const spans = m.blocks.flatMap((bl) => ('text' in bl ? bl.text : []));
    expect(spans.find((s) => s.text === 'Budget <@U1>')?.user).toBe(true);
    expect(spans.find((s) => s.text === 'Leith <!here> Food')?.user).toBe(true);
    expect(m.private).toBeUndefined();
  });

  it('marks feedback overdue once the deadline passed more than 7 days ago', () => {
    const p = partnership();
    const eight = consultation({ id: 'c-8', title: 'Eight', deadline: '2026-10-04', status: 'awaiting_feedback' });
    const seven = consultation({ id: 'c-7', title: 'Seven', deadline: '2026-10-05', status: 'awaiting_feedback' });
    expect(isFeedbackOverdue(eight, p, NOW)).toBe(true);
    expect(isFeedbackOverdue(seven, p, NOW)).toBe(false);
    const text = textOf(buildDigest({ partnership: p, consultations: [record(seven, [], []), record(eight, [], [])], polls: [] }, NOW)!);
    expect(text).toContain('Eight (c-8): closed Sun 4 Oct 2026 — feedback overdue');
    expect(text).toContain('Seven (c-7): closed Mon 5 Oct 2026, feedback due soon');
  });

  it('shows open polls with their local close time and never any results', () => {
    const m = buildDigest({ partnership: partnership(), consultations: [], polls: [poll()] }, NOW)!;
    const text = textOf(m);
    expect(text).toContain('Poll pl-1 is open until Wed 14 Oct 2026 17:00');
    expect(m.blocks.some((bl) => bl.kind === 'bars' || bl.kind === 'fields')).toBe(false);
    expect(text).not.toMatch(/median|answered|respon/i);
  });

  it('shows the next review within 30 days, and a review date that has passed', () => {
    const soon = textOf(buildDigest({ partnership: partnership({ reviewDate: '2026-11-11' }), consultations: [], polls: [] }, NOW)!);
    expect(soon).toContain('the next review is on Wed 11 Nov 2026, in 30 days.');
    const late = textOf(buildDigest({ partnership: partnership({ reviewDate: '2026-10-01' }), consultations: [], polls: [] }, NOW)!);
    expect(late).toContain('the review was due on Thu 1 Oct 2026 and has not been recorded.');
  });
});
