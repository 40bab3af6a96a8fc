// The consultation queries of the store on SQLite and PostgreSQL: answering a consultation reads the
// consultation, its partnership and the member in one query and writes the answer in one more, both
// prepared (db/command-queries.ts) with every value a parameter.
import pino from 'pino';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlStore } from '../../db/store.ts';
import { openPostgresTestStore, openSqliteTestStore, postgresAnswers, type TestStore } from '../../db/testing.ts';
import { HANDLERS } from '../../src/bot/app.ts';
import { createCommandRunner } from '../../src/bot/handlers.ts';
import { voterHasher } from '../../src/bot/ids.ts';
import type { ChatIdentity } from '../../src/domain/partnership.ts';
import { consultation, member, partnership } from '../support/fixtures.ts';

const CI = process.env.CI === 'true';
const postgresUp = await postgresAnswers();
const dialects = [
  { name: 'sqlite', open: openSqliteTestStore },
  ...(postgresUp || CI ? [{ name: 'postgres', open: () => openPostgresTestStore() }] : []),
];

const P = partnership({ id: 'pt-c', name: 'Riverside', settings: { workDays: [1, 2, 3] } });
const OTHER = partnership({ id: 'pt-other', name: 'Hillside' });
const ann = member('Ann', {
  id: 'm-ann',
  partnershipId: P.id,
  roles: ['coordinator', 'member'],
  sector: 'third',
  identities: [
    { platform: 'slack', workspace: 'T1', user: 'U0ANN' },
    { platform: 'local', workspace: 'local', user: 'ann' },
    { platform: 'teams', workspace: 'tenant', user: '29:ann' },
  ],
});
/** Known by the same Slack identity as Ann, but in the other partnership. */
const annElsewhere = member('Ann', { id: 'm-ann2', partnershipId: OTHER.id, identities: [{ platform: 'slack', workspace: 'T1', user: 'U0ANN' }] });
const bob = member('Bob', { id: 'm-bob', partnershipId: OTHER.id, identities: [{ platform: 'slack', workspace: 'T1', user: 'U0BOB' }] });
const C = consultation({ id: 'c-scope', partnershipId: P.id, ownerId: ann.id, link: 'https://example.org/x', audience: { sectors: ['third'], memberIds: [] }, deadline: '2027-02-01' });

describe.each(dialects)('consultation store on $name', ({ open }) => {
  let t: TestStore;

  beforeAll(async () => {
    t = await open();
    await t.store.insertPartnership(P);
    await t.store.insertPartnership(OTHER);
    for (const m of [ann, annElsewhere, bob]) await t.store.insertMember(m);
    await t.store.insertConsultation(C);
  });

  afterAll(async () => {
    await t?.dispose();
  });

  it('reads a consultation with its partnership and the member answering in one query, the member with all their identities in order', async () => {
    const expected = { consultation: await t.store.consultation(C.id), partnership: await t.store.partnership(P.id), member: await t.store.member(ann.id) };
    expect(expected.consultation).toEqual({ ...C, openedAt: '2026-09-01T09:00:00.000Z' });
    for (const identity of ann.identities) expect(await t.store.consultationScope(C.id, identity)).toEqual(expected);
    // Someone unknown, and someone known only in another partnership, is no member here.
    const nobody: ChatIdentity = { platform: 'slack', workspace: 'T1', user: 'U0NOBODY' };
    expect(await t.store.consultationScope(C.id, nobody)).toEqual({ ...expected, member: null });
    expect(await t.store.consultationScope(C.id, bob.identities[0]!)).toEqual({ ...expected, member: null });
    expect(await t.store.consultationScope('c-nothere', ann.identities[0]!)).toBeNull();
    // Values that look like SQL are only values.
    expect(await t.store.consultationScope(`${C.id}' or '1'='1`, ann.identities[0]!)).toBeNull();
    expect(await t.store.consultationScope(C.id, { platform: 'slack', workspace: 'T1', user: "x' or '1'='1" })).toEqual({ ...expected, member: null });
  });

  it('finds the partnership a channel belongs to by all three of its parts', async () => {
    const ch = { platform: 'slack' as const, workspace: 'T1', channel: 'C0RIVER' };
    await t.store.addChannel(P.id, ch);
    expect(await t.store.partnershipByChannel(ch)).toEqual(await t.store.partnership(P.id));
    for (const other of [{ ...ch, platform: 'teams' as const }, { ...ch, workspace: 'T2' }, { ...ch, channel: 'C0OTHER' }, { ...ch, channel: "C0RIVER' or '1'='1" }]) {
      expect(await t.store.partnershipByChannel(other)).toBeNull();
    }
  });

  it('answering a consultation reads it, its partnership and the member in one query and writes the answer in one more', async () => {
    const queries: string[] = [];
    const counting: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        queries.push(String(args.queryId.queryId));
        return args.result;
      },
    };
    const store = new SqlStore(t.store.db.withPlugin(counting), t.store.dialect);
    const at = '2027-01-04T10:00:00.000Z';
    const deps = { store, clock: { now: () => new Date(at) }, ids: { next: (x: string) => `${x}-1` }, log: pino({ level: 'silent' }), voterHash: voterHasher('s') };
    const run = createCommandRunner(deps, HANDLERS);
    const actor = { identity: ann.identities[0]!, displayName: 'Ann', channel: null };

    const first = await run.runCommand(actor, `respond ${C.id} more-time`);
    expect(first[0]?.error).toBeFalsy();
    expect(JSON.stringify(first)).toContain('Recorded for');
    const afterFirst = queries.length;
    const again = await run.runCommand(actor, `respond ${C.id} done`);
    expect(again[0]?.error).toBeFalsy();
    // The second answer replaces the first: scope + upsert, nothing else.
    expect(queries.length - afterFirst).toBe(2);
    expect(await t.store.responses(C.id)).toEqual([{ consultationId: C.id, memberId: ann.id, kind: 'responded', proposedDate: null, at }]);

    // Not a member of the consultation's partnership: refused, nothing written.
    const refused = await run.runCommand({ identity: bob.identities[0]!, displayName: 'Bob', channel: null }, `respond ${C.id} done`);
    expect(refused[0]?.error).toBe(true);
    expect(await t.store.responses(C.id)).toHaveLength(1);
  });

  it('lets a plugin see the prepared queries as it sees any other, and rewrite them', async () => {
    const seen: string[] = [];
    const watching = new SqlStore(
      t.store.db.withPlugin({
        transformQuery: ({ node }) => {
          seen.push(node.kind);
          // Rewritten to look for another consultation: the rewrite must take effect.
          return node.kind === 'SelectQueryNode' ? { ...node, where: undefined } : node;
        },
        transformResult: async ({ result }) => result,
      }),
      t.store.dialect,
    );
    // Without its where clause the scope query finds the one consultation, whatever id it was given.
    expect((await watching.consultationScope('c-nothere', ann.identities[0]!))?.consultation.id).toBe(C.id);
    await watching.upsertResponse({ consultationId: C.id, memberId: ann.id, kind: 'not_relevant', proposedDate: null, at: '2027-01-05T10:00:00.000Z' });
    expect(seen).toEqual(['SelectQueryNode', 'InsertQueryNode']);
    expect((await t.store.responses(C.id)).map((r) => r.kind)).toEqual(['not_relevant']);
  });
});
