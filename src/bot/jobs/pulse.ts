// Scheduled pulse work: the one reminder, the close at closesAt, and the monthly automatic poll.
import type { Member } from '../../domain/partnership.ts';
import { isOpenAt, nextAutoPoll, reminderMessage } from '../../domain/pulse.ts';
import type { JobTable } from '../context.ts';
import { closeAndPublish, openPollOf, startPoll } from '../handlers/pulse.ts';
import { toMembers } from '../outbox.ts';

export const pulseJobs: JobTable = {
  /** DMs members who have not answered. Whether someone voted is known only through their per-poll
   * hash, computed here for each member and never stored or logged with the member. */
  'pulse.reminder': async ({ deps, tx, now, job, partnership: p }) => {
    const poll = await tx.poll(job.ref);
    if (!poll || !isOpenAt(poll, now)) return;
    const waiting: Member[] = [];
    for (const m of await tx.members(p.id)) {
      if (!(await tx.hasVoted(poll.id, deps.voterHash(poll.id, m.id)))) waiting.push(m);
    }
    await toMembers(tx, waiting, `pulse_reminder:${poll.id}`, reminderMessage(poll, p), now);
  },

  'pulse.close': async ({ tx, now, job, partnership: p }) => {
    const poll = await tx.poll(job.ref);
    if (!poll || poll.status !== 'open') return; // closed by hand already
    await closeAndPublish(tx, p, poll, now, null);
  },

  /** The monthly poll: a full poll unless one is open already; then the next month's job. */
  'pulse.auto': async ({ deps, tx, now, partnership: p }) => {
    if (p.settings.pulseSchedule !== 'monthly') return; // turning it back on schedules afresh
    if (await openPollOf(tx, p.id)) {
      deps.log.info({ partnership: p.id }, 'monthly pulse poll skipped: a poll is open already');
    } else {
      await startPoll(tx, deps, p, { form: 'full', now, createdBy: 'scheduler' });
    }
    await tx.scheduleJobs([nextAutoPoll(p, now)]);
  },
};
