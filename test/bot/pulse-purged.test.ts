// Results of polls past retention, on SQLite and PostgreSQL: once the retention job has reduced
// closed polls to what their results published (poll_summaries), `results`, the trend and the review
// pack show the same as before, and nothing more than was published.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestStore } from '../../db/testing.ts';
import type { Deps } from '../../src/bot/context.ts';
import { resultsWithHistory } from '../../src/bot/handlers/pulse.ts';
import { loadReviewPackInput } from '../../src/bot/handlers/review.ts';
import { runRetention } from '../../src/bot/jobs/retention.ts';
import type { Member } from '../../src/domain/partnership.ts';
import type { Poll } from '../../src/domain/pulse.ts';
import { member, partnership } from '../support/fixtures.ts';
import { A_GENERAL, DIALECTS, actor, local, runner, testDeps, texts } from '../security/support.ts';

const P = partnership({ id: 'pt-r', name: 'Riverside Partnership', settings: { anonymityK: 3 } });
const people: Member[] = [
  member('Coord', { partnershipId: P.id, roles: ['coordinator', 'member'], sector: 'public' }),
  ...['Pia', 'Pat', 'Pol'].map((n) => member(n, { partnershipId: P.id, sector: 'public' })),
  ...['Tam', 'Tia', 'Tod', 'Tui'].map((n) => member(n, { partnershipId: P.id, sector: 'third' })),
];

describe.each(DIALECTS)('results of purged polls on $name', ({ open }) => {
  let t: TestStore;
  let deps: Deps;
  let now = new Date('2025-01-06T10:00:00Z');
  const as = (who: Member, text: string) => runner(deps).runCommand(actor(local(who.id.slice(2)), A_GENERAL), text);
  const coord = people[0]!;

  /** Starts a poll, has `answers[i]` given by people[i] (skipping empty ones), closes it. */
  async function pollRound(at: string, answers: string[]): Promise<Poll> {
    now = new Date(at);
    await as(coord, '/partner pulse start');
    for (const [i, a] of answers.entries()) if (a) await as(people[i]!, `/partner pulse answer ${a}`);
    await as(coord, '/partner pulse close');
    return (await t.store.polls(P.id, 'closed')).at(-1)!;
  }

  beforeEach(async () => {
    t = await open();
    await t.store.insertPartnership(P);
    await t.store.addChannel(P.id, A_GENERAL);
    for (const m of people) await t.store.insertMember(m);
    deps = testDeps(t.store, { now: () => now });
  });

  afterEach(async () => {
    await t.dispose();
  });

  it('answers, close, purge: results, trend and review pack are what they were', async () => {
    const all = (s: number) => `trust=${s} respect=${s} openness=${(s % 5) + 1} tolerance=${s}`;
    // Continuity: answered by two (suppressed, k=3). Framework: five answered, two of them public
    // (shown, but not broken down by sector).
    const first = await pollRound('2025-01-06T10:00:00Z', [
      `${all(4)} continuity=2 framework=3 comment="more joint planning"`,
      `${all(5)} framework=4 comment="agendas arrive late"`,
      `${all(3)} continuity=5 comment="good meetings"`,
      `${all(4)} comment="clearer roles please"`,
      `${all(2)} framework=1 comment="too many emails"`,
      `${all(3)} framework=2`,
      `${all(2)} framework=5`,
      all(1),
    ]);
    const withheld = await pollRound('2025-02-03T10:00:00Z', ['trust=5', 'trust=1']);
    const third = await pollRound('2025-03-03T10:00:00Z', people.map((_, i) => `${all((i % 5) + 1)} continuity=3 framework=4`));
    const polls = [first, withheld, third];

    const views = async () => {
      const out: Record<string, unknown> = {};
      for (const x of polls) {
        out[`results ${x.id}`] = texts(await as(coord, `/partner results ${x.id} by sector`));
        out[`history ${x.id}`] = await t.store.transaction((tx) => resultsWithHistory(tx, x));
      }
      out.pack = (await t.store.transaction((tx) => loadReviewPackInput(tx, P, new Date('2025-03-10T10:00:00Z')))).polls;
      return out;
    };
    const before = await views();
    expect(before[`results ${first.id}`]).toMatch(/8 answered the full poll/);
    expect(before[`results ${first.id}`]).toMatch(/Continuity: not shown, because fewer than 3 people answered/);
    expect(before[`results ${first.id}`]).toMatch(/Not broken down by sector: Continuity, Framework, because/);
    expect(before[`results ${first.id}`]).toMatch(/agendas arrive late/);
    expect(before[`results ${withheld.id}`]).toMatch(/2 answered; results need at least 3/);
    expect(before[`results ${third.id}`]).toMatch(/Trend \(median, oldest first\)/);

    const report = await t.store.transaction(async (tx) => runRetention(tx, (await tx.partnership(P.id))!, new Date('2027-09-01T09:00:00Z')));
    expect(report.reduced.sort()).toEqual(polls.map((x) => x.id).sort());
    for (const x of polls) {
      expect(await t.store.ballotCount(x.id)).toBe(0);
      expect(await t.store.comments(x.id)).toEqual([]);
    }

    const after = await views();
    expect(after).toEqual(before);
    expect(after[`results ${third.id}`]).not.toMatch(/nobody answered/i);
  });

  it('a purged poll still gives the change in median to the next poll, which keeps its answers', async () => {
    const first = await pollRound('2025-01-06T10:00:00Z', people.map(() => 'trust=2'));
    const later = await pollRound('2027-08-02T10:00:00Z', people.map(() => 'trust=4'));
    const report = await t.store.transaction(async (tx) => runRetention(tx, (await tx.partnership(P.id))!, new Date('2027-09-01T09:00:00Z')));
    expect(report.reduced).toEqual([first.id]);
    expect(await t.store.ballotCount(later.id)).toBe(8);
    const text = texts(await as(coord, `/partner results ${later.id}`));
    expect(text).toContain('8 answered · median 4, up 2 since the last poll');
    expect(text).toMatch(/Trust: 2 → 4/);
  });
});
