// The pulse queries of the store on SQLite and PostgreSQL: answers counted in SQL (tallies) equal the
// counts of the ballots, a button press reads the poll and the member once each, and the prepared
// queries of that path bind every value as a parameter.
import fc from 'fast-check';
import pino from 'pino';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepared } from '../../db/prepared.ts';
import { SqlStore } from '../../db/store.ts';
import { openPostgresTestStore, openSqliteTestStore, postgresAnswers, type TestStore } from '../../db/testing.ts';
import { HANDLERS } from '../../src/bot/app.ts';
import { createCommandRunner } from '../../src/bot/handlers.ts';
import { voterHasher } from '../../src/bot/ids.ts';
import { encodeAction } from '../../src/domain/message.ts';
import { SECTORS, type Sector } from '../../src/domain/partnership.ts';
import { PULSE_BLOCKS, tallyOf, type PulseBlock } from '../../src/domain/pulse.ts';
import { GENERAL, member, partnership, poll } from '../support/fixtures.ts';

const CI = process.env.CI === 'true';
const postgresUp = await postgresAnswers();
const dialects = [
  { name: 'sqlite', open: openSqliteTestStore },
  ...(postgresUp || CI ? [{ name: 'postgres', open: () => openPostgresTestStore() }] : []),
];

const P = partnership({ id: 'pt-q' });
const ann = member('Ann', {
  partnershipId: P.id,
  sector: 'third',
  identities: [
    { platform: 'local', workspace: 'local', user: 'ann' },
    { platform: 'slack', workspace: 'T1', user: 'U0ANN' },
    { platform: 'teams', workspace: 'tenant', user: '29:ann' },
  ],
});

/** One voter's rows: a hash, a sector and the blocks they scored. */
const voter = fc.record({
  sector: fc.constantFrom(...SECTORS),
  answers: fc.dictionary(fc.constantFrom(...PULSE_BLOCKS), fc.integer({ min: 1, max: 5 }), { minKeys: 1 }),
});

