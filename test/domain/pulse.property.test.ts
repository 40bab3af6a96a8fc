// The anonymity rule, for any ballots: no rendered result ever reveals a group smaller than k.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message, Span } from '../../src/domain/message.ts';
import { SECTORS } from '../../src/domain/partnership.ts';
import {
  FORM_BLOCKS,
  PULSE_BLOCKS,
  pollResults,
  resultsMessage,
  trend,
  type Ballot,
  type Poll,
  type PollForm,
  type Result,
} from '../../src/domain/pulse.ts';
import { partnership, poll as fixturePoll } from '../support/fixtures.ts';

const p = partnership();

const score = fc.integer({ min: 1, max: 5 });
const answers = fc.record(Object.fromEntries(PULSE_BLOCKS.map((x) => [x, score])) as Record<(typeof PULSE_BLOCKS)[number], typeof score>, {
  requiredKeys: [],
});

/** Ballots as the store holds them: each answers at least one block the poll asks. Sectors are drawn
 * from a random subset so that groups of k or more (and breakdowns) actually occur. */
function ballotsFor(form: PollForm) {
  return fc
    .tuple(fc.subarray([...SECTORS], { minLength: 1 }), fc.array(fc.tuple(fc.nat(), answers), { maxLength: 60 }))
    .map(([sectors, raw]) =>
      raw
        .map(([i, a]): Ballot => ({
          sector: sectors[i % sectors.length]!,
          answers: Object.fromEntries(Object.entries(a).filter(([block]) => FORM_BLOCKS[form].includes(block as never))),
        }))
        .filter((x) => Object.keys(x.answers).length > 0),
    );
}

const scenario = fc
  .record({
    k: fc.integer({ min: 3, max: 10 }),
    form: fc.constantFrom<PollForm>('full', 'short'),
    status: fc.constantFrom<Poll['status']>('closed', 'closed', 'closed', 'open'),
    comments: fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }),
    bySector: fc.boolean(),
    withPrevious: fc.boolean(),
  })
  .chain((s) => fc.record({ s: fc.constant(s), ballots: ballotsFor(s.form), previous: ballotsFor('full') }));

const poll = (id: string, form: PollForm, k: number, status: Poll['status'], openedAt: string) => fixturePoll({ id, form, k, status, openedAt });

/** Every span, field, choice and bar label a message shows, split into our text and user-written text. */
function walk(m: Message): { ours: string[]; user: string[]; bars: number[][] } {
  const ours: string[] = [m.heading ?? ''];
  const user: string[] = [];
  const bars: number[][] = [];
  const spans = (text: Span[]) => {
    for (const s of text) (s.user ? user : ours).push(s.text);
  };
  for (const b of m.blocks) {
    switch (b.kind) {
      case 'text':
      case 'context':
        spans(b.text);
        break;
      case 'fields':
        for (const f of b.fields) {
          ours.push(f.label);
          spans(f.value);
        }
        break;
      case 'choice':
        spans(b.label);
        break;
      case 'bars':
        ours.push(b.label, ...b.bars.map((x) => x.label));
        bars.push(b.bars.map((x) => x.count));
        break;
      default:
        break;
    }
  }
  return { ours, user, bars };
}

/** Group sizes: results always write them as "N answered". */
function counts(ours: string[]): number[] {
  return ours.flatMap((s) => [...s.matchAll(/(\d+) answered/g)].map((x) => Number(x[1])));
}

function run(x: { s: { k: number; form: PollForm; status: Poll['status']; comments: string[]; bySector: boolean; withPrevious: boolean }; ballots: Ballot[]; previous: Ballot[] }) {
  const current = poll('p-2', x.s.form, x.s.k, x.s.status, '2026-12-01T10:00:00Z');
  const prev = x.s.withPrevious ? { poll: poll('p-1', 'full', x.s.k, 'closed', '2026-11-01T10:00:00Z'), ballots: x.previous } : undefined;
  const result = pollResults(current, x.ballots, x.s.comments, prev);
  const history: Result[] = prev ? [pollResults(prev.poll, prev.ballots, []), result] : [result];
  const msg = resultsMessage(result, p, { bySector: x.s.bySector, trend: trend(history) });
  return { result, msg, ...walk(msg) };
}

const RUNS = { numRuns: 400 };

describe('anonymity rule (property)', () => {
  it('never shows a group count between 1 and k-1, except the bare respondent count with no results', () => {
    fc.assert(
      fc.property(scenario, (x) => {
        const { result, ours } = run(x);
        for (const n of counts(ours)) {
          if (n >= 1 && n < x.s.k) {
            expect(result.kind).not.toBe('shown');
            expect(n).toBe(x.ballots.length);
          }
        }
      }),
      RUNS,
    );
  });

  it('draws every distribution from a group of at least k', () => {
    fc.assert(
      fc.property(scenario, (x) => {
        for (const bar of run(x).bars) expect(bar.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(x.s.k);
      }),
      RUNS,
    );
  });

  it('shows no distribution, median or comment while a poll is open or has fewer than k respondents', () => {
    fc.assert(
      fc.property(scenario, (x) => {
        if (x.s.status === 'closed' && x.ballots.length >= x.s.k) return;
        const { ours, user, bars } = run(x);
        expect(bars).toEqual([]);
        expect(ours.join('\n')).not.toMatch(/median|middle half|By sector/i);
        expect(user).toEqual([]);
      }),
      RUNS,
    );
  });

  it('shows comments only with at least max(k, 5) respondents', () => {
    fc.assert(
      fc.property(scenario, (x) => {
        const { user } = run(x);
        if (user.length) {
          expect(x.s.status).toBe('closed');
          expect(x.ballots.length).toBeGreaterThanOrEqual(Math.max(x.s.k, 5));
          expect(user).toEqual([...x.s.comments].sort().filter((c) => user.includes(c)));
        }
      }),
      RUNS,
    );
  });

  it('a sector breakdown has no group below k, none for a block below k, and its groups add up to the total', () => {
    fc.assert(
      fc.property(scenario, (x) => {
        const { result } = run(x);
        if (result.kind !== 'shown' || !result.bySector.shown) return;
        const groups = result.bySector.groups;
        expect(groups.reduce((a, g) => a + g.respondents, 0)).toBe(x.ballots.length);
        for (const g of groups) {
          expect(g.respondents).toBeGreaterThanOrEqual(x.s.k);
          // Every sector that answered at all is in the breakdown: nothing is left to subtract.
          for (const block of Object.keys(g.medians)) {
            const n = x.ballots.filter((b) => b.sector === g.sector && b.answers[block as never] !== undefined).length;
            expect(n).toBeGreaterThanOrEqual(x.s.k);
          }
        }
        expect(new Set(groups.map((g) => g.sector))).toEqual(new Set(x.ballots.map((b) => b.sector)));
      }),
      RUNS,
    );
  });

  it('when a breakdown is withheld, some sector that answered has fewer than k ballots', () => {
    fc.assert(
      fc.property(scenario, (x) => {
        const { result } = run(x);
        if (result.kind !== 'shown' || result.bySector.shown) return;
        const sizes = SECTORS.map((s) => x.ballots.filter((b) => b.sector === s).length).filter((n) => n > 0);
        expect(sizes.some((n) => n < x.s.k)).toBe(true);
      }),
      RUNS,
    );
  });
});
