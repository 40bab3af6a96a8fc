// Consultation handlers and jobs against a real (in-memory SQLite) store.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../db/store.ts';
import type { Deps } from '../../src/bot/context.ts';
import { consultationHandlers } from '../../src/bot/handlers/consultation.ts';
import { consultationJobs } from '../../src/bot/jobs/consultation.ts';
import type { Command } from '../../src/domain/command-types.ts';
import type { Member } from '../../src/domain/partnership.ts';
import type { JobKind } from '../../src/domain/ports.ts';
import { directMessagesTo, isoInstant as iso, outbox as storeOutbox, runCommand, runJob as runJobIn, seededStore, testDeps, userErrorMessage as rejects } from '../support/bot.ts';
import { consultation, member, partnership, SLACK_CHANNEL as slackChannel } from '../support/fixtures.ts';
import { messageText as text } from '../support/messages.ts';

const p = partnership();
const ann = member('Ann', { sector: 'public', organisation: 'City Council', roles: ['coordinator', 'member'] });
const bob = member('Bob', { sector: 'public', organisation: 'City Council' });
const cat = member('Cat', { sector: 'third', organisation: 'Food Bank' });
const dev = member('Dev', { sector: 'private', organisation: 'Acme Ltd' });

const NOW = new Date('2026-12-01T10:00:00Z'); // Tue 1 Dec 2026

let store: SqlStore;
let deps: Deps;

beforeEach(async () => {
  store = await seededStore(p, [ann, bob, cat, dev]);
  deps = testDeps(store, NOW);
});

afterEach(async () => {
  await store.close();
});

/** Runs a command as `who` in #general. */
const run = (cmd: Command, who: Member, now: Date = NOW) => runCommand(consultationHandlers, deps, cmd, who, { partnershipId: p.id, now });
const runJob = (kind: JobKind, ref: string, step: string, now: Date) => runJobIn(consultationJobs, deps, { kind, partnershipId: p.id, ref, step }, now);
const outbox = () => storeOutbox(store);
const dmsTo = (user: string) => directMessagesTo(store, user);

const consult = (over: Partial<Extract<Command, { verb: 'consult' }>> = {}): Extract<Command, { verb: 'consult' }> => ({
  verb: 'consult',
  title: 'Housing strategy',
  deadline: '2027-03-19',
  audience: { sectors: ['third'], users: [{ name: 'bob' }, { id: 'dev' }] },
  confirm: false,
  ...over,
});

