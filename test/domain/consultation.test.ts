import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  announcement,
  consultCommandText,
  coordinatorList,
  deadlineWarnings,
  memberList,
  daysLeft,
  isTakingResponses,
  nudgeMessage,
  nudgePlan,
  nudgeStillDue,
  overloadText,
  overloadWarnings,
  resolveAudience,
  unanswered,
  type Consultation,
  type ConsultationResponse,
} from '../../src/domain/consultation.ts';
import { parseCommand } from '../../src/domain/commands.ts';
import { plain, type Message, type Span } from '../../src/domain/message.ts';
import type { Partnership } from '../../src/domain/partnership.ts';
import { addDays, isWorkingDay, localDate, localTime } from '../../src/domain/time.ts';
import { consultation as fixtureConsultation, member, partnership as fixturePartnership } from '../support/fixtures.ts';
import { messageText as allText } from '../support/messages.ts';

// The partnership id the nudge-plan assertions spell out.
const partnershipId = 'p-1';
const partnership = (settings: Partial<Partnership['settings']> = {}) => fixturePartnership({ id: partnershipId, settings });

const ann = member('Ann', { partnershipId, sector: 'public', organisation: 'City Council', roles: ['coordinator', 'member'] });
const bob = member('Bob', { partnershipId, sector: 'public', organisation: 'city council' });
const cat = member('Cat', { partnershipId, sector: 'third', organisation: 'Food Bank' });
const dev = member('Dev', { partnershipId, sector: 'private', organisation: 'Acme Ltd' });
const members = [ann, bob, cat, dev];

const consultation = (over: Partial<Consultation> = {}): Consultation =>
  fixtureConsultation({ partnershipId, title: 'Housing strategy', ownerId: ann.id, openedAt: '2026-10-01T09:00:00Z', deadline: '2026-12-15', ...over });

function spans(m: Message): Span[] {
  return m.blocks.flatMap((bl) => {
    if (bl.kind === 'text' || bl.kind === 'context') return bl.text;
    if (bl.kind === 'fields') return bl.fields.flatMap((f) => f.value);
    return [];
  });
}

describe('resolveAudience', () => {
  it('asks everyone, or the members of the sectors plus the named members', () => {
    expect(resolveAudience({ all: true }, members)).toEqual(members);
    expect(resolveAudience({ sectors: ['public'], memberIds: ['m-dev'] }, members).map((m) => m.name)).toEqual(['Ann', 'Bob', 'Dev']);
    expect(resolveAudience({ sectors: ['community'], memberIds: [] }, members)).toEqual([]);
  });
});

describe('deadlineWarnings', () => {
  const p = partnership();
  it('flags short notice with the evidence and names the public holiday', () => {
    const now = new Date('2026-11-13T10:00:00Z'); // 42 days before Christmas
    expect(deadlineWarnings(p, '2026-12-25', now)).toEqual([
      "6 weeks' notice; the partnership's minimum is 12 weeks (UK public-body consultation guidance).",
      'The deadline, Fri 25 Dec 2026, is a public holiday in GB: Christmas Day.',
    ]);
  });
  it('flags a deadline on a weekend', () => {
    const w = deadlineWarnings(p, '2027-03-20', new Date('2026-11-13T10:00:00Z'));
    expect(w).toEqual(['The deadline, Sat 20 Mar 2027, falls on a Saturday, which is not a working day.']);
  });
  it('says nothing about a working-day deadline with enough notice', () => {
    expect(deadlineWarnings(p, '2027-03-19', new Date('2026-11-13T10:00:00Z'))).toEqual([]);
  });
  it('counts notice in the partnership timezone and in days when not whole weeks', () => {
    // 23:30Z on 12 July is already 13 July in London (BST): 46 days to Fri 28 Aug.
    const w = deadlineWarnings(partnership({ minNoticeDays: 60 }), '2026-08-28', new Date('2026-07-12T23:30:00Z'));
    expect(w).toEqual(["46 days' notice; the partnership's minimum is 60 days (set in this partnership's settings; UK public-body consultation guidance is 12 weeks)."]);
  });
});

