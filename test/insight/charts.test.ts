// The chart specs (pure): what each chart draws comes from the anonymised results, and organisations
// that stopped answering are found from consultation records.
import { describe, expect, it } from 'vitest';
import { participationChart, quietMessage, quietOrganisations, trendChart, trendRows } from '../../src/domain/charts.ts';
import type { ConsultationRecord } from '../../src/domain/digest.ts';
import { plain } from '../../src/domain/message.ts';
import { consultation, member, partnership, response } from '../support/fixtures.ts';
import { closedResult, fullBallots } from './fixtures.ts';

const p = partnership();

describe('trend chart spec', () => {
  const results = [
    closedResult(0, fullBallots([2, 3, 3, 4, 5, 1])),
    closedResult(1, fullBallots([4, 4, 5])), // 3 answered: below k = 5, withheld
    closedResult(2, [...fullBallots([3, 4, 4, 4, 5]), { trust: 5 }]), // 6 trust answers; other blocks 5
  ];

  it('has one series per building block asked, with median and spread from the published results', () => {
    const chart = trendChart(results, p)!;
    expect(chart.series).toEqual(['Trust', 'Mutual respect', 'Openness', 'Tolerance', 'Continuity', 'Framework']);
    const trust = trendRows(results, p).filter((r) => r.block === 'Trust');
    expect(trust.map((r) => r.poll)).toEqual(['5 Jan', '5 Feb', '5 Mar']);
    expect(trust[0]).toMatchObject({ median: 3, q1: 2, q3: 4, withheld: false });
    expect(trust[1]).toMatchObject({ median: null, q1: null, q3: null, withheld: true });
    expect(trust[2]).toMatchObject({ median: 4, withheld: false });
    expect(chart.spec.data).toEqual({ values: trendRows(results, p) });
  });

  it('keeps no trace of any single answer: rows carry only group statistics', () => {
    for (const row of trendRows(results, p)) {
      expect(Object.keys(row).sort()).toEqual(['block', 'median', 'poll', 'pollId', 'q1', 'q3', 'withheld']);
    }
  });

  it('says in words what it shows, withheld polls included', () => {
    const chart = trendChart(results, p)!;
    expect(chart.alt).toContain('Trust 3 → withheld → 4');
    expect(chart.alt).toContain('Riverside Partnership');
  });

  it('is null when no poll has closed', () => {
    expect(trendChart([], p)).toBeNull();
  });

  it('adds the year to labels when polls span years, and numbers two polls closing the same day', () => {
    const a = closedResult(0, fullBallots([3, 3, 3, 3, 3]));
    const b = closedResult(0, fullBallots([4, 4, 4, 4, 4]));
    const same = [a, { ...b, poll: { ...b.poll, id: 'p-x', openedAt: '2027-01-02T10:00:00.000Z' } }];
    expect([...new Set(trendRows(same, p).map((r) => r.poll))]).toEqual(['5 Jan', '5 Jan #2']);
    const late = { ...b, poll: { ...b.poll, id: 'p-y', openedAt: '2028-01-02T10:00:00.000Z', closesAt: '2028-01-05T09:30:00Z' } };
    expect([...new Set(trendRows([a, late], p).map((r) => r.poll))]).toEqual(['5 Jan 27', '5 Jan 28']);
  });
});

describe('participation chart spec', () => {
  it('draws sectors and organisations, marking those that stopped answering', () => {
    const chart = participationChart(
      {
        bySector: [{ sector: 'public', asked: 4, answered: 3 }, { sector: 'third', asked: 2, answered: 0 }],
        byOrganisation: [{ organisation: 'Youth Trust', asked: 2, answered: 0 }, { organisation: 'Council', asked: 4, answered: 3 }],
      },
      p,
      ['Youth Trust'],
    )!;
    expect(chart.series).toEqual(['public sector', 'third sector', 'Youth Trust', 'Council']);
    const orgs = (chart.spec.vconcat as { data: { values: { label: string; rate: number; status: string }[] } }[])[1]!.data.values;
    expect(orgs).toEqual([
      expect.objectContaining({ label: 'Youth Trust', rate: 0, status: 'stopped answering' }),
      expect.objectContaining({ label: 'Council', rate: 75, status: 'answering' }),
    ]);
    expect(chart.alt).toContain('Council: 3 of 4 (75%)');
  });

  it('is null when nobody was asked', () => {
    expect(participationChart({ bySector: [], byOrganisation: [] }, p)).toBeNull();
  });
});

