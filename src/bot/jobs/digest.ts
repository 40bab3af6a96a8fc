// digest: the weekly digest to every channel, and the next one scheduled.
import { nextDigestJob } from '../../domain/digest.ts';
import type { JobTable } from '../context.ts';
import { loadDigest } from '../handlers/digest.ts';
import { toChannels } from '../outbox.ts';
import { flagQuietOrganisations } from '../participation.ts';

const HOUR = 3600_000;

export const digestJobs: JobTable = {
  digest: async ({ deps, tx, now, job, partnership: p }) => {
    const window = p.settings.digestCatchupHours * HOUR;
    const missedBy = now.getTime() - Date.parse(job.dueAt);
    if (missedBy > window) {
      // After downtime a week-old digest is noise: skip it and say so in the log.
      deps.log.warn({ partnershipId: p.id, missed: job.dueAt, hoursLate: Math.round(missedBy / HOUR) }, 'digest missed by more than the catch-up window; skipped');
    } else {
      const digest = await loadDigest(tx, p, now);
      if (digest) await toChannels(tx, p.id, `digest:${p.id}:${job.step}`, digest, now);
      // Who is not being heard goes to the coordinators privately, never with the channel digest.
      await flagQuietOrganisations(tx, p, now);
    }
    // The next one; past ones that would be skipped anyway are stepped over, but one still inside the
    // catch-up window is kept so the next tick sends it.
    let next = nextDigestJob(p, new Date(job.dueAt));
    while (now.getTime() - Date.parse(next.dueAt) > window) next = nextDigestJob(p, new Date(next.dueAt));
    await tx.scheduleJobs([next]);
  },
};
