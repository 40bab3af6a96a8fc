// Polls and results for the insight tests: closed polls a month apart, with ballots made from scores.
import { pollResults, type Ballot, type Result } from '../../src/domain/pulse.ts';
import type { Sector } from '../../src/domain/partnership.ts';
import { poll } from '../support/fixtures.ts';

/** A closed full poll `i` months after December 2026, with one ballot per entry of `scores`. */
export function closedResult(i: number, scores: Partial<Record<'trust' | 'respect' | 'openness' | 'tolerance' | 'continuity' | 'framework', number>>[], sector: Sector = 'public'): Result {
  const month = String(1 + i).padStart(2, '0');
  const p = poll({ id: `p-${i}`, openedAt: `2027-${month}-01T10:00:00.000Z`, closesAt: `2027-${month}-05T09:30:00Z` });
  const ballots: Ballot[] = scores.map((answers) => ({ sector, answers }));
  return pollResults(p, ballots, []);
}

/** Six people answering every block of the full poll with the given trust scores, others at 4. */
export function fullBallots(trust: number[]) {
  return trust.map((t) => ({ trust: t, respect: 4, openness: 3, tolerance: 4, continuity: 5, framework: 2 }));
}
