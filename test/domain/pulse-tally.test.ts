// Results from counts: the store counts answers in SQL (a Tally), and a poll past retention keeps only
// what its results published. Both must give exactly the results the ballots give, under the same
// anonymity rule. The oracle below is the ballot-by-ballot computation results were made with before.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECTORS, type Sector } from '../../src/domain/partnership.ts';
import { publishedResult } from '../../src/domain/privacy.ts';
import {
  FORM_BLOCKS,
  PULSE_BLOCKS,
  commentThreshold,
  distribution,
  keptResults,
  median,
  medianOf,
  pollResults,
  resultsOf,
  spread,
  spreadOf,
  tallyOf,
  type Ballot,
  type BlockResult,
  type BlockStats,
  type Poll,
  type PollForm,
  type PulseBlock,
  type Result,
  type SectorBreakdown,
  type Tally,
} from '../../src/domain/pulse.ts';
import { poll as fixturePoll } from '../support/fixtures.ts';

// ---- the oracle: results computed ballot by ballot ---------------------------------------------------

function scoresOf(ballots: readonly Ballot[], block: PulseBlock): number[] {
  return ballots.flatMap((x) => (x.answers[block] === undefined ? [] : [x.answers[block]!]));
}

function blockStats(ballots: readonly Ballot[], block: PulseBlock, k: number): BlockStats | null {
  const scores = scoresOf(ballots, block);
  if (scores.length < k) return null;
  return { count: scores.length, distribution: distribution(scores), median: median(scores), ...spread(scores) };
}

function sectorBreakdown(ballots: readonly Ballot[], blocks: readonly PulseBlock[], k: number): SectorBreakdown {
  const bySector = new Map<Sector, Ballot[]>();
  for (const x of ballots) bySector.set(x.sector, [...(bySector.get(x.sector) ?? []), x]);
  if ([...bySector.values()].some((g) => g.length < k)) return { shown: false };
  const present = SECTORS.filter((s) => bySector.has(s));
  const hiddenBlocks = blocks.filter((block) =>
    present.some((s) => {
      const n = scoresOf(bySector.get(s)!, block).length;
      return n > 0 && n < k;
    }),
  );
  const groups = present.map((sector) => {
    const group = bySector.get(sector)!;
    const medians: Partial<Record<PulseBlock, number>> = {};
    for (const block of blocks) {
      const scores = scoresOf(group, block);
      if (!hiddenBlocks.includes(block) && scores.length) medians[block] = median(scores);
    }
    return { sector, respondents: group.length, medians };
  });
  return { shown: true, groups, hiddenBlocks };
}

function oracle(poll: Poll, ballots: readonly Ballot[], comments: readonly string[], previous?: { poll: Poll; ballots: readonly Ballot[] }): Result {
  const respondents = ballots.length;
  if (poll.status === 'open') return { kind: 'open', poll, respondents };
  if (respondents < poll.k) return { kind: 'withheld', poll, respondents };
  const before = previous && previous.poll.status === 'closed' && previous.ballots.length >= previous.poll.k ? previous : undefined;
  const asked = FORM_BLOCKS[poll.form];
  const blocks = asked.map((block): BlockResult => {
    const stats = blockStats(ballots, block, poll.k);
    const prior = before && FORM_BLOCKS[before.poll.form].includes(block) ? blockStats(before.ballots, block, before.poll.k) : null;
    return { block, stats, change: stats && prior ? stats.median - prior.median : null };
  });
  return {
    kind: 'shown',
    poll,
    respondents,
    blocks,
    comments: respondents >= commentThreshold(poll.k) ? [...comments].sort() : null,
    bySector: sectorBreakdown(ballots, asked, poll.k),
  };
}

// ---- generators -------------------------------------------------------------------------------------

const score = fc.integer({ min: 1, max: 5 });
const answers = fc.record(Object.fromEntries(PULSE_BLOCKS.map((x) => [x, score])) as Record<PulseBlock, typeof score>, { requiredKeys: [] });

/** Ballots from a random subset of sectors (so groups of k and more occur), each answering at least one asked block. */
function ballotsFor(form: PollForm) {
  return fc
    .tuple(fc.subarray([...SECTORS], { minLength: 1 }), fc.array(fc.tuple(fc.nat(), answers), { maxLength: 60 }))
    .map(([sectors, raw]) =>
      raw
        .map(([i, a]): Ballot => ({
          sector: sectors[i % sectors.length]!,
          answers: Object.fromEntries(Object.entries(a).filter(([block]) => FORM_BLOCKS[form].includes(block as PulseBlock))),
        }))
        .filter((x) => Object.keys(x.answers).length > 0),
    );
}

