// Partners' data is theirs (UK GDPR), on SQLite and PostgreSQL: export me, forget me, export and
// delete a partnership, and retention of poll answers, through the real command runner.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOBS } from '../../src/bot/app.ts';
import type { Deps, JobContext } from '../../src/bot/context.ts';
import type { TestStore } from '../../db/testing.ts';
import type { Message } from '../../src/domain/message.ts';
import type { PersonalExport } from '../../src/domain/privacy.ts';
import { poll as fixturePoll } from '../support/fixtures.ts';
import { A_GENERAL, B_CHANNEL, DIALECTS, IDS, actor, dumpAll, local, rowCounts, runner, seedTwoPartnerships, testDeps, texts } from './support.ts';

const ZEPH = 'Zephyrine Quill';
const ZEPH_ORG = 'Quill Associates';
const ZEPH_COMMENT = 'zephyrine thinks the chair talks too much';

function fileOf(replies: Message[]): unknown {
  const file = replies.flatMap((m) => m.blocks).find((bl) => bl.kind === 'file');
  if (!file || file.kind !== 'file' || file.content === undefined) throw new Error(`no file in:\n${texts(replies)}`);
  expect(file.mime).toBe('application/json');
  return JSON.parse(file.content);
}

describe.each(DIALECTS)('data rights on $name', ({ open }) => {
  let t: TestStore;
  let deps: Deps;
  let newPoll: string;
  const as = (user: string, text: string, channel = A_GENERAL) => runner(deps).runCommand(actor(local(user), channel), text);

  beforeEach(async () => {
    t = await open();
    await seedTwoPartnerships(t.store);
    deps = testDeps(t.store);
    // Zephyrine joins A and B with the same chat identity, answers a consultation in each, takes part
    // in A's first poll (which then closes) and in A's next one (still open); not in B's poll.
    await as('zeph', `/partner join third "${ZEPH_ORG}" name="${ZEPH}"`);
    await as('zeph', `/partner join third "${ZEPH_ORG}" name="${ZEPH}"`, B_CHANNEL);
    await as('zeph', `/partner respond ${IDS.a.open} more-time 2027-05-15`);
    await as('zeph', `/partner respond ${IDS.b.open} done`, B_CHANNEL);
    await as('mem', `/partner respond ${IDS.a.open} done`);
    for (const u of ['coord', 'chair', 'mem']) await as(u, '/partner pulse answer trust=4 openness=2');
    await as('zeph', `/partner pulse answer trust=1 openness=5 comment="${ZEPH_COMMENT}"`);
    await as('coord', '/partner pulse close');
    await as('coord', '/partner pulse start short');
    newPoll = (await t.store.polls('pt-a', 'open'))[0]!.id;
    await as('zeph', '/partner pulse answer trust=2');
    await as('coord', '/partner role @Chair chair,coordinator');
  });

  afterEach(async () => {
    await t.dispose();
  });

  describe('export me', () => {
    it('gives a person their memberships, consultation answers and which polls they took part in, only to them', async () => {
      const replies = await as('zeph', '/partner export me');
      expect(replies).toHaveLength(1);
      expect(replies[0]!.private).toBe(true);
      const data = fileOf(replies) as PersonalExport;
      expect(data.identity).toEqual(local('zeph'));
      expect(data.memberships.map((m) => m.partnership.id).sort()).toEqual(['pt-a', 'pt-b']);
      const a = data.memberships.find((m) => m.partnership.id === 'pt-a')!;
      expect(a.member).toMatchObject({ name: ZEPH, organisation: ZEPH_ORG, sector: 'third', roles: ['member'] });
      expect(a.consultationAnswers).toEqual([expect.objectContaining({ consultationId: IDS.a.open, answer: 'more_time', proposedDate: '2027-05-15' })]);
      expect(a.pollsTakenPart.map((x) => x.pollId).sort()).toEqual([IDS.a.poll, newPoll].sort());
      const b = data.memberships.find((m) => m.partnership.id === 'pt-b')!;
      expect(b.consultationAnswers.map((x) => x.consultationId)).toEqual([IDS.b.open]);
      expect(b.pollsTakenPart).toEqual([]);
    });

    it('never says what they answered in a poll, nor anyone else’s anything', async () => {
      const json = JSON.stringify(fileOf(await as('zeph', '/partner export me')));
      expect(json).not.toMatch(/"(score|answers|trust|openness|comment|voter_?hash)"/i);
      expect(json).not.toContain(ZEPH_COMMENT);
      for (const other of ['Coord', 'Chair', 'Mem', 'BCoord']) expect(json).not.toContain(`"${other}"`);
    });

    it('tells a stranger that nothing is held about them', async () => {
      const data = fileOf(await as('stranger', '/partner export me')) as PersonalExport;
      expect(data.memberships).toEqual([]);
    });
  });

  describe('forget me', () => {
    it('without confirm only says what would go, and changes nothing', async () => {
      const before = await rowCounts(t.store);
      const replies = await as('zeph', '/partner forget me');
      expect(texts(replies)).toContain('forget me confirm');
      expect(await rowCounts(t.store)).toEqual(before);
    });

    it('erases the person everywhere and keeps only anonymous aggregates', async () => {
      const ballotsBefore = await t.store.ballotCount(IDS.a.poll);
      const before = await dumpAll(t.store);
      expect(before).toContain(ZEPH);
      // Her ballot in the open poll and her participation in the closed one are findable by her keyed hash…
      expect(before).toContain(deps.voterHash(newPoll, 'm-xxxxxxx1'));
      expect(before).toContain(deps.voterHash(IDS.a.poll, 'm-xxxxxxx1'));
      const replies = await as('zeph', '/partner forget me confirm');
      expect(texts(replies)).toContain('your personal data is erased');

      const dump = await dumpAll(t.store);
      // No name, organisation or chat identity left anywhere, in any table (outbox included).
      expect(dump).not.toContain(ZEPH);
      expect(dump).not.toContain(ZEPH_ORG);
      expect(dump).not.toMatch(/"zeph"/);
      expect(await t.store.membersByIdentity(local('zeph'))).toEqual([]);
      // …and afterwards nothing links a ballot or a participation to her, even with the server secret.
      for (const pollId of [IDS.a.poll, newPoll, IDS.b.poll]) {
        for (const id of ['m-xxxxxxx1', 'm-xxxxxxx2']) expect(dump).not.toContain(deps.voterHash(pollId, id)); // her two member ids
      }
      // Anonymous aggregates stay: the closed poll still counts their ballot, consultations their response.
      expect(await t.store.ballotCount(IDS.a.poll)).toBe(ballotsBefore);
      expect(await t.store.ballotCount(newPoll)).toBe(1);
      expect(dump).toContain(ZEPH_COMMENT); // the anonymous comment is part of the published results
      expect(dump).toMatch(/consultation_tallies: \[[^\]]*more_time/);
      expect((await t.store.responses(IDS.a.open)).map((r) => r.memberId)).toEqual(['m-mem']);
      // Recorded, without saying who.
      const audit = texts(await as('coord', '/partner audit'));
      expect(audit).toContain('a member asked to be forgotten');
    });

    it('is refused to the only coordinator, who must hand over first', async () => {
      const before = await rowCounts(t.store);
      const replies = await as('bcoord', '/partner forget me confirm', B_CHANNEL);
      expect(texts(replies)).toContain('You are the only coordinator of Hillside Partnership');
      expect(await rowCounts(t.store)).toEqual(before);
    });
  });

  describe('a partnership’s data', () => {
    it('export partnership: members, consultations with responses, published results only, audit', async () => {
      const data = fileOf(await as('coord', '/partner export partnership')) as Record<string, any>;
      expect(data.partnership.id).toBe('pt-a');
      expect(data.members.map((m: { name: string }) => m.name)).toContain(ZEPH);
      expect(data.consultations.find((c: { id: string }) => c.id === IDS.a.open).responses).toHaveLength(2);
      const closed = data.polls.find((p: { id: string }) => p.id === IDS.a.poll);
      expect(closed.results).toMatchObject({ respondents: 4, shown: false }); // 4 < k = 5: only the count
      expect(data.polls.find((p: { id: string }) => p.id === newPoll).results).toBeNull(); // open: nothing
      expect(data.audit.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['pulse.close', 'pulse.start', 'role']));
      const json = JSON.stringify(data);
      expect(json).not.toMatch(/voter_?hash|sealed:/i);
      expect(json).not.toContain(ZEPH_COMMENT); // withheld with the results (fewer than 5 answered)
    });

    it('delete partnership: without confirm nothing changes; with it, every trace of A goes and B is untouched', async () => {
      const before = await rowCounts(t.store);
      expect(texts(await as('coord', '/partner delete partnership'))).toContain('delete partnership confirm');
      expect(await rowCounts(t.store)).toEqual(before);

      const bBefore = JSON.stringify([await t.store.members('pt-b'), await t.store.consultations('pt-b'), await t.store.polls('pt-b'), await t.store.channels('pt-b')]);
      const replies = await as('coord', '/partner delete partnership confirm');
      expect(texts(replies)).toContain('has been deleted by a coordinator');
      expect(await t.store.partnership('pt-a')).toBeNull();
      const dump = await dumpAll(t.store);
      for (const gone of [IDS.a.open, IDS.a.poll, newPoll, 'm-coord', 'm-chair', 'm-mem', 'Riverside Partnership"', ZEPH_COMMENT]) {
        // Only the one audit entry of the deletion (and the notice to A's other channel) may remain.
        expect(dump.split('\n').filter((line) => !line.startsWith('audit_log') && !line.startsWith('outbox')).join('\n')).not.toContain(gone);
      }
      expect(JSON.stringify([await t.store.members('pt-b'), await t.store.consultations('pt-b'), await t.store.polls('pt-b'), await t.store.channels('pt-b')])).toBe(bBefore);
      const outbox = await t.store.dueOutbox('2100-01-01T00:00:00Z', 100);
      expect(outbox.filter((r) => r.partnershipId === 'pt-a')).toEqual([]);
      expect(outbox.map((r) => r.target)).toContainEqual({ kind: 'channel', platform: 'slack', workspace: 'T1', channel: 'C1' });
      expect(dump).toMatch(/audit_log: .*delete\.partnership/);
    });
  });

  describe('retention', () => {
    it('with the weekly digest, answers to polls closed over 24 months ago become their published results; newer ones stay', async () => {
      const now = new Date('2027-01-04T09:00:00Z');
      const old = fixturePoll({ id: 'p-oooooooo', partnershipId: 'pt-a', openedAt: '2024-11-01T10:00:00.000Z', closesAt: '2024-11-08T09:30:00.000Z', k: 3 });
      const recent = fixturePoll({ id: 'p-rrrrrrrr', partnershipId: 'pt-a', openedAt: '2025-03-01T10:00:00.000Z', closesAt: '2025-03-08T09:30:00.000Z', k: 3 });
      for (const p of [old, recent]) {
        await t.store.insertPoll(p);
        for (const [i, v] of ['v1', 'v2', 'v3'].entries()) await t.store.upsertAnswer(p.id, `sealed:${v}`, 'public', 'trust', i + 2);
        for (const v of ['v1', 'v2', 'v3']) await t.store.addComment(p.id, `comment ${v}`);
      }
      const job = { id: 'j-digest', kind: 'digest' as const, partnershipId: 'pt-a', ref: 'pt-a', step: '2027-01-04', dueAt: now.toISOString() };
      await t.store.transaction(async (tx) => {
        const ctx: JobContext = { deps, tx, now, job, partnership: (await tx.partnership('pt-a'))! };
        await JOBS.digest!(ctx);
      });
      expect(await t.store.ballotCount(old.id)).toBe(0);
      expect(await t.store.comments(old.id)).toEqual([]);
      expect(await t.store.ballotCount(recent.id)).toBe(3);
      const dump = await dumpAll(t.store);
      expect(dump).toMatch(/poll_summaries: \[\{"poll_id":"p-oooooooo","respondents":3/);
      // The partnership export still carries what the old poll published.
      const data = fileOf(await as('coord', '/partner export partnership')) as Record<string, any>;
      expect(data.polls.find((p: { id: string }) => p.id === old.id).results).toMatchObject({ respondents: 3, shown: true, blocks: [{ block: 'trust', count: 3, median: 3 }] });
    });
  });
});
