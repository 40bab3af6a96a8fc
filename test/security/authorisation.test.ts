// Who may do what: every verb, as every kind of person, through the real command runner and a real
// store. The expected rules are written out here (not read from PERMISSIONS), so loosening a rule in
// the code fails this test; the README table is checked against PERMISSIONS by test/docs.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../db/connect.ts';
import type { SqlStore } from '../../db/store.ts';
import type { Verb } from '../../src/domain/command-types.ts';
import { encodeAction } from '../../src/domain/message.ts';
import { PERMISSIONS } from '../../src/domain/permissions.ts';
import type { ChannelRef, ChatIdentity, Role } from '../../src/domain/partnership.ts';
import { A_GENERAL, A_SLACK, IDS, actor, local, runner, seedTwoPartnerships, testDeps, texts } from './support.ts';

const NOT_A_MEMBER = 'You are not a member of this partnership yet. Join with `/partner join <sector> <organisation>`.';

/** Who may run each verb, and the sentence everyone else gets. */
const RULES: Record<Verb, { who: 'anyone' | 'member' | Role[]; denied?: string }> = {
  help: { who: 'anyone' },
  home: { who: 'anyone' },
  setup: { who: 'anyone' },
  join: { who: 'anyone' },
  'export.me': { who: 'anyone' },
  'forget.me': { who: 'anyone' },
  'link.use': { who: 'anyone' },
  members: { who: 'member' },
  link: { who: 'member' },
  'consult.list': { who: 'member' },
  respond: { who: 'member' },
  'pulse.answer': { who: 'member' },
  results: { who: 'member' },
  review: { who: 'member' },
  digest: { who: 'member' },
  settings: { who: ['coordinator'], denied: 'Only a coordinator can change the settings.' },
  role: { who: ['coordinator'], denied: 'Only a coordinator can change roles.' },
  consult: { who: ['coordinator'], denied: 'Only a coordinator can open a consultation.' },
  'pulse.start': { who: ['coordinator'], denied: 'Only a coordinator can start a pulse poll.' },
  'pulse.close': { who: ['coordinator'], denied: 'Only a coordinator can close a pulse poll.' },
  feedback: { who: ['coordinator'], denied: 'Only a coordinator can post feedback.' },
  status: { who: ['coordinator'], denied: 'Only a coordinator can see the status.' },
  'export.partnership': { who: ['coordinator'], denied: "Only a coordinator can export the partnership's data." },
  'delete.partnership': { who: ['coordinator'], denied: 'Only a coordinator can delete the partnership.' },
  audit: { who: ['coordinator'], denied: 'Only a coordinator can read the audit log.' },
  'review.set': { who: ['chair'], denied: 'Only a chair can set the review date.' },
  'review.done': { who: ['chair'], denied: 'Only a chair can record a review.' },
  'review.pack': { who: ['chair', 'coordinator'], denied: 'Only a chair or a coordinator can see the review pack.' },
};

/** One command text per verb, valid, so the permission check is what decides. */
const COMMANDS: Record<Verb, string> = {
  help: '/partner help',
  home: '/partner home',
  setup: '/partner setup "Another Partnership"',
  join: '/partner join third "Riverside Youth Trust"',
  'export.me': '/partner export me',
  'forget.me': '/partner forget me',
  'link.use': '/partner link k7m2-q9x4',
  link: '/partner link',
  members: '/partner members',
  'consult.list': '/partner consult list',
  respond: `/partner respond ${IDS.a.open} done`,
  'pulse.answer': '/partner pulse answer trust=4',
  results: '/partner results',
  review: '/partner review',
  digest: '/partner digest',
  settings: '/partner settings k=4',
  role: '/partner role @Mem chair',
  consult: '/partner consult "Budget" by 2027-06-30',
  'pulse.start': '/partner pulse start short',
  'pulse.close': '/partner pulse close',
  feedback: `/partner feedback ${IDS.a.done} We changed the plan.`,
  status: '/partner status',
  'export.partnership': '/partner export partnership',
  'delete.partnership': '/partner delete partnership',
  audit: '/partner audit',
  'review.set': '/partner review set 2027-12-01',
  'review.done': '/partner review done continue next 2028-01-10',
  'review.pack': '/partner review pack',
};

interface Who {
  label: string;
  identity: ChatIdentity;
  channel: ChannelRef;
  /** Roles in partnership A (the channel's); null: not a member of A. */
  roles: Role[] | null;
}

const PEOPLE: Who[] = [
  { label: 'coordinator', identity: local('coord'), channel: A_GENERAL, roles: ['coordinator'] },
  { label: 'chair', identity: local('chair'), channel: A_GENERAL, roles: ['chair'] },
  { label: 'member', identity: local('mem'), channel: A_GENERAL, roles: ['member'] },
  { label: 'non-member', identity: local('stranger'), channel: A_GENERAL, roles: null },
  { label: "another partnership's coordinator", identity: local('bcoord'), channel: A_GENERAL, roles: null },
  // The coordinator's user id, but from another platform (in A's Slack channel) or another workspace.
  { label: "the coordinator's user id on another platform", identity: { platform: 'slack', workspace: 'T1', user: 'coord' }, channel: A_SLACK, roles: null },
  { label: "the coordinator's user id in another workspace", identity: { platform: 'local', workspace: 'elsewhere', user: 'coord' }, channel: A_GENERAL, roles: null },
];