const scenario = fc
  .record({
    k: fc.integer({ min: 3, max: 8 }),
    form: fc.constantFrom<PollForm>('full', 'short'),
    previousForm: fc.constantFrom<PollForm>('full', 'short'),
    status: fc.constantFrom<Poll['status']>('closed', 'closed', 'closed', 'open'),
    comments: fc.array(fc.string({ maxLength: 20 }), { maxLength: 6 }),
    withPrevious: fc.boolean(),
  })
  .chain((s) => fc.record({ s: fc.constant(s), ballots: ballotsFor(s.form), previous: ballotsFor(s.previousForm) }));

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function polls(x: Scenario) {
  const current = fixturePoll({ id: 'p-2', form: x.s.form, k: x.s.k, status: x.s.status, openedAt: '2026-12-01T10:00:00Z' });
  const previous = x.s.withPrevious ? { poll: fixturePoll({ id: 'p-1', form: x.s.previousForm, k: x.s.k, openedAt: '2026-11-01T10:00:00Z' }), ballots: x.previous } : undefined;
  return { current, previous };
}

/** Blocks of a poll that no ballot answered. */
function unanswered(poll: Poll, ballots: readonly Ballot[]): PulseBlock[] {
  return FORM_BLOCKS[poll.form].filter((block) => scoresOf(ballots, block).length === 0);
}

const RUNS = { numRuns: 400 };

describe('statistics from counts', () => {
  it('medianOf and spreadOf of a distribution equal median and spread of the scores', () => {
    fc.assert(
      fc.property(fc.array(score, { minLength: 1, maxLength: 80 }), (scores) => {
        expect(medianOf(distribution(scores))).toBe(median(scores));
        expect(spreadOf(distribution(scores))).toEqual(spread(scores));
      }),
      RUNS,
    );
    expect(() => medianOf([0, 0, 0, 0, 0])).toThrow(RangeError);
  });
});

describe('results from a tally', () => {
  it('equal the results computed ballot by ballot, for any ballots, k, form and previous poll', () => {
    fc.assert(
      fc.property(scenario, (x) => {
        const { current, previous } = polls(x);
        const before = previous ? resultsOf(previous.poll, tallyOf(previous.ballots), []) : undefined;
        expect(resultsOf(current, tallyOf(x.ballots), x.s.comments, before)).toEqual(oracle(current, x.ballots, x.s.comments, previous));
        expect(pollResults(current, x.ballots, x.s.comments, previous)).toEqual(oracle(current, x.ballots, x.s.comments, previous));
      }),
      RUNS,
    );
  });

  it('withholds the whole breakdown when a sector has answers but too few ballots counted (a malformed tally leaves no group to subtract)', () => {
    const ballots: Ballot[] = Array.from({ length: 5 }, () => ({ sector: 'public', answers: { trust: 4, openness: 3 } }));
    const t: Tally = tallyOf(ballots);
    t.scores.trust!.third = [0, 0, 0, 1, 0];
    const r = resultsOf(fixturePoll({ form: 'short', k: 5 }), t, []);
    expect(r.kind === 'shown' && r.bySector).toEqual({ shown: false });
  });
});

describe('results of a poll past retention (from what its results published)', () => {
  it('are the results it published, with the change since the poll before, for any ballots', () => {
    fc.assert(
      fc.property(scenario, (x) => {
        const { current, previous } = polls(x);
        if (current.status !== 'closed') return;
        const before = previous ? pollResults(previous.poll, previous.ballots, []) : undefined;
        const live = pollResults(current, x.ballots, x.s.comments, previous);
        const kept = keptResults(current, publishedResult(live), before);
        // The one thing a summary does not keep: a block nobody answered is not listed as left out of
        // the breakdown live, and is after retention (it has no sector median either way).
        if (live.kind === 'shown' && live.bySector.shown && kept.kind === 'shown' && kept.bySector.shown) {
          const none = unanswered(current, x.ballots);
          expect(kept.bySector.hiddenBlocks.filter((block) => !none.includes(block))).toEqual(live.bySector.hiddenBlocks);
          kept.bySector.hiddenBlocks = live.bySector.hiddenBlocks;
        }
        expect(kept).toEqual(live);
      }),
      RUNS,
    );
  });

  it('a withheld poll stays withheld with only its count', () => {
    const p = fixturePoll({ k: 5 });
    const live = pollResults(p, [{ sector: 'public', answers: { trust: 2 } }, { sector: 'third', answers: { trust: 5 } }], ['a secret']);
    expect(keptResults(p, publishedResult(live))).toEqual({ kind: 'withheld', poll: p, respondents: 2 });
  });

  it('lists a block nobody answered as left out of a breakdown (the documented difference)', () => {
    const p = fixturePoll({ form: 'short', k: 3 });
    const ballots: Ballot[] = [...Array.from({ length: 3 }, (): Ballot => ({ sector: 'public', answers: { trust: 4 } })), ...Array.from({ length: 3 }, (): Ballot => ({ sector: 'third', answers: { trust: 2 } }))];
    const live = pollResults(p, ballots, []);
    const kept = keptResults(p, publishedResult(live));
    expect(live.kind === 'shown' && live.bySector).toMatchObject({ shown: true, hiddenBlocks: [] });
    expect(kept.kind === 'shown' && kept.bySector).toMatchObject({ shown: true, hiddenBlocks: ['openness'] });
    expect(kept.kind === 'shown' && kept.blocks).toEqual(live.kind === 'shown' && live.blocks);
  });
});
