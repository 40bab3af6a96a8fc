// Participation equity in the weekly digest run: an organisation that has stopped answering is named
// to the coordinators by direct message, once per new miss, and never in a channel.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../db/store.ts';
import type { Deps } from '../../src/bot/context.ts';
import { digestJobs } from '../../src/bot/jobs/digest.ts';
import { outbox, runJob, seededStore, testDeps } from '../support/bot.ts';
import { consultation, member, partnership, response } from '../support/fixtures.ts';
import { bodyText } from '../support/messages.ts';

const p = partnership({ name: 'Leith Food' });
const members = [
  member('coord', { id: 'coord', roles: ['coordinator'], organisation: 'City Council' }),
  member('chair', { id: 'chair', roles: ['chair'], organisation: 'City Council' }),
  member('ann', { id: 'ann', sector: 'third', organisation: 'Food Bank' }),
  member('bob', { id: 'bob', sector: 'private', organisation: 'Grocer Ltd' }),
];
// Monday 12 Oct 2026, 09:00 BST: the digest's time.
const MONDAY = new Date('2026-10-12T08:00:00Z');

let store: SqlStore;
let deps: Deps;

async function consult(id: string, deadline: string, answered: string[]): Promise<void> {
  await store.insertConsultation(consultation({ id, title: `Plan ${id}`, ownerId: 'coord', openedAt: '2026-08-01T09:00:00Z', deadline, status: 'awaiting_feedback' }));
  for (const m of answered) await store.upsertResponse(response(m, { consultationId: id, at: '2026-08-10T10:00:00Z' }));
}

const digest = (step: string) => runJob(digestJobs, deps, { kind: 'digest', partnershipId: p.id, ref: p.id, step });
const quietRows = async () => (await outbox(store)).filter((r) => r.key.startsWith('quiet:'));

beforeEach(async () => {
  store = await seededStore(p, members);
  deps = testDeps(store, MONDAY);
  await consult('c-1', '2026-08-20', ['ann', 'coord']);
  await consult('c-2', '2026-09-01', ['ann']);
  await consult('c-3', '2026-09-15', ['ann', 'chair']);
});
afterEach(() => store.close());

describe('organisations that stopped answering, flagged with the digest', () => {
  it('tells each coordinator, and only them, by direct message', async () => {
    await digest('2026-10-12');
    const rows = await quietRows();
    expect(rows.map((r) => r.target)).toEqual([expect.objectContaining({ kind: 'user', user: 'coord' })]);
    const text = bodyText(rows[0]!.message);
    expect(text).toMatch(/Grocer Ltd: Plan c-3 .*Plan c-2 .*Plan c-1/);
    expect(text).not.toMatch(/Food Bank|City Council/);
    const channelRows = (await outbox(store)).filter((r) => r.target.kind === 'channel');
    for (const r of channelRows) expect(bodyText(r.message)).not.toMatch(/Grocer Ltd|not being heard/);
  });

  it('says it once for the same silence, and again after a new miss', async () => {
    await digest('2026-10-12');
    await digest('2026-10-19');
    expect(await quietRows()).toHaveLength(1);
    await consult('c-4', '2026-10-01', ['ann']);
    await digest('2026-10-26');
    expect(await quietRows()).toHaveLength(2);
  });

  it('says nothing once the organisation answers again', async () => {
    await consult('c-4', '2026-10-01', ['bob']);
    await digest('2026-10-12');
    expect(await quietRows()).toEqual([]);
  });
});
