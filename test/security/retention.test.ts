// Retention per partnership, on SQLite and PostgreSQL: a coordinator sets how many months poll answers
// and consultation responses are kept (audited; others are refused, bad values too); one scheduler
// run reduces each partnership's old answers by its own period; what stays of a consultation (counts
// by sector) keeps the review pack's history, and export, forget and delete stay right around it.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, sqlOf } from '../../db/privacy-store.ts';
import type { TestStore } from '../../db/testing.ts';
import { JOBS } from '../../src/bot/app.ts';
import type { Deps } from '../../src/bot/context.ts';
import { loadReviewPackInput } from '../../src/bot/handlers/review.ts';
import { createScheduler } from '../../src/bot/scheduler.ts';
import type { Message } from '../../src/domain/message.ts';
import type { PersonalExport } from '../../src/domain/privacy.ts';
import { reviewFigures } from '../../src/domain/review.ts';
import { consultation, poll } from '../support/fixtures.ts';
import { A_GENERAL, B_CHANNEL, DIALECTS, actor, dumpAll, local, rowCounts, runner, seedTwoPartnerships, testDeps, texts } from './support.ts';

/** Monday 4 January 2027, before the digest hour. */
const RUN = new Date('2027-01-04T09:00:00Z');
/** Each partnership's old consultation: opened in January 2026, due 30 January 2026 (11 months before RUN). */
const OLD = { a: 'c-aaaaold1', b: 'c-bbbbold1' } as const;
/** An old poll in each, closed 10 January 2026; and a recent one in A, closed 1 November 2026. */
const OLD_POLL = { a: 'p-aaaaold1', b: 'p-bbbbold1' } as const;
const RECENT_POLL = 'p-aaaanew1';

function fileOf(replies: Message[]): any {
  const file = replies.flatMap((m) => m.blocks).find((bl) => bl.kind === 'file');
  if (!file || file.kind !== 'file' || file.content === undefined) throw new Error(`no file in:\n${texts(replies)}`);
  return JSON.parse(file.content);
}

