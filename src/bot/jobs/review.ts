// review.reminder: the chair is reminded of the review date, with the review pack.
import { hasRole } from '../../domain/partnership.ts';
import { reminderStepDate, reviewReminderMessage } from '../../domain/review.ts';
import type { JobTable } from '../context.ts';
import { loadReviewPack } from '../handlers/review.ts';
import { toMembers } from '../outbox.ts';

export const reviewJobs: JobTable = {
  'review.reminder': async ({ deps, tx, now, job, partnership: p }) => {
    // A reminder planned for a date that has since moved is stale; the new date has its own plan.
    if (reminderStepDate(job.step) !== p.reviewDate) {
      deps.log.info({ partnershipId: p.id, step: job.step, reviewDate: p.reviewDate }, 'review reminder for an old review date; skipped');
      return;
    }
    const members = await tx.members(p.id);
    let chairs = members.filter((m) => hasRole(m, 'chair'));
    if (!chairs.length) {
      // Nobody reminded is how reviews get forgotten: fall back to the coordinators.
      deps.log.warn({ partnershipId: p.id }, 'no chair to remind of the review; reminding the coordinators');
      chairs = members.filter((m) => hasRole(m, 'coordinator'));
    }
    const pack = await loadReviewPack(tx, p, now);
    await toMembers(tx, chairs, `review_reminder:${p.id}:${job.step}`, reviewReminderMessage(p, now, pack), now);
  },
};
