// Anonymity (b) and (d), through the real command runner: no sequence of result requests, before and
// after extra answers, reveals a group smaller than k (results of an open poll are never shown, only
// how many answered; after the close they are fixed), and k can neither go below 3 nor change under a
// poll that has answers. The per-message rule itself is property-tested in
// test/domain/pulse.property.test.ts; this file attacks it across requests.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../db/connect.ts';
import type { SqlStore } from '../../db/store.ts';
import type { Message } from '../../src/domain/message.ts';
import { SECTORS, type Sector } from '../../src/domain/partnership.ts';
import { member, partnership } from '../support/fixtures.ts';
import { A_GENERAL, actor, local, runner, testDeps, texts } from './support.ts';

type Op =
  | { kind: 'vote'; who: number; trust?: number; openness?: number }
  | { kind: 'results'; who: number; bySector: boolean };

const score = fc.integer({ min: 1, max: 5 });
const op = (voters: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant('vote' as const), who: fc.nat({ max: voters - 1 }), trust: fc.option(score, { nil: undefined }), openness: score }),
    fc.record({ kind: fc.constant('results' as const), who: fc.nat({ max: voters - 1 }), bySector: fc.boolean() }),
  );

const scenario = fc
  .record({ k: fc.integer({ min: 3, max: 6 }), sectors: fc.array(fc.constantFrom<Sector>(...SECTORS), { minLength: 1, maxLength: 12 }) })
  .chain((s) => fc.record({ s: fc.constant(s), open: fc.array(op(s.sectors.length), { maxLength: 25 }), after: fc.array(op(s.sectors.length), { maxLength: 8 }) }));

async function seeded(k: number, sectors: Sector[]): Promise<SqlStore> {
  const store = await openStore('sqlite::memory:');
  await store.insertPartnership(partnership({ id: 'pt-a', settings: { anonymityK: k } }));
  await store.addChannel('pt-a', A_GENERAL);
  await store.insertMember(member('Coord', { partnershipId: 'pt-a', roles: ['coordinator'], sector: 'public' }));
  for (const [i, sector] of sectors.entries()) await store.insertMember(member(`v${i}`, { partnershipId: 'pt-a', sector }));
  return store;
}

/** The command for an op; late answers and results name the poll, as a button would. */
const command = (o: Op, pollId = '') =>
  o.kind === 'results'
    ? `/partner results ${pollId}${o.bySector ? ' by sector' : ''}`
    : `/partner pulse answer ${pollId} ${o.trust === undefined ? '' : `trust=${o.trust} `}openness=${o.openness}`;

/** Every group size a message states: "(N answered)", "N answered", and each bar chart's total. */
function groupSizes(m: Message): number[] {
  const sizes = [...texts([m]).matchAll(/(\d+) answered/g)].map((x) => Number(x[1]));
  for (const bl of m.blocks) if (bl.kind === 'bars') sizes.push(bl.bars.reduce((n, x) => n + x.count, 0));
  return sizes;
}

describe('anonymity under repeated result requests (property, through the runner)', () => {
  it('an open poll shows only how many answered; closed results never change and show no group below k', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ s, open, after }) => {
        const store = await seeded(s.k, s.sectors);
        try {
          const deps = testDeps(store);
          const run = (who: string, text: string) => runner(deps).runCommand(actor(local(who)), text);
          await run('coord', '/partner pulse start short');
          const pollId = (await store.polls('pt-a', 'open'))[0]!.id;

          const openViews = new Set<string>();
          for (const o of open) {
            const [reply] = await run(`v${o.who}`, command(o));
            if (o.kind === 'vote') continue;
            // Nothing but the count: no chart, no fields, no median, no sector.
            expect(reply!.blocks.some((bl) => bl.kind === 'bars' || bl.kind === 'fields')).toBe(false);
            expect(texts([reply!])).not.toMatch(/median|sector/i);
            openViews.add(texts([reply!]).replace(/\d+ answered so far|Nobody has answered yet/, 'N'));
          }
          // Every view of the open poll is the same once the count is taken out: the count is all that moves.
          expect(openViews.size).toBeLessThanOrEqual(1);

          await run('coord', '/partner pulse close');
          const counted = await store.ballotCount(pollId);
          const closedViews = new Map<boolean, string>();
          for (const o of after) {
            const [reply] = await run(`v${o.who}`, command(o, pollId));
            if (o.kind === 'vote') {
              expect(texts([reply!])).toContain('takes no more answers');
              continue;
            }
            const view = JSON.stringify(reply);
            // Fixed once published: asking again, before or after a late answer, shows the same.
            expect(closedViews.get(o.bySector) ?? view).toBe(view);
            closedViews.set(o.bySector, view);
            const sizes = groupSizes(reply!);
            if (counted < s.k) expect(reply!.blocks.some((bl) => bl.kind === 'bars' || bl.kind === 'fields')).toBe(false);
            else for (const n of sizes) expect(n).toBeGreaterThanOrEqual(s.k);
          }
          expect(await store.ballotCount(pollId)).toBe(counted);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('the anonymity threshold k', () => {
  it('cannot be set below 3', async () => {
    const store = await seeded(5, ['public']);
    try {
      const [reply] = await runner(testDeps(store)).runCommand(actor(local('coord')), '/partner settings k=2');
      expect(texts([reply!])).toContain("The anonymity threshold k can't be below 3");
      expect((await store.partnership('pt-a'))!.settings.anonymityK).toBe(5);
    } finally {
      await store.close();
    }
  });

  it('a stored k below 3 (say, edited in the database) still opens polls with k = 3', async () => {
    const store = await seeded(1, ['public']);
    try {
      await runner(testDeps(store)).runCommand(actor(local('coord')), '/partner pulse start short');
      expect((await store.polls('pt-a', 'open'))[0]!.k).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('changing k never affects a poll that already has answers: it keeps the k it opened with', async () => {
    const store = await seeded(5, ['public', 'third', 'public', 'third']);
    try {
      const deps = testDeps(store);
      const run = (who: string, text: string) => runner(deps).runCommand(actor(local(who)), text);
      await run('coord', '/partner pulse start short');
      const pollId = (await store.polls('pt-a', 'open'))[0]!.id;
      for (let i = 0; i < 4; i++) await run(`v${i}`, `/partner pulse answer trust=${i + 1} openness=3`);
      // Four answers under k = 5; lowering k to 3 now must not let them through.
      expect(texts(await run('coord', '/partner settings k=3'))).toContain('a poll keeps the threshold it opened with');
      const [closed] = await run('coord', '/partner pulse close');
      expect((await store.poll(pollId))!.k).toBe(5);
      expect(texts([closed!])).toContain('results need at least 5, so none are shown');
      expect(closed!.blocks.some((bl) => bl.kind === 'bars')).toBe(false);
      // The next poll takes the new k.
      await run('coord', '/partner pulse start short');
      expect((await store.polls('pt-a', 'open'))[0]!.k).toBe(3);
    } finally {
      await store.close();
    }
  });
});