describe.each(DIALECTS)('retention per partnership on $name', ({ open }) => {
  let t: TestStore;
  let deps: Deps;
  let clock: Date;
  const as = (user: string, text: string, channel = A_GENERAL) => runner(deps).runCommand(actor(local(user), channel), text);

  /** One scheduler run: each partnership's weekly digest (with retention) due at `at`, in one tick. */
  async function retentionRun(at: Date): Promise<void> {
    clock = at;
    const step = `retention-test-${at.toISOString()}`;
    await t.store.scheduleJobs(['pt-a', 'pt-b'].map((id) => ({ kind: 'digest' as const, partnershipId: id, ref: id, step, dueAt: at.toISOString() })));
    const report = await createScheduler(deps, JOBS, { owner: 'retention-test' }).tick(at);
    expect(report.failed).toBe(0);
    expect(report.ran).toBeGreaterThanOrEqual(2);
  }

  async function summaryRows(): Promise<{ consultation_id: string; asked: number; answered: number; summary: string }[]> {
    const rows = await sqlOf(t.store).selectFrom('consultation_summaries').select(['consultation_id', 'asked', 'answered', 'summary']).orderBy('consultation_id').execute();
    return rows.map((r) => ({ ...r, asked: Number(r.asked), answered: Number(r.answered) }));
  }

  beforeEach(async () => {
    t = await open();
    clock = RUN;
    await seedTwoPartnerships(t.store);
    deps = testDeps(t.store, { now: () => clock });
    // A (Coord public, Chair third, Mem private) and B (BCoord public) each have an old consultation,
    // closed with feedback, and an old closed poll; A also has a recent poll.
    for (const [x, p, owner] of [['a', 'pt-a', 'm-coord'], ['b', 'pt-b', 'm-bcoord']] as const) {
      await t.store.insertConsultation(
        consultation({ id: OLD[x], partnershipId: p, ownerId: owner, title: `Old budget ${x}`, openedAt: '2026-01-05T09:00:00Z', deadline: '2026-01-30', status: 'closed', feedback: 'We kept it.', feedbackAt: '2026-02-10T10:00:00Z' }),
      );
      await t.store.insertPoll(poll({ id: OLD_POLL[x], partnershipId: p, form: 'short', openedAt: '2026-01-05T10:00:00.000Z', closesAt: '2026-01-10T09:30:00.000Z', k: 3, createdBy: owner }));
    }
    await t.store.insertPoll(poll({ id: RECENT_POLL, partnershipId: 'pt-a', form: 'short', openedAt: '2026-10-25T10:00:00.000Z', closesAt: '2026-11-01T09:30:00.000Z', k: 3, createdBy: 'm-coord' }));
    for (const id of [OLD_POLL.a, OLD_POLL.b, RECENT_POLL]) {
      for (const [i, v] of ['v1', 'v2', 'v3'].entries()) await t.store.upsertAnswer(id, `sealed:${v}`, 'public', 'trust', i + 2);
    }
    // Two answers on time (responded, need more time), one after the deadline's day ended (not relevant).
    await t.store.upsertResponse({ consultationId: OLD.a, memberId: 'm-coord', kind: 'responded', proposedDate: null, at: '2026-01-10T10:00:00.000Z' });
    await t.store.upsertResponse({ consultationId: OLD.a, memberId: 'm-chair', kind: 'more_time', proposedDate: '2026-02-20', at: '2026-01-20T10:00:00.000Z' });
    await t.store.upsertResponse({ consultationId: OLD.a, memberId: 'm-mem', kind: 'not_relevant', proposedDate: null, at: '2026-01-31T12:00:00.000Z' });
    await t.store.upsertResponse({ consultationId: OLD.b, memberId: 'm-bcoord', kind: 'responded', proposedDate: null, at: '2026-01-12T10:00:00.000Z' });
  });

  afterEach(async () => {
    await t.dispose();
  });

  describe('the setting', () => {
    it('is 24 months by default, shown in status; a coordinator changes it, audited with the period it replaced', async () => {
      expect((await t.store.partnership('pt-a'))!.retentionMonths).toBe(24);
      expect(texts(await as('coord', '/partner status'))).toContain('Answers kept: 24 months after closing');
      const replies = await as('coord', '/partner settings retention=6');
      expect(replies.some((m) => m.error)).toBe(false);
      expect(replies[0]!.private).toBe(true);
      expect(texts(replies)).toContain('now kept 6 months after closing');
      expect(texts(replies)).toContain('reduced at the next retention run');
      expect((await t.store.partnership('pt-a'))!.retentionMonths).toBe(6);
      expect((await t.store.partnership('pt-b'))!.retentionMonths).toBe(24);
      const [entry] = await auditLog(sqlOf(t.store), 'pt-a', 1);
      expect(entry).toMatchObject({ partnershipId: 'pt-a', actorId: 'm-coord', action: 'settings', at: RUN.toISOString() });
      expect(JSON.parse(entry!.detail)).toEqual({ retentionMonths: 6, previousRetentionMonths: 24 });
      expect(texts(await as('coord', '/partner audit 1'))).toMatch(/Coord · changed settings · .*"retentionMonths":6,"previousRetentionMonths":24/);
      expect(texts(await as('coord', '/partner status'))).toContain('Answers kept: 6 months after closing');
      // Years are months too, and a longer period says nothing comes back.
      expect(texts(await as('coord', '/partner settings retention=2y'))).toContain('What was already reduced stays reduced');
      expect((await t.store.partnership('pt-a'))!.retentionMonths).toBe(24);
    });

    it.each([
      ['retention=0', 'retention can be from 1 to 120 months (you gave 0 months)'],
      ['retention=121', 'retention can be from 1 to 120 months (you gave 121 months)'],
      ['retention=forever', 'a whole number from 1 to 120 months'],
      ['retention=-3', 'a whole number from 1 to 120 months (or years, like 2y), not "-3"'],
    ])('refuses %s with a clear message and changes nothing', async (setting, error) => {
      const before = await rowCounts(t.store);
      const replies = await as('coord', `/partner settings ${setting}`);
      expect(replies.some((m) => m.error)).toBe(true);
      expect(texts(replies)).toContain(error);
      expect(texts(replies)).not.toMatch(/\bat \w+ \(|Error:/); // no stack trace
      expect(await rowCounts(t.store)).toEqual(before);
      expect((await t.store.partnership('pt-a'))!.retentionMonths).toBe(24);
    });

    it.each(['mem', 'chair'])('is refused to %s (not a coordinator), with nothing changed or audited', async (user) => {
      const before = await rowCounts(t.store);
      const replies = await as(user, '/partner settings retention=1');
      expect(texts(replies)).toContain('Only a coordinator can change the settings.');
      expect(await rowCounts(t.store)).toEqual(before);
      expect((await t.store.partnership('pt-a'))!.retentionMonths).toBe(24);
    });

    it('cannot be stored outside 1 to 120 months, even bypassing the command', async () => {
      const p = (await t.store.partnership('pt-a'))!;
      await expect(t.store.updatePartnership({ ...p, retentionMonths: 0 })).rejects.toThrow();
      await expect(t.store.updatePartnership({ ...p, retentionMonths: 121 })).rejects.toThrow();
      expect((await t.store.partnership('pt-a'))!.retentionMonths).toBe(24);
    });
  });

  describe('the retention run', () => {
    it('uses each partnership’s own period in one run, and a shortened period applies at the next run', async () => {
      // Both at 24 months: nothing of January 2026 is due yet.
      await retentionRun(RUN);
      expect(await summaryRows()).toEqual([]);
      expect(await t.store.ballotCount(OLD_POLL.a)).toBe(3);

      clock = new Date('2027-01-05T10:00:00Z');
      expect(texts(await as('coord', '/partner settings retention=6'))).toContain('Settings saved');
      // Not before the run: the setting alone deletes nothing.
      expect(await t.store.responses(OLD.a)).toHaveLength(3);

      await retentionRun(new Date('2027-01-11T09:00:00Z'));
      // A (6 months): the old consultation's responses and the old poll's answers are gone, counts stay.
      expect(await t.store.responses(OLD.a)).toEqual([]);
      expect(await t.store.ballotCount(OLD_POLL.a)).toBe(0);
      expect((await summaryRows()).map((r) => [r.consultation_id, r.asked, r.answered])).toEqual([[OLD.a, 3, 3]]);
      expect(await dumpAll(t.store)).toMatch(/poll_summaries: \[\{"poll_id":"p-aaaaold1","respondents":3/);
      // …while its records stay, and what is within 6 months is untouched.
      expect(await t.store.consultation(OLD.a)).toMatchObject({ title: 'Old budget a', status: 'closed', feedback: 'We kept it.' });
      expect(await t.store.ballotCount(RECENT_POLL)).toBe(3);
      // B (24 months): the same ages, kept.
      expect((await t.store.responses(OLD.b)).map((r) => r.memberId)).toEqual(['m-bcoord']);
      expect(await t.store.ballotCount(OLD_POLL.b)).toBe(3);

      // A later run changes nothing more; lengthening the period does not bring anything back.
      await as('coord', '/partner settings retention=120');
      const before = await dumpAll(t.store);
      await retentionRun(new Date('2027-01-18T09:00:00Z'));
      const after = await dumpAll(t.store);
      for (const table of ['consultation_summaries', 'consultation_responses', 'poll_summaries', 'poll_answers']) {
        const line = (dump: string) => dump.split('\n').find((l) => l.startsWith(`${table}:`));
        expect(line(after)).toBe(line(before));
      }
    });

    it('keeps counts by kind and sector, with nobody in them, and the review pack shows the same history', async () => {
      await as('coord', '/partner settings retention=6');
      const figures = async () => reviewFigures(await loadReviewPackInput(t.store, (await t.store.partnership('pt-a'))!, clock));
      const before = await figures();
      const packBefore = texts(await as('chair', '/partner review pack'));
      expect(packBefore).toContain('Old budget a: due Fri 30 Jan 2026, 3 of 3 answered.');

      await retentionRun(new Date('2027-01-11T09:00:00Z'));
      const [row] = await summaryRows();
      expect(JSON.parse(row!.summary)).toEqual({
        asked: 3,
        answered: 3,
        onTime: 2,
        counts: { responded: 1, more_time: 1, not_relevant: 1 },
        bySector: [
          { sector: 'public', asked: 1, responded: 1, more_time: 0, not_relevant: 0 },
          { sector: 'third', asked: 1, responded: 0, more_time: 1, not_relevant: 0 },
          { sector: 'private', asked: 1, responded: 0, more_time: 0, not_relevant: 1 },
        ],
      });
      expect(row!.summary).not.toMatch(/m-|Coord|Chair|Mem|Org|2026-01-/);

      const after = await figures();
      expect({ asked: after.asked, answered: after.answered, onTime: after.onTime, bySector: after.bySector }).toEqual({
        asked: before.asked,
        answered: before.answered,
        onTime: before.onTime,
        bySector: before.bySector,
      });
      expect(after.reduced).toBe(1);
      const pack = texts(await as('chair', '/partner review pack'));
      expect(pack).toContain('Old budget a: due Fri 30 Jan 2026, 3 of 3 answered.');
      expect(pack).toContain('1 consultation(s) of the period closed more than 6 months ago');
      for (const line of ['Response rate', 'Answered before the deadline', 'public sector', 'third sector', 'private sector']) {
        const of = (text: string) => text.split('\n').find((l) => l.startsWith(line));
        expect(of(pack)).toBe(of(packBefore));
      }
      // Someone joins after the purge: the old consultation still counts the three it asked then.
      await as('newbie', '/partner join third "New Org"');
      expect(texts(await as('chair', '/partner review pack'))).toContain('Old budget a: due Fri 30 Jan 2026, 3 of 3 answered.');
    });

    it('export, forget me and delete stay right after a purge', async () => {
      await as('coord', '/partner settings retention=6');
      await retentionRun(new Date('2027-01-11T09:00:00Z'));
      clock = new Date('2027-01-11T10:00:00Z');

      const partnershipData = fileOf(await as('coord', '/partner export partnership'));
      expect(partnershipData.partnership.retentionMonths).toBe(6);
      const old = partnershipData.consultations.find((c: { id: string }) => c.id === OLD.a);
      expect(old.responses).toEqual([]);
      expect(old.keptCounts).toMatchObject({ asked: 3, answered: 3, onTime: 2, counts: { responded: 1, more_time: 1, not_relevant: 1 } });
      expect(partnershipData.consultations.find((c: { id: string }) => c.id !== OLD.a).keptCounts).toBeNull();

      const mine = fileOf(await as('chair', '/partner export me')) as PersonalExport;
      const a = mine.memberships.find((m) => m.partnership.id === 'pt-a')!;
      expect(a.retentionMonths).toBe(6);
      expect(a.consultationsNoLongerKnown).toEqual([OLD.a]);
      expect(a.consultationAnswers.map((x) => x.consultationId)).not.toContain(OLD.a);
      expect(a.pollsNoLongerKnown).toEqual([OLD_POLL.a]);

      const summaryBefore = await summaryRows();
      expect(texts(await as('mem', '/partner forget me confirm'))).toContain('your personal data is erased');
      expect(await summaryRows()).toEqual(summaryBefore);
      expect(await dumpAll(t.store)).not.toContain('m-mem');

      await as('coord', '/partner delete partnership confirm');
      expect(await summaryRows()).toEqual([]);
      expect((await rowCounts(t.store)).consultation_summaries).toBe(0);
      // B is untouched.
      expect((await t.store.responses(OLD.b)).map((r) => r.memberId)).toEqual(['m-bcoord']);
      const bcount = await sql<{ n: number }>`select count(*) as n from partnerships where id = 'pt-b'`.execute(t.store.db);
      expect(Number(bcount.rows[0]!.n)).toBe(1);
      expect(texts(await as('bcoord', '/partner status', B_CHANNEL))).toContain('Answers kept: 24 months');
    });
  });
});