describe('consult', () => {
  it('opens a consultation, schedules its nudges and posts the announcement to the other channels', async () => {
    const replies = await run(consult({ link: 'https://example.org/housing' }), ann);
    expect(replies).toHaveLength(1); // 15 weeks and more, on a working day: nothing to flag
    expect(replies[0]!.private).toBeFalsy();
    expect(text(replies[0]!)).toContain('Asked: third sector members, Bob and Dev (3)');

    const c = await store.consultation('c-1');
    expect(c).toMatchObject({ title: 'Housing strategy', ownerId: ann.id, status: 'open', link: 'https://example.org/housing' });
    expect(c!.audience).toEqual({ sectors: ['third'], memberIds: [bob.id, dev.id] });

    const jobs = await store.pendingJobs(p.id, 50);
    expect(jobs.filter((j) => j.ref === 'c-1').map((j) => [j.kind, j.step, iso(j.dueAt)])).toEqual([
      ['consultation.nudge', '14', '2027-03-05T09:30:00Z'],
      ['consultation.nudge', '7', '2027-03-12T09:30:00Z'],
      ['consultation.nudge', '2', '2027-03-17T09:30:00Z'],
      ['consultation.nudge', '0', '2027-03-19T09:30:00Z'],
      ['consultation.deadline', 'deadline', '2027-03-20T00:00:00Z'],
    ]);

    const posted = await outbox();
    expect(posted.map((r) => [r.key, r.target])).toEqual([['consult:c-1:slack:T1:C1', { kind: 'channel', ...slackChannel }]]);
  });

  it('flags a short deadline on a public holiday privately to the coordinator, with the evidence', async () => {
    const replies = await run(consult({ deadline: '2026-12-25' }), ann);
    expect(replies).toHaveLength(2);
    expect(replies[1]!.private).toBe(true);
    const note = text(replies[1]!);
    expect(note).toContain("24 days' notice; the partnership's minimum is 12 weeks (UK public-body consultation guidance).");
    expect(note).toContain('public holiday in GB: Christmas Day');
  });

  it('says who is unknown, refuses an empty audience and a past deadline', async () => {
    expect(await rejects(run(consult({ audience: { sectors: [], users: [{ name: 'Zed' }] } }), ann))).toContain('Nobody called "Zed"');
    expect(await rejects(run(consult({ audience: { sectors: [], users: [{ id: 'U999' }] } }), ann))).toContain('not a member of Riverside Partnership');
    expect(await rejects(run(consult({ audience: { sectors: ['community'], users: [] } }), ann))).toContain('no members are in the community yet');
    expect(await rejects(run(consult({ deadline: '2026-11-30' }), ann))).toContain('has already passed');
    expect(await store.consultations(p.id)).toEqual([]);
  });

  it('warns before opening when partners would be overloaded, and opens with confirm', async () => {
    const existing = (id: string, deadline: string) =>
      consultation({ id, title: `Earlier ${id}`, ownerId: ann.id, openedAt: '2026-11-01T00:00:00Z', deadline, audience: { sectors: [], memberIds: [bob.id] } });
    for (const [id, d] of [['c-x', '2027-03-10'], ['c-y', '2027-03-15'], ['c-z', '2027-03-22']] as const) await store.insertConsultation(existing(id, d));

    const refused = await run(consult(), ann);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.private).toBe(true);
    expect(text(refused[0]!)).toContain('Bob would have 4 consultations due between');
    expect(text(refused[0]!)).toContain('City Council (organisation) would have 4');
    const buttons = refused[0]!.blocks.find((bl) => bl.kind === 'buttons');
    expect(buttons?.kind === 'buttons' && buttons.buttons[0]!.action).toEqual({
      type: 'command',
      text: '/partner consult "Housing strategy" by 2027-03-19 to third @bob <@dev> anyway',
    });
    expect(await store.consultation('c-1')).toBeNull();

    const opened = await run(consult({ confirm: true }), ann);
    expect(opened).toHaveLength(2);
    expect(text(opened[1]!)).toContain('Bob would have 4 consultations');
    expect((await store.consultation('c-1'))?.status).toBe('open');
  });
});

describe('respond', () => {
  beforeEach(async () => {
    await run(consult(), ann);
  });

  it('records the answer and confirms privately; a later answer replaces it', async () => {
    const [reply] = await run({ verb: 'respond', consultationId: 'c-1', kind: 'responded' }, cat);
    expect(reply!.private).toBe(true);
    expect(text(reply!)).toContain('you have responded');
    await run({ verb: 'respond', consultationId: 'c-1', kind: 'not_relevant' }, cat);
    expect((await store.responses('c-1')).map((r) => [r.memberId, r.kind])).toEqual([[cat.id, 'not_relevant']]);
  });

  it('tells the coordinators when someone needs more time, with the proposed date', async () => {
    await run({ verb: 'respond', consultationId: 'c-1', kind: 'more_time', proposedDate: '2027-04-16' }, bob);
    const dms = await dmsTo('ann');
    expect(dms.map((r) => r.key)).toEqual(['more_time:c-1:m-bob:2027-04-16:m-ann']);
    expect(text(dms[0]!.message)).toContain('Bob (City Council) needs more time for Housing strategy and proposes Fri 16 Apr 2027 instead of Fri 19 Mar 2027.');
    expect(await rejects(run({ verb: 'respond', consultationId: 'c-1', kind: 'more_time', proposedDate: '2027-03-01' }, bob))).toContain('after the current deadline');
  });

  it('refuses people not asked, unknown ids, and answers after the deadline', async () => {
    expect(await rejects(run({ verb: 'respond', consultationId: 'c-1', kind: 'responded' }, ann))).toContain('You were not asked');
    expect(await rejects(run({ verb: 'respond', consultationId: 'c-404', kind: 'responded' }, cat))).toContain('"c-404"');
    const late = new Date('2027-03-20T00:00:00Z'); // the deadline's day has ended, job not yet run
    expect(await rejects(run({ verb: 'respond', consultationId: 'c-1', kind: 'responded' }, cat, late))).toContain('no longer takes responses');
  });
});

describe('consult.list', () => {
  it('shows coordinators who has not answered, and members only their own items', async () => {
    await run(consult(), ann);
    await run({ verb: 'respond', consultationId: 'c-1', kind: 'responded' }, cat);
    const [forAnn] = await run({ verb: 'consult.list' }, ann);
    expect(text(forAnn!)).toContain('Answered: 1 of 3');
    expect(text(forAnn!)).toContain('Not answered: Bob and Dev');
    const [forCat] = await run({ verb: 'consult.list' }, cat);
    expect(text(forCat!)).toContain('your answer: responded');
    expect(text(forCat!)).not.toContain('Not answered');
  });
});

