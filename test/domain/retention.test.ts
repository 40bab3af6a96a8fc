// Retention rules: which polls and consultations are past a partnership's own period, what stays of a
// consultation's responses, and how the review pack, digest and quiet-organisation check count it.
import { describe, expect, it } from 'vitest';
import { quietOrganisations } from '../../src/domain/charts.ts';
import { resolveAudience } from '../../src/domain/consultation.ts';
import { answeredCount, askedCount, type ConsultationRecord } from '../../src/domain/digest.ts';
import type { Sector } from '../../src/domain/partnership.ts';
import {
  consultationsPastRetention,
  pollsPastRetention,
  retentionCutoff,
  summarizeConsultation,
} from '../../src/domain/retention.ts';
import { reviewFigures } from '../../src/domain/review.ts';
import { consultation, member as fixtureMember, partnership, poll, response } from '../support/fixtures.ts';

const member = (id: string, sector: Sector, organisation: string) => fixtureMember(id, { id, sector, organisation });
const members = [member('m-1', 'public', 'Council'), member('m-2', 'public', 'Council'), member('m-3', 'third', 'Food Bank'), member('m-4', 'private', 'Grocer')];

describe('the cut-off', () => {
  it('is the partnership’s own number of months back', () => {
    const now = new Date('2027-01-04T09:00:00Z');
    expect(retentionCutoff(now, 24)).toBe('2025-01-04T09:00:00.000Z');
    expect(retentionCutoff(now, 1)).toBe('2026-12-04T09:00:00.000Z');
    const polls = [poll({ id: 'p-a', closesAt: '2026-06-01T09:00:00.000Z' }), poll({ id: 'p-b', closesAt: '2024-12-01T09:00:00.000Z' }), poll({ id: 'p-open', status: 'open', closesAt: '2024-01-01T00:00:00.000Z' })];
    expect(pollsPastRetention(polls, now, 24).map((x) => x.id)).toEqual(['p-b']);
    expect(pollsPastRetention(polls, now, 6).map((x) => x.id)).toEqual(['p-a', 'p-b']);
  });

  it('counts a consultation from the end of its deadline’s local day, open ones never', () => {
    // Deadline 4 July 2026 ends at 23:00 UTC (BST); 6 months after that is 4 Jan 2027 23:00.
    const p = partnership({ retentionMonths: 6 });
    const due = consultation({ id: 'c-due', deadline: '2026-07-04', status: 'awaiting_feedback' });
    const open = consultation({ id: 'c-open', deadline: '2026-01-01', status: 'open' });
    expect(consultationsPastRetention([due, open], p, new Date('2027-01-04T22:59:00Z'))).toEqual([]);
    expect(consultationsPastRetention([due, open], p, new Date('2027-01-04T23:01:00Z')).map((c) => c.id)).toEqual(['c-due']);
    expect(consultationsPastRetention([due], partnership({ retentionMonths: 7 }), new Date('2027-01-04T23:01:00Z'))).toEqual([]);
  });
});

describe('what stays of a consultation', () => {
  const p = partnership();
  const c = consultation({ id: 'c-1', deadline: '2026-10-20', audience: { sectors: ['public', 'third'], memberIds: [] }, status: 'closed' });
  const responses = [
    response('m-1', { at: '2026-10-20T22:00:00Z' }), // 23:00 BST on the deadline day: on time
    response('m-3', { kind: 'more_time', proposedDate: '2026-11-30', at: '2026-10-20T23:30:00Z' }), // after midnight local: late
    response('m-4', { kind: 'not_relevant' }), // not asked: not counted
  ];
  const summary = summarizeConsultation(c, resolveAudience(c.audience, members), responses, p);

  it('counts answers of the members asked, by kind and sector, and on time by the local day', () => {
    expect(summary).toEqual({
      asked: 3,
      answered: 2,
      onTime: 1,
      counts: { responded: 1, more_time: 1, not_relevant: 0 },
      bySector: [
        { sector: 'public', asked: 2, responded: 1, more_time: 0, not_relevant: 0 },
        { sector: 'third', asked: 1, responded: 0, more_time: 1, not_relevant: 0 },
      ],
    });
    expect(JSON.stringify(summary)).not.toMatch(/m-\d|Council|Food Bank|2026-/);
  });

  it('gives the review pack the same figures as the responses did, except by organisation', () => {
    const live: ConsultationRecord = { consultation: c, asked: resolveAudience(c.audience, members).map((m) => m.id), responses };
    const kept: ConsultationRecord = { consultation: c, asked: [], responses: [], kept: summary };
    const input = (r: ConsultationRecord) => ({ partnership: p, members, consultations: [r], polls: [], now: new Date('2027-01-04T10:00:00Z') });
    const before = reviewFigures(input(live));
    const after = reviewFigures(input(kept));
    expect(after.asked).toBe(before.asked);
    expect(after.answered).toBe(before.answered);
    expect(after.onTime).toBe(before.onTime);
    expect(after.bySector).toEqual(before.bySector);
    expect(after.byOrganisation).toEqual([]);
    expect([before.reduced, after.reduced]).toEqual([0, 1]);
    expect([askedCount(kept), answeredCount(kept)]).toEqual([3, 2]);
  });

  it('never makes an organisation look quiet', () => {
    // Three ended consultations that asked the Grocer, none answered by it: quiet, unless they are past retention.
    const ended = ['c-a', 'c-b', 'c-c'].map((id): ConsultationRecord => ({ consultation: consultation({ id, deadline: '2026-10-20', status: 'closed' }), asked: ['m-4'], responses: [] }));
    const now = new Date('2027-01-04T10:00:00Z');
    expect(quietOrganisations(ended, members, p, now).map((q) => q.organisation)).toEqual(['Grocer']);
    const reduced = ended.map((r) => ({ ...r, kept: summary }));
    expect(quietOrganisations(reduced, members, p, now)).toEqual([]);
  });
});