describe('organisations that have stopped answering', () => {
  const ann = member('Ann', { organisation: 'Council' });
  const bo = member('Bo', { organisation: 'Youth Trust', sector: 'third' });
  const cy = member('Cy', { organisation: 'Youth Trust', sector: 'third' });
  const members = [ann, bo, cy];
  const now = new Date('2027-06-01T12:00:00Z');
  const record = (id: string, deadline: string, responders: string[], asked = members.map((m) => m.id)): ConsultationRecord => ({
    consultation: consultation({ id, title: `Consultation ${id}`, deadline, openedAt: `${deadline}T00:00:00Z`.replace(/-\d\dT/, '-01T'), status: 'awaiting_feedback' }),
    asked,
    responses: responders.map((m) => response(m, { consultationId: id })),
  });

  it('flags an organisation none of whose members answered the last three it was asked', () => {
    const records = [
      record('c-1', '2027-02-10', [ann.id, bo.id]),
      record('c-2', '2027-03-10', [ann.id]),
      record('c-3', '2027-04-10', [ann.id]),
      record('c-4', '2027-05-10', []),
    ];
    const quiet = quietOrganisations(records, members, partnership(), now);
    expect(quiet).toEqual([{ organisation: 'Youth Trust', missed: [expect.objectContaining({ id: 'c-4' }), expect.objectContaining({ id: 'c-3' }), expect.objectContaining({ id: 'c-2' })] }]);
  });

  it('does not flag after fewer than three, when any member answered in any way, or for consultations still open', () => {
    const two = [record('c-1', '2027-04-10', []), record('c-2', '2027-05-10', [])];
    expect(quietOrganisations(two, members, partnership(), now)).toEqual([]);
    const oneAnswer = [record('c-1', '2027-03-10', []), record('c-2', '2027-04-10', [cy.id, ann.id]), record('c-3', '2027-05-10', [ann.id])];
    expect(quietOrganisations(oneAnswer, members, partnership(), now)).toEqual([]);
    const stillOpen = [record('c-1', '2027-03-10', [ann.id]), record('c-2', '2027-04-10', [ann.id]), record('c-3', '2027-06-01', [ann.id])];
    expect(quietOrganisations(stillOpen, members, partnership(), now)).toEqual([]);
  });

  it('counts only consultations that asked the organisation', () => {
    const records = [
      record('c-1', '2027-02-10', []),
      record('c-2', '2027-03-10', [ann.id], [ann.id]), // Youth Trust not asked
      record('c-3', '2027-04-10', []),
      record('c-4', '2027-05-10', [ann.id]),
    ];
    const quiet = quietOrganisations(records, members, partnership(), now);
    expect(quiet.map((q) => [q.organisation, q.missed.map((m) => m.id)])).toEqual([['Youth Trust', ['c-4', 'c-3', 'c-1']]]);
  });

  it('writes a note for coordinators naming the organisation and what it missed, as user text', () => {
    const msg = quietMessage(partnership(), [{ organisation: 'Youth Trust', missed: [{ id: 'c-4', title: 'Bus routes', deadline: '2027-05-10' }] }]);
    const text = msg.blocks.map((bl) => ('text' in bl ? plain(bl.text) : '')).join('\n');
    expect(text).toMatch(/Youth Trust: Bus routes \(due Mon 10 May 2027\)/);
    expect(text).toMatch(/not posted in any channel/);
    const spans = msg.blocks.flatMap((bl) => ('text' in bl ? bl.text : []));
    expect(spans.find((s) => s.text === 'Youth Trust')?.user).toBe(true);
  });
});
