// The scheduler against a real store and the real job runners: due work only, each job once, a
// failing job retried on the next tick, and catch-up after downtime sending only what still matters.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JOBS } from '../../src/bot/app.ts';
import type { Deps, JobTable } from '../../src/bot/context.ts';
import { createScheduler } from '../../src/bot/scheduler.ts';
import { consultationHandlers } from '../../src/bot/handlers/consultation.ts';
import { nextDigestJob } from '../../src/domain/digest.ts';
import { outbox, runCommand, seededStore, testDeps } from '../support/bot.ts';
import { member, partnership } from '../support/fixtures.ts';

const p = partnership({ settings: { pulseSchedule: 'off' } });
const coordinator = member('ann', { roles: ['coordinator', 'member'] });
const bea = member('bea', { sector: 'third', organisation: 'Food Bank' });
let now = new Date('2026-12-01T10:00:00Z');
let deps: Deps;

beforeEach(async () => {
  now = new Date('2026-12-01T10:00:00Z');
  deps = testDeps(await seededStore(p, [coordinator, bea]), () => now);
});
afterEach(() => deps.store.close());

describe('scheduler', () => {
  it('runs only due jobs, each once, and records them done', async () => {
    const ran: string[] = [];
    const jobs: JobTable = { digest: async ({ job }) => void ran.push(job.step) };
    await deps.store.scheduleJobs([
      { kind: 'digest', partnershipId: p.id, ref: p.id, step: 'past', dueAt: '2026-12-01T09:00:00Z' },
      { kind: 'digest', partnershipId: p.id, ref: p.id, step: 'future', dueAt: '2026-12-08T09:00:00Z' },
    ]);
    const s = createScheduler(deps, jobs);
    expect(await s.tick(now)).toEqual({ ran: 1, failed: 0 });
    expect(await s.tick(now)).toEqual({ ran: 0, failed: 0 });
    expect(ran).toEqual(['past']);
    expect((await deps.store.pendingJobs(p.id, 10)).map((j) => j.step)).toEqual(['future']);
  });

  it('leaves a failing job pending (its writes rolled back) and runs it on the next tick', async () => {
    let fail = true;
    const jobs: JobTable = {
      digest: async ({ tx, job }) => {
        await tx.enqueue([{ key: `k:${job.step}`, partnershipId: p.id, target: { kind: 'user', platform: 'local', workspace: 'local', user: 'ann' }, message: { blocks: [] } }], now.toISOString());
        if (fail) throw new Error('boom');
      },
    };
    await deps.store.scheduleJobs([{ kind: 'digest', partnershipId: p.id, ref: p.id, step: 'x', dueAt: '2026-12-01T09:00:00Z' }]);
    const s = createScheduler(deps, jobs);
    expect(await s.tick(now)).toEqual({ ran: 0, failed: 1 });
    expect(await outbox(deps.store)).toHaveLength(0);
    fail = false;
    expect(await s.tick(now)).toEqual({ ran: 1, failed: 0 });
    expect(await outbox(deps.store)).toHaveLength(1);
  });

  it('after downtime across several nudge dates sends one nudge (the latest), not a burst', async () => {
    await runCommand(consultationHandlers, deps, { verb: 'consult', title: 'Plan', deadline: '2027-03-26', audience: { all: true }, confirm: true }, coordinator, { partnershipId: p.id });
    // Down from December until the morning of the 2-days-before nudge (Wed 24 March 2027, 09:30 GMT).
    now = new Date('2027-03-24T09:30:00Z');
    await createScheduler(deps, JOBS).tick(now);
    const nudges = (await outbox(deps.store)).filter((r) => r.key.startsWith('nudge:') && r.target.kind === 'user' && r.target.user === 'bea');
    expect(nudges.map((r) => r.message.heading)).toEqual(['Consultation reminder: 2 days left']);
  });

  describe('stopped across a digest time and a nudge time', () => {
    // Nudge 7 days before the deadline: Fri 19 March 2027 09:30 GMT; digest: Mon 22 March 09:00 GMT.
    async function downUntil(restart: string) {
      await runCommand(consultationHandlers, deps, { verb: 'consult', title: 'Plan', deadline: '2027-03-26', audience: { all: true }, confirm: true }, coordinator, { partnershipId: p.id });
      await deps.store.scheduleJobs([nextDigestJob(p, new Date('2027-03-15T10:00:00Z'))]);
      now = new Date(restart);
      // The restarted bot ticks, then ticks again a minute later; a second instance ticks too.
      await createScheduler(deps, JOBS).tick(now);
      await createScheduler(deps, JOBS).tick(new Date(now.getTime() + 60_000));
      const rows = await outbox(deps.store);
      return {
        nudges: rows.filter((r) => r.key.startsWith('nudge:') && r.target.kind === 'user' && r.target.user === 'bea').map((r) => r.message.heading),
        digests: rows.filter((r) => r.key.startsWith('digest:')).map((r) => r.key),
      };
    }

    it('sends the missed nudge once and the digest once when it is inside the catch-up window', async () => {
      const { nudges, digests } = await downUntil('2027-03-22T12:00:00Z'); // 3 h after the digest
      expect(nudges).toEqual(['Consultation reminder: 4 days left']); // the 7-days-before one, sent late, once
      expect(digests.sort()).toEqual(['digest:pt-1:2027-03-22:local:local:general', 'digest:pt-1:2027-03-22:slack:T1:C1']);
    });

    it('still sends the nudge once, but skips (and logs) a digest older than the window', async () => {
      const warn = vi.spyOn(deps.log, 'warn');
      const { nudges, digests } = await downUntil('2027-03-22T21:30:00Z'); // 12 h 30 min after the digest
      expect(nudges).toEqual(['Consultation reminder: 4 days left']); // the 7-days-before one, sent late, once
      expect(digests).toEqual([]);
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ partnershipId: p.id, missed: '2027-03-22T09:00:00.000Z' }), expect.stringContaining('skipped'));
    });
  });
});
