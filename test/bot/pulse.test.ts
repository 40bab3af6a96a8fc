// Pulse handlers and jobs against a real (in-memory SQLite) store.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../db/store.ts';
import type { Deps } from '../../src/bot/context.ts';
import { pulseHandlers } from '../../src/bot/handlers/pulse.ts';
import { pulseJobs } from '../../src/bot/jobs/pulse.ts';
import type { Command } from '../../src/domain/command-types.ts';
import type { ChannelRef, Member } from '../../src/domain/partnership.ts';
import type { JobKind } from '../../src/domain/ports.ts';
import { isoInstant as iso, outbox as storeOutbox, runCommand, runJob as runJobIn, seededStore, testDeps, userErrorMessage as rejects } from '../support/bot.ts';
import { member, partnership, SLACK_CHANNEL as slackChannel } from '../support/fixtures.ts';
import { messageText as text } from '../support/messages.ts';

const p = partnership();
const ann = member('Ann', { sector: 'public', roles: ['coordinator', 'member'] });
const bob = member('Bob', { sector: 'public' });
const cat = member('Cat', { sector: 'third' });
const dev = member('Dev', { sector: 'private' });
const eve = member('Eve', { sector: 'third' });
const fay = member('Fay', { sector: 'community' });
const gus = member('Gus', { sector: 'public' });
const everyone = [ann, bob, cat, dev, eve, fay, gus];

const NOW = new Date('2026-12-01T10:00:00Z'); // Tue 1 Dec 2026; the poll closes Mon 7 Dec 09:30
const LATER = new Date('2026-12-02T10:00:00Z');

let store: SqlStore;
let deps: Deps;

beforeEach(async () => {
  store = await seededStore(p, everyone);
  deps = testDeps(store, NOW);
});

afterEach(async () => {
  await store.close();
});

/** Runs a command as `who` in #general (or, with `channel: null`, a direct message). */
const run = (cmd: Command, who: Member, opts: { now?: Date; channel?: ChannelRef | null } = {}) =>
  runCommand(pulseHandlers, deps, cmd, who, { partnershipId: p.id, ...opts });
const runJob = (kind: JobKind, ref: string, step: string, now: Date) => runJobIn(pulseJobs, deps, { kind, partnershipId: p.id, ref, step }, now);
const outbox = () => storeOutbox(store);

const start = (over: Partial<Extract<Command, { verb: 'pulse.start' }>> = {}): Command => ({ verb: 'pulse.start', form: 'full', ...over });
const answer = (pollId: string | undefined, answers: Extract<Command, { verb: 'pulse.answer' }>['answers'], comment?: string): Command =>
  comment === undefined ? { verb: 'pulse.answer', pollId, answers } : { verb: 'pulse.answer', pollId, answers, comment };

describe('pulse start', () => {
  it('opens one poll with k fixed, schedules its reminder and close, and posts it to the other channels', async () => {
    const [reply, ...rest] = await run(start(), ann);
    expect(rest).toEqual([]);
    expect(reply!.private).toBeFalsy();
    expect(reply!.blocks.filter((b) => b.kind === 'choice')).toHaveLength(6);
    expect(text(reply!)).toContain('Poll p-1 closes Mon 7 Dec 2026 at 09:30.');

    expect(await store.poll('p-1')).toMatchObject({ partnershipId: p.id, form: 'full', status: 'open', k: 5, createdBy: ann.id });
    const jobs = (await store.pendingJobs(p.id, 50)).filter((j) => j.ref === 'p-1');
    expect(jobs.map((j) => [j.kind, j.step, iso(j.dueAt)])).toEqual([
      ['pulse.reminder', 'reminder', '2026-12-04T09:30:00Z'],
      ['pulse.close', 'close', '2026-12-07T09:30:00Z'],
    ]);
    const posted = await outbox();
    expect(posted.map((r) => [r.key, r.target])).toEqual([['poll:p-1:slack:T1:C1', { kind: 'channel', ...slackChannel }]]);
  });

  it('runs one poll at a time, naming the open one', async () => {
    await run(start({ form: 'short', days: 3 }), ann);
    expect(await rejects(run(start(), ann))).toMatch(/^Poll p-1 is still open \(it closes Fri 4 Dec 2026 at 09:30\)/);
  });

  it('posts to every channel when started from a direct message', async () => {
    await run(start(), ann, { channel: null });
    expect((await outbox()).map((r) => r.key).sort()).toEqual(['poll:p-1:local:local:general', 'poll:p-1:slack:T1:C1']);
  });
});

