import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SqlStore } from '../../db/store.ts';
import { digestJobs } from '../../src/bot/jobs/digest.ts';
import { reviewJobs } from '../../src/bot/jobs/review.ts';
import { digestHandlers } from '../../src/bot/handlers/digest.ts';
import { reviewHandlers } from '../../src/bot/handlers/review.ts';
import type { Deps } from '../../src/bot/context.ts';
import type { Command } from '../../src/domain/command-types.ts';
import { nextDigestJob } from '../../src/domain/digest.ts';
import { UserError } from '../../src/domain/errors.ts';
import type { Job, NewJob, Repo } from '../../src/domain/ports.ts';
import { reviewReminderPlan } from '../../src/domain/review.ts';
import { isoInstant, outbox as storeOutbox, runCommand, runJob as runJobIn, seededStore, testDeps } from '../support/bot.ts';
import { consultation as fixtureConsultation, member, partnership, poll, response } from '../support/fixtures.ts';
import { bodyText as textOf } from '../support/messages.ts';

// Monday 12 Oct 2026, 09:00 BST.
const MONDAY = '2026-10-12T08:00:00Z';

let store: SqlStore;
let deps: Deps;
let clock: Date;

const p = partnership({ name: 'Leith Food', reviewDate: '2026-12-15' });

// Members whose id is also their name and chat handle, so tests can say who acts in one word.
const members = [
  member('chair', { id: 'chair', roles: ['chair'], sector: 'public', organisation: 'City Council' }),
  member('coord', { id: 'coord', roles: ['coordinator'], sector: 'public', organisation: 'City Council' }),
  member('ann', { id: 'ann', roles: ['member'], sector: 'third', organisation: 'Food Bank' }),
  member('bob', { id: 'bob', roles: ['member'], sector: 'private', organisation: 'Grocer Ltd' }),
];

const consultation = fixtureConsultation({ ownerId: 'coord' });

beforeEach(async () => {
  store = await seededStore(p, members);
  clock = new Date(MONDAY);
  deps = testDeps(store, () => clock);
  await store.insertConsultation(consultation);
  await store.upsertResponse(response('ann', { at: '2026-09-10T10:00:00Z' }));
  await store.scheduleJobs([...reviewReminderPlan(p, clock), nextDigestJob(p, clock)]);
  await store.scheduleJobs([{ kind: 'consultation.nudge', partnershipId: p.id, ref: 'c-1', step: '7', dueAt: '2026-10-13T08:30:00Z' }]);
});

afterEach(async () => {
  await store.close();
});

/** Runs a command as the member with id `as`, in #general, at `clock`. */
const run = (cmd: Command, as = 'chair') =>
  runCommand({ ...reviewHandlers, ...digestHandlers }, deps, cmd, members.find((m) => m.id === as)!, { partnershipId: p.id });
const runJob = (job: NewJob) => runJobIn({ ...reviewJobs, ...digestJobs }, deps, job);
const outbox = () => storeOutbox(store);

async function pending(kind?: string): Promise<Job[]> {
  return (await store.pendingJobs('pt-1', 100)).filter((j) => !kind || j.kind === kind);
}

/** [step, dueAt] of pending jobs, with instants in one ISO form whatever the store returns. */
async function steps(kind: string): Promise<[string, string][]> {
  return (await pending(kind)).map((j) => [j.step, isoInstant(j.dueAt)]);
}

const digestJob = (step: string, dueAt: string): NewJob => ({ kind: 'digest', partnershipId: 'pt-1', ref: 'pt-1', step, dueAt });