describe('overloadWarnings', () => {
  const p = partnership();
  // Ann and Bob are both City Council (written differently); Cat is Food Bank.
  const open = [
    consultation({ id: 'c-a', title: 'Parks', deadline: '2026-12-01', audience: { sectors: [], memberIds: ['m-ann'] } }),
    consultation({ id: 'c-b', title: 'Libraries', deadline: '2026-12-05', audience: { sectors: [], memberIds: ['m-bob'] } }),
    consultation({ id: 'c-c', title: 'Buses', deadline: '2026-12-09', audience: { sectors: [], memberIds: ['m-ann', 'm-cat'] } }),
    consultation({ id: 'c-d', title: 'Far away', deadline: '2027-02-01', audience: { all: true } }),
  ];
  it('warns for an organisation with more than the limit due in one window, counting the new one', () => {
    const w = overloadWarnings(p, '2026-12-10', [bob, cat], open, members);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ kind: 'organisation', name: 'city council', count: 4, titles: ['Parks', 'Libraries', 'Buses'] });
    expect(w[0]!.from <= '2026-12-01' && w[0]!.to >= '2026-12-10').toBe(true);
    const text = overloadText(w[0]!, p);
    expect(text.filter((s) => s.user).map((s) => s.text)).toEqual(['city council', 'Parks', 'Libraries', 'Buses']);
    expect(plain(text)).toContain('would have 4 consultations due between');
    expect(plain(text)).toContain('(the limit is 3 in 14 days)');
  });
  it('warns for a member too, and not when the window has room', () => {
    const heavy = [...open, consultation({ id: 'c-e', title: 'Waste', deadline: '2026-12-11', audience: { sectors: [], memberIds: ['m-ann'] } })];
    const w = overloadWarnings(p, '2026-12-12', [ann], heavy, members);
    expect(w.map((x) => `${x.kind}:${x.name}:${x.count}`)).toEqual(['member:Ann:4', 'organisation:City Council:5']);
    // Deadlines more than 13 days apart never share a 14-day window.
    expect(overloadWarnings(p, '2026-12-16', [ann], heavy, members).map((x) => x.name)).toEqual(['City Council']);
    expect(overloadWarnings(p, '2026-12-10', [cat, dev], open, members)).toEqual([]);
  });
});