describe.each(dialects)('pulse store on $name', ({ open }) => {
  let t: TestStore;
  let n = 0;

  beforeAll(async () => {
    t = await open();
    await t.store.insertPartnership(P);
    await t.store.insertMember(ann);
    await t.store.addChannel(P.id, GENERAL);
  });

  afterAll(async () => {
    await t?.dispose();
  });

  async function pollWith(voters: { sector: Sector; answers: Partial<Record<PulseBlock, number>> }[]): Promise<string> {
    const id = `p-t${++n}`;
    await t.store.insertPoll(poll({ id, partnershipId: P.id, createdBy: ann.id }));
    for (const [i, v] of voters.entries()) {
      for (const [block, score] of Object.entries(v.answers)) await t.store.upsertAnswer(id, `h${String(i).padStart(3, '0')}`, v.sector, block as PulseBlock, score!);
    }
    return id;
  }

  it('tallies answers in SQL exactly as the ballots count them, for any answers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(voter, { maxLength: 25 }), async (voters) => {
        const id = await pollWith(voters);
        const tallies = await t.store.tallies([id]);
        if (!voters.length) expect(tallies.has(id)).toBe(false);
        else expect(tallies.get(id)).toEqual(tallyOf(await t.store.ballots(id)));
      }),
      { numRuns: 12 },
    );
  });

  it('tallies several polls at once, each on its own, and leaves out polls with no answers', async () => {
    const a = await pollWith([{ sector: 'public', answers: { trust: 5, respect: 1 } }, { sector: 'third', answers: { trust: 2 } }]);
    const b = await pollWith([{ sector: 'private', answers: { openness: 3 } }]);
    const empty = await pollWith([]);
    const tallies = await t.store.tallies([a, b, empty, a]);
    expect([...tallies.keys()].sort()).toEqual([a, b].sort());
    expect(tallies.get(a)).toEqual({
      respondents: { public: 1, third: 1 },
      scores: { trust: { public: [0, 0, 0, 0, 1], third: [0, 1, 0, 0, 0] }, respect: { public: [1, 0, 0, 0, 0] } },
    });
    expect(tallies.get(b)).toEqual({ respondents: { private: 1 }, scores: { openness: { private: [0, 0, 1, 0, 0] } } });
  });

  it('counts a voter whose member changed sector mid-poll once, in one sector, as the ballots do', async () => {
    const id = await pollWith([
      { sector: 'public', answers: { trust: 4 } },
      { sector: 'third', answers: { trust: 3 } },
    ]);
    // h000 answers another block after moving to the third sector: its rows now carry two sectors.
    await t.store.upsertAnswer(id, 'h000', 'third', 'respect', 2);
    const tally = (await t.store.tallies([id])).get(id)!;
    expect(tally).toEqual(tallyOf(await t.store.ballots(id)));
    expect(Object.values(tally.respondents).reduce((x, y) => x + y, 0)).toBe(2);
  });

  it('reads a poll with its partnership and the member pressing in one query, and a member with all their identities in order', async () => {
    const id = await pollWith([]);
    const expected = { poll: await t.store.poll(id), partnership: await t.store.partnership(P.id), member: await t.store.member(ann.id) };
    for (const identity of ann.identities) expect(await t.store.pollScope(id, identity)).toEqual(expected);
    expect(await t.store.pollScope(id, { platform: 'local', workspace: 'local', user: 'nobody' })).toEqual({ ...expected, member: null });
    expect(await t.store.pollScope('p-nothere', ann.identities[0]!)).toBeNull();
    for (const identity of ann.identities) expect(await t.store.memberByIdentity(P.id, identity)).toEqual(await t.store.member(ann.id));
    expect(await t.store.memberByIdentity('pt-other', ann.identities[0]!)).toBeNull();
    expect(await t.store.memberByIdentity(P.id, { platform: 'local', workspace: 'local', user: 'nobody' })).toBeNull();
  });

  it('a button press reads the poll, its partnership and the member in one query, then checks and writes the answer: three queries', async () => {
    const id = `p-t${++n}`;
    await t.store.insertPoll(poll({ id, partnershipId: P.id, status: 'open', openedAt: '2027-01-01T10:00:00.000Z', closesAt: '2027-01-08T09:30:00.000Z', createdBy: ann.id }));
    const queries: string[] = [];
    const counting: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        queries.push(String(args.queryId.queryId));
        return args.result;
      },
    };
    const store = new SqlStore(t.store.db.withPlugin(counting), t.store.dialect);
    const deps = { store, clock: { now: () => new Date('2027-01-04T10:00:00Z') }, ids: { next: (x: string) => `${x}-1` }, log: pino({ level: 'silent' }), voterHash: voterHasher('s') };
    const { id: actionId, value } = encodeAction({ type: 'pulse.answer', pollId: id, block: 'trust', score: 4 });
    const replies = await createCommandRunner(deps, HANDLERS).runAction({ identity: ann.identities[1]!, displayName: 'Ann', channel: null }, actionId, value);
    expect(replies[0]?.error).toBeFalsy();
    expect(queries).toHaveLength(3);
    expect(await t.store.ballots(id)).toEqual([{ sector: 'third', answers: { trust: 4 } }]);
  });

  it('a prepared query binds its values as parameters, and refuses a value that did not become one', async () => {
    const q = prepared((db, value) => db.selectFrom('polls').select('id').where('partnership_id', '=', value('p')).where('id', '=', value('id')), ['p', 'id']);
    const id = await pollWith([]);
    expect(await q.run(t.store.db, t.store.dialect, { p: P.id, id })).toEqual([{ id }]);
    // A value that looks like SQL is still only a value.
    expect(await q.run(t.store.db, t.store.dialect, { p: P.id, id: `${id}' or '1'='1` })).toEqual([]);
    const wrong = prepared((db) => db.selectFrom('polls').select('id'), ['id']);
    await expect(wrong.run(t.store.db, t.store.dialect, { id })).rejects.toThrow(/id did not become parameters/);
  });
});