describe('digest job', () => {
  // Start each case with no digest scheduled, so what the job schedules is all there is.
  beforeEach(() => store.cancelJobs('digest', 'pt-1'));

  it('posts the digest to every channel and schedules the next Monday', async () => {
    clock = new Date('2026-10-12T08:01:00Z');
    await runJob(digestJob('2026-10-12', MONDAY));
    const rows = await outbox();
    expect(rows.map((r) => r.key).sort()).toEqual([
      'digest:pt-1:2026-10-12:local:local:general',
      'digest:pt-1:2026-10-12:slack:T1:C1',
    ]);
    expect(textOf(rows[0]!.message)).toContain('Draft strategy (c-1): due Tue 20 Oct 2026, in 8 days. 1 of 4 asked have answered.');
    expect(await steps('digest')).toEqual([['2026-10-19', '2026-10-19T08:00:00Z']]);
  });

  it('skips a digest missed by more than the catch-up window, logs it, and still schedules the next', async () => {
    const warn = vi.spyOn(deps.log, 'warn');
    clock = new Date('2026-10-12T20:01:00Z'); // 12 h 1 min late
    await runJob(digestJob('2026-10-12', MONDAY));
    expect(await outbox()).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ partnershipId: 'pt-1', missed: MONDAY }), expect.stringContaining('skipped'));
    expect(await steps('digest')).toEqual([['2026-10-19', '2026-10-19T08:00:00Z']]);
  });

  it('sends a digest still inside the catch-up window', async () => {
    clock = new Date('2026-10-12T19:59:00Z'); // 11 h 59 min late
    await runJob(digestJob('2026-10-12', MONDAY));
    expect(await outbox()).toHaveLength(2);
  });

  it('after a week down keeps the next digest if it is still inside the window, so the next tick sends it', async () => {
    clock = new Date('2026-10-19T11:00:00Z'); // the 12th is a week late; the 19th only 3 h
    await runJob(digestJob('2026-10-12', MONDAY));
    expect(await outbox()).toEqual([]);
    expect(await steps('digest')).toEqual([['2026-10-19', '2026-10-19T08:00:00Z']]);
    await runJob(digestJob('2026-10-19', '2026-10-19T08:00:00Z'));
    expect((await outbox()).map((r) => r.key)).toContain('digest:pt-1:2026-10-19:slack:T1:C1');
  });

  it('after long downtime steps over Mondays that would be skipped too', async () => {
    clock = new Date('2026-10-27T12:00:00Z'); // Tuesday: the 19th and 26th are long past
    await runJob(digestJob('2026-10-12', MONDAY));
    expect(await outbox()).toEqual([]);
    // After the clocks went back 09:00 London is 09:00 UTC.
    expect(await steps('digest')).toEqual([['2026-11-02', '2026-11-02T09:00:00Z']]);
  });

  it('posts nothing when nothing is due, open or overdue', async () => {
    await store.updateConsultation({ ...consultation, status: 'closed', feedback: 'Done', feedbackAt: '2026-10-01T10:00:00Z' });
    await runJob(digestJob('2026-10-12', MONDAY));
    expect(await outbox()).toEqual([]);
    expect(await steps('digest')).toEqual([['2026-10-19', '2026-10-19T08:00:00Z']]);
  });
});

describe('digest command', () => {
  it('shows the digest privately to any member', async () => {
    const [reply] = await run({ verb: 'digest' }, 'bob');
    expect(reply!.private).toBe(true);
    expect(textOf(reply!)).toContain('Draft strategy');
  });

  it('says so when there is nothing', async () => {
    await store.updateConsultation({ ...consultation, status: 'closed' });
    const [reply] = await run({ verb: 'digest' }, 'bob');
    expect(reply!.private).toBe(true);
    expect(textOf(reply!)).toBe('Nothing due, open or overdue.');
  });
});