describe('nudgePlan', () => {
  const p = partnership();
  it('nudges at 09:30 London on working days on or before each offset, then the deadline job', () => {
    const jobs = nudgePlan(consultation(), p, new Date('2026-10-01T09:00:00Z'));
    expect(jobs.map((j) => [j.kind, j.step, j.dueAt])).toEqual([
      ['consultation.nudge', '14', '2026-12-01T09:30:00Z'],
      ['consultation.nudge', '7', '2026-12-08T09:30:00Z'],
      ['consultation.nudge', '2', '2026-12-11T09:30:00Z'], // Sun 13 Dec -> Fri 11 Dec
      ['consultation.nudge', '0', '2026-12-15T09:30:00Z'],
      ['consultation.deadline', 'deadline', '2026-12-16T00:00:00Z'],
    ]);
    expect(jobs.every((j) => j.ref === 'c-1' && j.partnershipId === 'p-1')).toBe(true);
  });
  it('uses BST in summer: 09:30 London is 08:30Z in July', () => {
    const jobs = nudgePlan(consultation({ deadline: '2026-07-15', openedAt: '2026-06-01T09:00:00Z' }), p, new Date('2026-06-01T09:00:00Z'));
    expect(jobs.find((j) => j.step === '0')!.dueAt).toBe('2026-07-15T08:30:00Z');
    expect(jobs.at(-1)!.dueAt).toBe('2026-07-15T23:00:00Z');
  });
  it('skips nudges that would be in the past or before the opening (no late burst)', () => {
    const now = new Date('2026-12-05T12:00:00Z');
    const steps = nudgePlan(consultation({ openedAt: now.toISOString() }), p, now).map((j) => j.step);
    expect(steps).toEqual(['7', '2', '0', 'deadline']);
    const later = nudgePlan(consultation(), p, new Date('2026-12-08T10:00:00Z')).map((j) => j.step);
    expect(later).toEqual(['2', '0', 'deadline']);
  });
  it('moves off bank holidays and keeps the smaller offset when two land on one day', () => {
    // Mon 28 Dec 2026 is the Boxing Day substitute; Sat 26 and Fri 25 are not working days either.
    const jobs = nudgePlan(consultation({ deadline: '2026-12-28' }), p, new Date('2026-10-01T09:00:00Z'));
    expect(jobs.map((j) => [j.step, localDate(j.dueAt, 'Europe/London')])).toEqual([
      ['14', '2026-12-14'],
      ['7', '2026-12-21'],
      ['0', '2026-12-24'],
      ['deadline', '2026-12-29'],
    ]);
  });
  it('property: nudges are on working days at workStart, not before now, on or before the deadline, one a day', () => {
    const week = { workDays: p.settings.workDays, region: p.region };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 800 }), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 23 }), (startDay, span, hour) => {
        const today = addDays('2026-01-01', startDay);
        const now = new Date(`${today}T${String(hour).padStart(2, '0')}:00:00Z`);
        const c = consultation({ openedAt: now.toISOString(), deadline: addDays(today, span) });
        const nudges = nudgePlan(c, p, now).filter((j) => j.kind === 'consultation.nudge');
        const dates = nudges.map((j) => localDate(j.dueAt, p.timezone));
        expect(new Set(dates).size).toBe(dates.length);
        for (const j of nudges) {
          const d = localDate(j.dueAt, p.timezone);
          expect(isWorkingDay(d, week)).toBe(true);
          expect(localTime(j.dueAt, p.timezone)).toBe('09:30');
          expect(Date.parse(j.dueAt)).toBeGreaterThanOrEqual(now.getTime());
          expect(d <= c.deadline).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('nudge decisions', () => {
  const p = partnership();
  const c = consultation(); // nudges 1, 8, 11 and 15 Dec 2026 at 09:30Z; deadline ends 16 Dec 00:00Z
  const answer = (memberId: string, kind: ConsultationResponse['kind'], consultationId = c.id): ConsultationResponse => ({
    consultationId,
    memberId,
    kind,
    proposedDate: null,
    at: '2026-11-20T10:00:00Z',
  });

  it('nudges those asked who have not answered at all; any kind of answer counts, only to this consultation', () => {
    const asked = consultation({ audience: { sectors: ['public'], memberIds: ['m-cat'] } });
    expect(unanswered(asked, members, []).map((m) => m.name)).toEqual(['Ann', 'Bob', 'Cat']);
    expect(unanswered(asked, members, [answer('m-ann', 'not_relevant'), answer('m-cat', 'more_time')]).map((m) => m.name)).toEqual(['Bob']);
    // Dev answered but is not asked; Bob's answer is to another consultation.
    expect(unanswered(asked, members, [answer('m-dev', 'responded'), answer('m-bob', 'responded', 'c-other')]).map((m) => m.name)).toEqual(['Ann', 'Bob', 'Cat']);
  });

  it('sends a nudge on time, not once responses have stopped, and after downtime only the latest due', () => {
    expect(nudgeStillDue(c, p, '2026-12-08T09:30:00Z', new Date('2026-12-08T09:31:00Z'))).toBe(true);
    // 19 h late: cannot have been overtaken (the next nudge is days later), so no re-plan.
    expect(nudgeStillDue(c, p, '2026-12-08T09:30:00Z', new Date('2026-12-09T04:30:00Z'))).toBe(true);
    // Down from 1 Dec to the morning of the 2-days nudge: the 14- and 7-day ones are overtaken.
    const back = new Date('2026-12-11T09:31:00Z');
    expect(nudgeStillDue(c, p, '2026-12-01T09:30:00Z', back)).toBe(false);
    expect(nudgeStillDue(c, p, '2026-12-08T09:30:00Z', back)).toBe(false);
    expect(nudgeStillDue(c, p, '2026-12-11T09:30:00Z', back)).toBe(true);
    // A day late but nothing later due yet: still the latest.
    expect(nudgeStillDue(c, p, '2026-12-08T09:30:00Z', new Date('2026-12-09T10:00:00Z'))).toBe(true);
    expect(nudgeStillDue({ ...c, status: 'awaiting_feedback' }, p, '2026-12-15T09:30:00Z', new Date('2026-12-15T09:31:00Z'))).toBe(false);
    expect(nudgeStillDue(c, p, '2026-12-15T09:30:00Z', new Date('2026-12-16T00:00:00Z'))).toBe(false);
  });

  it('gives the same calendar answers asked again and again (they are remembered), in each timezone', () => {
    const auckland = fixturePartnership({ id: partnershipId, timezone: 'Pacific/Auckland', region: 'NZ' });
    const now = new Date('2026-12-15T12:00:00Z'); // already 16 Dec in Auckland
    for (let i = 0; i < 3; i++) {
      expect(daysLeft('2026-12-16', p, now)).toBe(1);
      expect(daysLeft('2026-12-16', auckland, now)).toBe(0);
      expect(isTakingResponses(c, p, now)).toBe(true);
      expect(isTakingResponses(c, auckland, now)).toBe(false); // 15 Dec ended there at 11:00Z
      expect(nudgeMessage(c, p, now).heading).toBe('Consultation reminder: due today');
    }
  });
});

describe('consultCommandText', () => {
  it('rebuilds a canonical command with quotes, mentions and names', () => {
    expect(
      consultCommandText({
        verb: 'consult',
        title: 'Housing "draft" strategy',
        deadline: '2026-12-15',
        audience: { sectors: ['public', 'third'], users: [{ id: 'U123' }, { name: 'Dev' }] },
        link: 'https://example.org/h',
        confirm: false,
      }),
    ).toBe(`/partner consult "Housing 'draft' strategy" by 2026-12-15 to public third <@U123> @Dev link https://example.org/h`);
    expect(consultCommandText({ verb: 'consult', title: 'X', deadline: '2026-12-15', audience: { all: true }, confirm: true })).toBe(
      '/partner consult "X" by 2026-12-15 to all',
    );
  });

  it('reads back through the command parser, with "anyway" as the confirmation', () => {
    const cmd = {
      verb: 'consult' as const,
      title: 'Draft housing strategy',
      deadline: '2027-03-19',
      audience: { sectors: ['public' as const, 'third' as const], users: [{ id: 'U123' }, { name: 'dev' }] },
      link: 'https://example.org/h?x=1',
      confirm: false,
    };
    const parsed = parseCommand(`${consultCommandText(cmd)} anyway`, { now: new Date('2026-12-01T10:00:00Z'), timezone: 'Europe/London' });
    expect(parsed).toEqual({ ok: true, command: { ...cmd, confirm: true } });
  });
});

describe('consultation messages', () => {
  const p = partnership();
  const now = new Date('2026-12-01T10:00:00Z');
  it('announces with the title as user text, the deadline and days left, who is asked and three buttons', () => {
    const c = consultation({ title: '<!channel> Housing', link: 'https://example.org', audience: { sectors: ['third'], memberIds: ['m-dev'] } });
    const m = announcement(c, p, members, ann, now);
    expect(m.private).toBeUndefined();
    expect(spans(m).filter((s) => s.user).map((s) => s.text)).toEqual(['<!channel> Housing', 'Dev', 'Ann']);
    const text = allText(m);
    expect(text).toContain('Deadline: Tue 15 Dec 2026 (14 days left)');
    expect(text).toContain('Asked: third sector members and Dev (2)');
    expect(m.blocks).toContainEqual({ kind: 'link', url: 'https://example.org', label: 'Read the consultation' });
    const buttons = m.blocks.find((bl) => bl.kind === 'buttons');
    expect(buttons && buttons.kind === 'buttons' && buttons.buttons.map((x) => x.action)).toEqual([
      { type: 'consult.respond', consultationId: 'c-1', kind: 'responded' },
      { type: 'consult.respond', consultationId: 'c-1', kind: 'more_time' },
      { type: 'consult.respond', consultationId: 'c-1', kind: 'not_relevant' },
    ]);
  });
  it('nudges with days left, or due today', () => {
    expect(nudgeMessage(consultation(), p, new Date('2026-12-08T09:30:00Z')).heading).toBe('Consultation reminder: 7 days left');
    expect(nudgeMessage(consultation(), p, new Date('2026-12-15T09:30:00Z')).heading).toBe('Consultation reminder: due today');
  });
  it('lists who has not answered for coordinators, and only my own items for a member', () => {
    const open = consultation({ audience: { sectors: ['public'], memberIds: ['m-cat'] } });
    const other = consultation({ id: 'c-2', title: 'Parks', audience: { sectors: ['private'], memberIds: [] } });
    const views = [
      { consultation: open, asked: [ann, bob, cat], responses: [{ consultationId: 'c-1', memberId: 'm-bob', kind: 'not_relevant' as const, proposedDate: null, at: '' }] },
      { consultation: other, asked: [dev], responses: [] },
    ];
    const forCoord = allText(coordinatorList(views, p, now));
    expect(forCoord).toContain('Answered: 1 of 3');
    expect(forCoord).toContain('Not answered: Ann and Cat');
    expect(forCoord).toContain('Parks');
    const forBob = memberList(views, bob, p, now);
    expect(forBob.private).toBe(true);
    expect(allText(forBob)).toContain('your answer: not relevant');
    expect(allText(forBob)).not.toContain('Parks');
    expect(forBob.blocks.some((bl) => bl.kind === 'buttons')).toBe(false);
    expect(memberList(views, cat, p, now).blocks.some((bl) => bl.kind === 'buttons')).toBe(true);
  });
});