describe('answering and results', () => {
  it('6 voters: results are shown after the close, to every channel, with the comment', async () => {
    await run(start(), ann);
    const scores = [4, 4, 5, 3, 2, 4];
    for (const [i, who] of [ann, bob, cat, dev, eve, fay].entries()) {
      const replies = await run(answer('p-1', { trust: scores[i]!, openness: 3 }, i === 0 ? 'More notice, please' : undefined), who, { now: LATER });
      expect(replies).toHaveLength(1);
      expect(replies[0]!.private).toBe(true);
      expect(text(replies[0]!)).toContain(`Recorded anonymously: Trust ${scores[i]}, Openness 3.`);
    }
    // While open: only the count, never numbers.
    const [open] = await run({ verb: 'results', bySector: false }, bob, { now: LATER });
    expect(text(open!)).toContain('6 answered so far; results after it closes Mon 7 Dec 2026 at 09:30');
    expect(open!.blocks.some((b) => b.kind === 'bars')).toBe(false);

    const [closed] = await run({ verb: 'pulse.close' }, ann, { now: LATER });
    const shown = text(closed!);
    expect(shown).toContain('6 answered the full poll that closed Wed 2 Dec 2026 at 10:00.');
    expect(shown).toContain('6 answered · median 4 ·');
    expect(shown).toContain('More notice, please');
    // Only trust and openness were answered: the other blocks are withheld.
    expect(shown).toContain('Continuity: not shown, because fewer than 5 people answered this question.');
    const bars = closed!.blocks.find((b) => b.kind === 'bars');
    expect(bars && bars.kind === 'bars' && bars.bars.map((x) => x.count)).toEqual([0, 1, 1, 3, 1]);

    expect((await store.poll('p-1'))!.status).toBe('closed');
    expect((await store.pendingJobs(p.id, 50)).filter((j) => j.ref === 'p-1')).toEqual([]);
    const results = (await outbox()).filter((r) => r.key.startsWith('results:'));
    expect(results.map((r) => r.key)).toEqual(['results:p-1:slack:T1:C1']);
    expect(results[0]!.message).toEqual(closed);

    // `results` afterwards shows the same numbers, privately.
    const [again] = await run({ verb: 'results', bySector: true }, gus, { now: LATER });
    expect(again!.private).toBe(true);
    expect(text(again!)).toContain('6 answered · median 4 ·');
    expect(text(again!)).toContain('A breakdown by sector appears only when every sector that answered has at least 5 answers');
  });

  it('4 voters: after the close only the count shows, with no numbers and no comments', async () => {
    await run(start(), ann);
    for (const who of [ann, bob, cat, dev]) await run(answer('p-1', { trust: 5 }, 'a secret'), who, { now: LATER });
    const [closed] = await run({ verb: 'pulse.close', pollId: 'p-1' }, ann, { now: LATER });
    const shown = text(closed!);
    expect(shown).toContain('4 answered; results need at least 5, so none are shown, and no comments either.');
    expect(shown).not.toMatch(/median|a secret/);
    expect(closed!.blocks.some((b) => b.kind === 'bars')).toBe(false);
  });

  it('answering again replaces the earlier answer, it does not add one', async () => {
    await run(start(), ann);
    await run(answer(undefined, { trust: 1 }), bob, { now: LATER });
    const [second] = await run(answer(undefined, { trust: 5, respect: 2 }), bob, { now: LATER });
    expect(text(second!)).toContain('replaces your earlier one; it is not counted twice');
    expect(await store.ballotCount('p-1')).toBe(1);
    expect(await store.ballots('p-1')).toEqual([{ sector: 'public', answers: { trust: 5, respect: 2 } }]);
  });

  it('stores no member id with an answer: only the keyed hash', async () => {
    await run(start(), ann);
    await run(answer('p-1', { trust: 3 }), bob, { now: LATER });
    expect(await store.hasVoted('p-1', deps.voterHash('p-1', bob.id))).toBe(true);
    expect(await store.hasVoted('p-1', bob.id)).toBe(false);
    expect(await store.hasVoted('p-1', deps.voterHash('p-1', cat.id))).toBe(false);
  });

  it('refuses answers to a closed poll, for unasked blocks, and from non-members', async () => {
    await run(start({ form: 'short' }), ann);
    expect(await rejects(run(answer('p-1', { respect: 3 }), bob, { now: LATER }))).toContain('does not ask about respect');
    const stranger = member('Zed', { sector: 'public', partnershipId: 'pt-other' });
    expect(await rejects(run(answer('p-1', { trust: 3 }), stranger, { now: LATER }))).toContain('not a member');
    await run({ verb: 'pulse.close' }, ann, { now: LATER });
    expect(await rejects(run(answer('p-1', { trust: 3 }), bob, { now: LATER }))).toContain('takes no more answers');
    expect(await rejects(run(answer(undefined, { trust: 3 }), bob, { now: LATER }))).toBe('No pulse poll is open in Riverside Partnership right now.');
    expect(await rejects(run({ verb: 'pulse.close', pollId: 'p-1' }, ann, { now: LATER }))).toContain('closed already');
    expect(await rejects(run({ verb: 'results', pollId: 'p-9', bySector: false }, bob))).toContain('There is no poll p-9');
  });

  it('says when there are no polls yet', async () => {
    expect(await rejects(run({ verb: 'results', bySector: false }, bob))).toContain('has not run a pulse poll yet');
  });
});