describe('review commands', () => {
  it('review shows the next date, days to go and the last review', async () => {
    const [reply] = await run({ verb: 'review' }, 'ann');
    expect(textOf(reply!)).toContain('Next review: Tue 15 Dec 2026 (in 64 days)');
    expect(textOf(reply!)).toContain('Last review: none yet');
  });

  it('review set replaces the reminders with the plan for the new date', async () => {
    expect((await pending('review.reminder')).map((j) => j.step)).toEqual(['2026-12-15:30', '2026-12-15:7', '2026-12-15:1']);
    const [reply] = await run({ verb: 'review.set', date: '2027-02-10' });
    expect(reply!.private).toBeUndefined();
    expect(textOf(reply!)).toContain('is on Wed 10 Feb 2027');
    expect((await store.partnership('pt-1'))!.reviewDate).toBe('2027-02-10');
    expect(await steps('review.reminder')).toEqual([
      ['2027-02-10:30', '2027-01-11T09:30:00Z'],
      ['2027-02-10:7', '2027-02-03T09:30:00Z'],
      ['2027-02-10:1', '2027-02-09T09:30:00Z'],
    ]);
    const audit = await store.db.selectFrom('audit_log').selectAll().execute();
    expect(audit.map((a) => [a.action, a.actor_id, JSON.parse(a.detail)])).toEqual([['review.set', 'chair', { from: '2026-12-15', to: '2027-02-10' }]]);
  });

  it('review set refuses today or a past date', async () => {
    await expect(run({ verb: 'review.set', date: '2026-10-12' })).rejects.toThrow(UserError);
    await expect(run({ verb: 'review.set', date: '2026-01-01' })).rejects.toThrow(/must be after today \(Mon 12 Oct 2026\)/);
    expect((await store.partnership('pt-1'))!.reviewDate).toBe('2026-12-15');
  });

  it('review pack is private and asks continue, change or wind up', async () => {
    const [pack] = await run({ verb: 'review.pack' }, 'coord');
    expect(pack!.private).toBe(true);
    const text = textOf(pack!);
    expect(text).toContain('Response rate (answers of any kind / asked): 1 of 4 (25%)');
    expect(text).toContain('Continue, change, or wind up?');
    expect(pack!.blocks.some((bl) => bl.kind === 'buttons' && bl.buttons.length === 3)).toBe(true);
  });

  it('review pack shows pulse trends only for polls that passed the threshold', async () => {
    const closedPoll = (id: string, closesAt: string) => poll({ id, form: 'short', openedAt: closesAt, closesAt, createdBy: 'coord' });
    await store.insertPoll(closedPoll('pl-a', '2026-07-06T15:00:00Z'));
    await store.insertPoll(closedPoll('pl-b', '2026-09-07T15:00:00Z'));
    for (let i = 0; i < 6; i++) await store.upsertAnswer('pl-a', `va${i}`, 'public', 'trust', 4);
    for (let i = 0; i < 4; i++) await store.upsertAnswer('pl-b', `vb${i}`, 'third', 'trust', 1);
    const text = textOf((await run({ verb: 'review.pack' }, 'coord'))[0]!);
    expect(text).toContain('Trust: 4 → – (latest median: 6 answered, Mon 6 Jul 2026)');
    // Neither the withheld poll's size nor its date shows.
    expect(text).not.toContain('median: 4 answered');
    expect(text).not.toContain('Sep 2026');
  });

  it('review done continue records the review and sets the next date twelve months on', async () => {
    const [reply] = await run({ verb: 'review.done', decision: 'continue', note: 'Refresh the remit' });
    const saved = (await store.partnership('pt-1'))!;
    expect(saved.lastReviewAt).toBe('2026-10-12T08:00:00.000Z');
    expect(saved.reviewDate).toBe('2027-10-12');
    expect(saved.status).toBe('active');
    expect(textOf(reply!)).toContain('decided to continue. The next review is on Tue 12 Oct 2027');
    expect((await pending('review.reminder')).map((j) => j.step)).toEqual(['2027-10-12:30', '2027-10-12:7', '2027-10-12:1']);
    const audit = await store.db.selectFrom('audit_log').selectAll().execute();
    expect(audit.map((a) => [a.action, JSON.parse(a.detail)])).toEqual([
      ['review.done', { decision: 'continue', nextDate: '2027-10-12', note: 'Refresh the remit' }],
    ]);
  });

  it('review done change takes the next date given', async () => {
    await run({ verb: 'review.done', decision: 'change', nextDate: '2027-04-01' });
    expect((await store.partnership('pt-1'))!.reviewDate).toBe('2027-04-01');
  });

  it('wind-up stops all the partnership’s work and tells its other channels', async () => {
    expect((await pending()).length).toBeGreaterThan(3);
    const [closing] = await run({ verb: 'review.done', decision: 'wind_up', note: 'Job done' });
    const saved = (await store.partnership('pt-1'))!;
    expect(saved.status).toBe('wound_up');
    expect(saved.reviewDate).toBeNull();
    expect(await pending()).toEqual([]);
    expect(textOf(closing!)).toContain('Leith Food has been wound up');
    // The command's own channel gets the reply; the others get the closing message.
    const rows = await outbox();
    expect(rows.map((r) => r.key)).toEqual(['review_wind_up:pt-1:slack:T1:C1']);
    expect(rows[0]!.message).toEqual(closing);
    const audit = await store.db.selectFrom('audit_log').selectAll().execute();
    expect(audit.map((a) => [a.action, JSON.parse(a.detail)])).toEqual([['review.done', { decision: 'wind_up', note: 'Job done' }]]);
  });
});

describe('review reminder job', () => {
  it('sends the chair the reminder with the review pack', async () => {
    clock = new Date('2026-11-13T09:30:00Z');
    await runJob({ kind: 'review.reminder', partnershipId: 'pt-1', ref: 'pt-1', step: '2026-12-15:30', dueAt: '2026-11-13T09:30:00Z' });
    const rows = await outbox();
    expect(rows.map((r) => [r.key, r.target])).toEqual([
      ['review_reminder:pt-1:2026-12-15:30:chair', { kind: 'user', platform: 'local', workspace: 'local', user: 'chair' }],
    ]);
    const text = textOf(rows[0]!.message);
    expect(text).toContain('is on Tue 15 Dec 2026, in 32 days');
    expect(text).toContain('Continue, change, or wind up?');
  });

  it('skips a reminder planned for a review date that has moved', async () => {
    await run({ verb: 'review.set', date: '2027-02-10' });
    clock = new Date('2026-11-13T09:30:00Z');
    await runJob({ kind: 'review.reminder', partnershipId: 'pt-1', ref: 'pt-1', step: '2026-12-15:30', dueAt: '2026-11-13T09:30:00Z' });
    expect(await outbox()).toEqual([]);
  });
});

// Keeps the Repo import honest: the handlers only use the Repo interface.
const _typecheck: (r: Repo) => Repo = (r) => r;
void _typecheck;
