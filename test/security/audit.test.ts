// The audit log: every coordinator and chair action is recorded with who, what and when, and a
// coordinator can read it with /partner audit (privately, newest first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/connect.ts';
import { auditLog, sqlOf } from '../../db/privacy-store.ts';
import type { SqlStore } from '../../db/store.ts';
import type { Deps } from '../../src/bot/context.ts';
import { consultation } from '../support/fixtures.ts';
import { A_GENERAL, actor, local, runner, testDeps, texts } from './support.ts';

let store: SqlStore;
let deps: Deps;
let clock = new Date('2027-01-04T10:00:00Z');
let partnershipId: string;
let carolId: string;

const as = (user: string, text: string) => runner(deps).runCommand(actor(local(user)), text);

beforeAll(async () => {
  store = await openStore('sqlite::memory:');
  deps = testDeps(store, { now: () => clock });
  await as('carol', '/partner setup "Audited Partnership"');
  partnershipId = (await store.activePartnershipIds())[0]!;
  carolId = (await store.memberByIdentity(partnershipId, local('carol')))!.id;
  for (const u of ['ann', 'bob']) await as(u, `/partner join third "Org ${u}"`);
});

afterAll(async () => {
  await store.close();
});

async function latest() {
  return (await auditLog(sqlOf(store), partnershipId, 1))[0];
}

/** Each coordinator or chair action, the entry it must leave, and who it names. */
const ACTIONS: [string, string, 'carol' | null][] = [
  ['/partner settings k=4 notice=10w', 'settings', 'carol'],
  ['/partner role @ann chair', 'role', 'carol'],
  ['/partner consult "Budget" by 2027-06-30 anyway', 'consultation.open', 'carol'],
  ['/partner pulse start short', 'pulse.start', 'carol'],
  ['/partner pulse close', 'pulse.close', 'carol'],
  ['/partner review set 2027-09-01', 'review.set', 'carol'],
  ['/partner feedback c-dddddddd We kept the budget as it was.', 'feedback.post', 'carol'],
  ['/partner review done continue next 2028-01-10', 'review.done', 'carol'],
  ['/partner export partnership', 'export.partnership', 'carol'],
  ['/partner export me', 'export.me', 'carol'],
];

describe('audit log', () => {
  it('recorded the setup, by its founder', async () => {
    expect(await latest()).toMatchObject({ action: 'setup', actorId: carolId, detail: 'Audited Partnership' });
  });

  it.each(ACTIONS)('records %s as %s, with who and when', async (text, action) => {
    if (action === 'feedback.post') {
      await store.insertConsultation(consultation({ id: 'c-dddddddd', partnershipId, ownerId: carolId, status: 'awaiting_feedback', deadline: '2026-12-15' }));
    }
    clock = new Date(clock.getTime() + 60_000);
    const replies = await as('carol', text);
    expect(replies.some((m) => m.error)).toBe(false);
    expect(await latest()).toEqual({ partnershipId, actorId: carolId, action, detail: expect.any(String), at: clock.toISOString() });
  });

  it('records a k change with the old poll untouched in the detail', async () => {
    const settings = (await auditLog(sqlOf(store), partnershipId, 100)).find((e) => e.action === 'settings')!;
    expect(JSON.parse(settings.detail)).toEqual({ anonymityK: 4, minNoticeDays: 70 });
  });

  it('records forget me without saying who asked', async () => {
    clock = new Date(clock.getTime() + 60_000);
    await as('bob', '/partner forget me confirm');
    expect(await latest()).toEqual({ partnershipId, actorId: null, action: 'forget.me', detail: '', at: clock.toISOString() });
  });

  it('shows coordinators the latest entries, newest first, privately; others are refused', async () => {
    const [reply] = await as('carol', '/partner audit 5');
    expect(reply!.private).toBe(true);
    const lines = texts([reply!]).split('\n').filter((l) => l.startsWith('• '));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toContain('a member asked to be forgotten');
    expect(lines[1]).toContain('carol · exported their own data');
    expect(lines[3]).toContain('recorded a review');
    expect(lines[4]).toContain('posted feedback');
    expect(texts(await as('ann', '/partner audit'))).toContain('Only a coordinator can read the audit log.');
  });

  it('keeps one entry when the partnership is deleted: who deleted it, and how much', async () => {
    clock = new Date(clock.getTime() + 60_000);
    await as('carol', '/partner delete partnership confirm');
    expect(await auditLog(sqlOf(store), partnershipId, 100)).toEqual([
      { partnershipId, actorId: carolId, action: 'delete.partnership', detail: '2 members, 2 consultations, 1 polls', at: clock.toISOString() },
    ]);
  });
});