describe('pulse jobs', () => {
  it('reminds only members who have not answered', async () => {
    await run(start(), ann);
    await run(answer('p-1', { trust: 4 }), bob, { now: LATER });
    await run(answer('p-1', { openness: 2 }), cat, { now: LATER });
    await runJob('pulse.reminder', 'p-1', 'reminder', new Date('2026-12-04T09:30:00Z'));
    const dms = (await outbox()).filter((r) => r.target.kind === 'user');
    expect(dms.map((r) => r.key).sort()).toEqual(
      [ann, dev, eve, fay, gus].map((m) => `pulse_reminder:p-1:${m.id}`).sort(),
    );
    expect(dms.map((r) => (r.target.kind === 'user' ? r.target.user : ''))).not.toContain('bob');
    expect(dms[0]!.message.heading).toBe('Reminder: the pulse poll closes Mon 7 Dec 2026 at 09:30');
    expect(dms[0]!.message.blocks.filter((b) => b.kind === 'choice')).toHaveLength(6);
  });

  it('closes at closesAt and posts the results to every channel', async () => {
    await run(start(), ann);
    for (const who of [ann, bob, cat, dev, eve]) await run(answer('p-1', { trust: 4 }), who, { now: LATER });
    await runJob('pulse.close', 'p-1', 'close', new Date('2026-12-07T09:30:00Z'));
    expect(await store.poll('p-1')).toMatchObject({ status: 'closed' });
    expect(iso((await store.poll('p-1'))!.closesAt)).toBe('2026-12-07T09:30:00Z');
    const rows = (await outbox()).filter((r) => r.key.startsWith('results:'));
    expect(rows.map((r) => r.key).sort()).toEqual(['results:p-1:local:local:general', 'results:p-1:slack:T1:C1']);
    expect(text(rows[0]!.message)).toContain('5 answered the full poll');
    // The reminder was dropped with the close; a second close does nothing.
    expect((await store.pendingJobs(p.id, 50)).filter((j) => j.kind === 'pulse.reminder')).toEqual([]);
    await runJob('pulse.close', 'p-1', 'close', new Date('2026-12-07T09:31:00Z'));
    expect((await outbox()).filter((r) => r.key.startsWith('results:'))).toHaveLength(2);
  });

  it('starts the monthly poll as the scheduler, posts it everywhere and plans next month', async () => {
    await runJob('pulse.auto', p.id, '2026-12', NOW);
    expect(await store.poll('p-1')).toMatchObject({ form: 'full', status: 'open', createdBy: 'scheduler' });
    expect((await outbox()).map((r) => r.key).sort()).toEqual(['poll:p-1:local:local:general', 'poll:p-1:slack:T1:C1']);
    const auto = (await store.pendingJobs(p.id, 50)).filter((j) => j.kind === 'pulse.auto');
    expect(auto.map((j) => [j.step, iso(j.dueAt)])).toEqual([['2027-01', '2027-01-04T09:30:00Z']]);
  });

  it('skips the monthly poll while one is open, but still plans the next', async () => {
    await run(start({ form: 'short' }), ann);
    await runJob('pulse.auto', p.id, '2026-12', LATER);
    expect(await store.polls(p.id)).toHaveLength(1);
    expect((await store.pendingJobs(p.id, 50)).filter((j) => j.kind === 'pulse.auto').map((j) => j.step)).toEqual(['2027-01']);
  });
});