describe('jobs and feedback', () => {
  beforeEach(async () => {
    await run(consult(), ann);
  });

  it('nudges only those who have not answered at all, once per step', async () => {
    await run({ verb: 'respond', consultationId: 'c-1', kind: 'not_relevant' }, cat);
    const at = new Date('2027-03-12T09:30:00Z');
    await runJob('consultation.nudge', 'c-1', '7', at);
    await runJob('consultation.nudge', 'c-1', '7', at);
    const nudges = (await outbox()).filter((r) => r.key.startsWith('nudge:'));
    expect(nudges.map((r) => r.key).sort()).toEqual(['nudge:c-1:7:m-bob', 'nudge:c-1:7:m-dev']);
    expect(nudges[0]!.message.heading).toBe('Consultation reminder: 7 days left');
  });

  it('at the deadline asks the owner for feedback and plans chases; feedback closes the loop', async () => {
    await run({ verb: 'respond', consultationId: 'c-1', kind: 'responded' }, cat);
    await run({ verb: 'respond', consultationId: 'c-1', kind: 'not_relevant' }, dev);
    expect(await rejects(run({ verb: 'feedback', consultationId: 'c-1', text: 'Done' }, ann))).toContain('post its feedback after the deadline');

    await runJob('consultation.deadline', 'c-1', 'deadline', new Date('2027-03-20T00:00:00Z'));
    expect((await store.consultation('c-1'))?.status).toBe('awaiting_feedback');
    const request = (await dmsTo('ann')).find((r) => r.key === 'feedback_request:c-1:m-ann');
    expect(text(request!.message)).toContain('1 of 3 responded');
    const chases = (await store.pendingJobs(p.id, 50)).filter((j) => j.kind === 'feedback.chase');
    expect(chases.map((j) => [j.step, iso(j.dueAt)])).toEqual([
      ['7', '2027-03-30T08:30:00Z'], // 26 Mar is Good Friday, then the weekend and Easter Monday; now BST
      ['14', '2027-04-02T08:30:00Z'],
    ]);

    await runJob('feedback.chase', 'c-1', '7', new Date('2027-03-30T08:30:00Z'));
    expect((await dmsTo('ann')).map((r) => r.key)).toContain('feedback_chase:c-1:7:m-ann');
    // No more nudges once the deadline has passed.
    await runJob('consultation.nudge', 'c-1', '0', new Date('2027-03-20T09:30:00Z'));
    expect((await outbox()).some((r) => r.key.startsWith('nudge:c-1:0'))).toBe(false);

    const [ok] = await run({ verb: 'feedback', consultationId: 'c-1', text: 'You said <!here> evenings; we moved it to 6pm.' }, ann, new Date('2027-03-31T10:00:00Z'));
    expect(ok!.private).toBe(true);
    expect(text(ok!)).toContain('posted to 2 channels and sent to 1 member who responded');
    const c = await store.consultation('c-1');
    expect(c).toMatchObject({ status: 'closed', feedback: 'You said <!here> evenings; we moved it to 6pm.', feedbackAt: '2027-03-31T10:00:00.000Z' });
    expect((await store.pendingJobs(p.id, 50)).some((j) => j.kind === 'feedback.chase')).toBe(false);
    const posts = (await outbox()).filter((r) => r.key.startsWith('feedback:c-1'));
    expect(posts.map((r) => r.key).sort()).toEqual(['feedback:c-1:local:local:general', 'feedback:c-1:m-cat', 'feedback:c-1:slack:T1:C1']);
    expect(posts[0]!.message.heading).toBe('You said, we did');

    // A later chase finds nothing owed; a correction goes out marked as updated.
    await runJob('feedback.chase', 'c-1', '14', new Date('2027-04-02T08:30:00Z'));
    expect((await outbox()).some((r) => r.key.startsWith('feedback_chase:c-1:14'))).toBe(false);
    await run({ verb: 'feedback', consultationId: 'c-1', text: 'Correction: 6.30pm.' }, ann, new Date('2027-04-01T10:00:00Z'));
    const updates = (await outbox()).filter((r) => r.key.startsWith('feedback:c-1:update:'));
    expect(updates).toHaveLength(3);
    expect(updates[0]!.message.heading).toBe('You said, we did (updated)');
  });
});