function expected(verb: Verb, who: Who): string | null {
  const rule = RULES[verb];
  if (rule.who === 'anyone') return null;
  if (!who.roles) return NOT_A_MEMBER;
  if (rule.who === 'member') return null;
  return rule.who.some((r) => who.roles!.includes(r)) ? null : rule.denied!;
}

const DENIALS = [NOT_A_MEMBER, ...Object.values(RULES).flatMap((r) => (r.denied ? [r.denied] : []))];

let store: SqlStore;
beforeEach(async () => {
  store = await openStore('sqlite::memory:');
  await seedTwoPartnerships(store);
});
afterEach(async () => {
  await store.close();
});

describe('authorisation: every verb × every kind of person', () => {
  it('covers every verb the code knows, and the code agrees with the rules written here', () => {
    expect(Object.keys(RULES).sort()).toEqual(Object.keys(PERMISSIONS).sort());
    for (const [verb, rule] of Object.entries(RULES)) expect(PERMISSIONS[verb as Verb]).toEqual(rule.who);
  });

  const rows = (Object.keys(RULES) as Verb[]).flatMap((verb) => PEOPLE.map((who) => [verb, who.label, who] as const));
  it.each(rows)('%s as %s', async (verb, _label, who) => {
    const replies = await runner(testDeps(store)).runCommand(actor(who.identity, who.channel), COMMANDS[verb]);
    const shown = texts(replies);
    expect(shown).not.toContain('Something went wrong');
    expect(shown).not.toMatch(/^Usage:/m); // the command parsed: the permission check decided
    const denial = expected(verb, who);
    if (denial) {
      expect(replies).toHaveLength(1);
      expect(replies[0]!.private).toBe(true);
      expect(shown.trim()).toBe(denial);
    } else {
      for (const d of DENIALS) expect(shown).not.toContain(d);
    }
  });
});

describe('authorisation: objects of another partnership', () => {
  const aCoordinator = actor(local('coord'));

  it("a coordinator of A cannot respond to B's consultation by its id", async () => {
    const replies = await runner(testDeps(store)).runCommand(aCoordinator, `/partner respond ${IDS.b.open} done`);
    expect(texts(replies).trim()).toBe(NOT_A_MEMBER);
    expect(await store.responses(IDS.b.open)).toEqual([]);
  });

  it("a member of A cannot answer B's poll with B's button", async () => {
    const { id, value } = encodeAction({ type: 'pulse.answer', pollId: IDS.b.poll, block: 'trust', score: 1 });
    const replies = await runner(testDeps(store)).runAction(actor(local('mem')), id, value);
    expect(texts(replies).trim()).toBe(NOT_A_MEMBER);
    expect(await store.ballotCount(IDS.b.poll)).toBe(0);
  });

  it("a member of A cannot answer B's poll by naming it in text, even in a direct message", async () => {
    const replies = await runner(testDeps(store)).runCommand(actor(local('mem'), null), `/partner pulse answer ${IDS.b.poll} trust=1`);
    expect(texts(replies).trim()).toBe(NOT_A_MEMBER);
    expect(await store.ballotCount(IDS.b.poll)).toBe(0);
  });

  it("a coordinator of A cannot post feedback on B's consultation", async () => {
    const replies = await runner(testDeps(store)).runCommand(aCoordinator, `/partner feedback ${IDS.b.done} Nothing came of it.`);
    expect(texts(replies).trim()).toBe(NOT_A_MEMBER);
    expect((await store.consultation(IDS.b.done))!.feedback).toBeNull();
  });

  it("a coordinator of A cannot close B's poll or see its results", async () => {
    const r = runner(testDeps(store));
    expect(texts(await r.runCommand(aCoordinator, `/partner pulse close ${IDS.b.poll}`)).trim()).toBe(NOT_A_MEMBER);
    expect((await store.poll(IDS.b.poll))!.status).toBe('open');
    expect(texts(await r.runCommand(aCoordinator, `/partner results ${IDS.b.poll}`)).trim()).toBe(NOT_A_MEMBER);
  });

  it("a coordinator of A cannot give roles to B's members", async () => {
    const replies = await runner(testDeps(store)).runCommand(aCoordinator, '/partner role @BCoord member');
    expect(texts(replies)).toContain('Nobody called "BCoord" is a member of Riverside Partnership');
    expect((await store.member('m-bcoord'))!.roles).toEqual(['coordinator']);
  });

  it("B's coordinator, typing in A's channel, cannot export or delete A", async () => {
    const r = runner(testDeps(store));
    const outsider = actor(local('bcoord'));
    expect(texts(await r.runCommand(outsider, '/partner export partnership')).trim()).toBe(NOT_A_MEMBER);
    expect(texts(await r.runCommand(outsider, '/partner delete partnership confirm')).trim()).toBe(NOT_A_MEMBER);
    expect(await store.partnership('pt-a')).not.toBeNull();
  });

  it('the coordinator user id from another Slack workspace in a shared channel is a stranger', async () => {
    const r = runner(testDeps(store));
    const guest = actor({ platform: 'slack', workspace: 'T2', user: 'coord' }, A_SLACK);
    expect(texts(await r.runCommand(guest, '/partner settings k=3')).trim()).toBe(NOT_A_MEMBER);
    expect((await store.partnership('pt-a'))!.settings.anonymityK).toBe(5);
  });
});
