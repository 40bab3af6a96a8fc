import { describe, expect, it } from 'vitest';
import type { Consultation, ConsultationResponse } from '../../src/domain/consultation.ts';
import { feedbackChase, feedbackChasePlan, feedbackOwners, feedbackPost, feedbackRequest, responders } from '../../src/domain/feedback.ts';
import { consultation, member, partnership, response } from '../support/fixtures.ts';
import { bodyText as text } from '../support/messages.ts';

const p = partnership();
const owner = member('Ann', { id: 'm-1', roles: ['coordinator'] });
const coord = member('Cy', { id: 'm-2', roles: ['coordinator', 'member'] });
const bob = member('Bob', { id: 'm-3' });
const dee = member('Dee', { id: 'm-4' });
const c: Consultation = consultation({ title: 'Housing @here', deadline: '2026-12-18', status: 'awaiting_feedback' });
const resp = (memberId: string, kind: ConsultationResponse['kind']): ConsultationResponse => response(memberId, { kind });

describe('feedback', () => {
  it('tells only those who responded, and asks the owner first then the other coordinators', () => {
    expect(responders([owner, coord, bob, dee], [resp('m-3', 'responded'), resp('m-4', 'not_relevant')]).map((m) => m.name)).toEqual(['Bob']);
    expect(feedbackOwners(c, [bob, coord, owner]).map((m) => m.name)).toEqual(['Ann', 'Cy']);
    expect(feedbackOwners({ ...c, ownerId: 'gone' }, [bob, coord]).map((m) => m.name)).toEqual(['Cy']);
  });

  it('asks for the summary with the tally and the command to use', () => {
    const m = feedbackRequest(c, [coord, bob, dee], [resp('m-3', 'responded'), resp('m-4', 'more_time')]);
    expect(text(m)).toContain('1 of 3 responded, 1 asked for more time, 0 said it was not relevant and 1 did not answer.');
    expect(text(m)).toContain('/partner feedback c-1 <what was done with the responses>');
    expect(m.blocks.some((bl) => 'text' in bl && bl.text.some((s) => s.user && s.text === 'Housing @here'))).toBe(true);
  });

  it('chases with how long ago the deadline was', () => {
    expect(text(feedbackChase(c, p, new Date('2026-12-29T09:30:00Z')))).toContain('closed 11 days ago (Fri 18 Dec 2026)');
  });

  it('posts "you said, we did" with the summary as user text and who asked', () => {
    const m = feedbackPost(c, owner, 'We moved the <!channel> drop-in to Tuesdays.');
    expect(m.heading).toBe('You said, we did');
    const user = m.blocks.flatMap((bl) => ('text' in bl ? bl.text : [])).filter((s) => s.user).map((s) => s.text);
    expect(user).toEqual(['Housing @here', 'We moved the <!channel> drop-in to Tuesdays.', 'Ann']);
    expect(feedbackPost(c, null, 'x', true).heading).toBe('You said, we did (updated)');
  });

  it('plans chases at 09:30 on the working day on or after deadline + 7 and + 14 days', () => {
    // Deadline Fri 18 Dec: +7 is Christmas Day; 26, 27 are the weekend and 28 the Boxing Day substitute.
    expect(feedbackChasePlan(c, p).map((j) => [j.kind, j.step, j.dueAt])).toEqual([
      ['feedback.chase', '7', '2026-12-29T09:30:00Z'],
      ['feedback.chase', '14', '2027-01-04T09:30:00Z'], // Fri 1 Jan is New Year's Day, then the weekend
    ]);
    const summer = feedbackChasePlan({ ...c, deadline: '2026-06-05' }, p);
    expect(summer.map((j) => j.dueAt)).toEqual(['2026-06-12T08:30:00Z', '2026-06-19T08:30:00Z']);
  });
});
