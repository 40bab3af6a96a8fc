// digest: the weekly digest to every channel, and the next one scheduled.
import { consultationSummaries, sqlOf } from '../../../db/privacy-store.ts';
import { buildDigest, nextDigestJob, type ConsultationRecord } from '../../domain/digest.ts';
import type { Partnership } from '../../domain/partnership.ts';
import type { Job, NewJob, NewOutbox } from '../../domain/ports.ts';
import type { Deps, JobBatchContext, JobRunner, JobTable } from '../context.ts';
import { groupBy } from '../group.ts';
import { consultationRecord, loadDigest } from '../handlers/digest.ts';
import { channelMessages, toChannels } from '../outbox.ts';
import { flagQuietOrganisations, quietNotes } from '../participation.ts';

const HOUR = 3600_000;

/** Whether the digest is missed by more than the catch-up window (then it is skipped), and the next
 * one: past ones that would be skipped anyway are stepped over, but one still inside the window is
 * kept so the next tick sends it. */
function plan(deps: Deps, p: Partnership, job: Job, now: Date): { late: boolean; next: NewJob } {
  const window = p.settings.digestCatchupHours * HOUR;
  const missedBy = now.getTime() - Date.parse(job.dueAt);
  const late = missedBy > window;
  // After downtime a week-old digest is noise: skip it and say so in the log.
  if (late) deps.log.warn({ partnershipId: p.id, missed: job.dueAt, hoursLate: Math.round(missedBy / HOUR) }, 'digest missed by more than the catch-up window; skipped');
  let next = nextDigestJob(p, new Date(job.dueAt));
  while (now.getTime() - Date.parse(next.dueAt) > window) next = nextDigestJob(p, new Date(next.dueAt));
  return { late, next };
}

const digestKey = (p: Partnership, job: Job) => `digest:${p.id}:${job.step}`;

const digest: JobRunner = async ({ deps, tx, now, job, partnership: p }) => {
  const { late, next } = plan(deps, p, job, now);
  if (!late) {
    const message = await loadDigest(tx, p, now);
    if (message) await toChannels(tx, p.id, digestKey(p, job), message, now);
    // Who is not being heard goes to the coordinators privately, never with the channel digest.
    await flagQuietOrganisations(tx, p, now);
  }
  await tx.scheduleJobs([next]);
};

/**
 * The same for many digests (a thousand fall due on a Monday morning): each slice of partnerships is
 * read with a few set-based queries, decided in memory by the same rules and written with one
 * `enqueue`. The scheduler commits a batch of `bulk` at a time, so the dispatcher starts on the
 * first digests while later ones are decided.
 */
async function digests(ctx: JobBatchContext): Promise<void> {
  for (let i = 0; i < ctx.items.length; i += DIGEST_BULK) await digestSlice(ctx, ctx.items.slice(i, i + DIGEST_BULK));
}

const DIGEST_BULK = 100;

async function digestSlice({ deps, tx, now }: JobBatchContext, items: JobBatchContext['items']): Promise<void> {
  const plans = items.map(({ job, partnership: p }) => ({ job, p, ...plan(deps, p, job, now) }));
  const due = plans.filter((x) => !x.late);
  const rows: NewOutbox[] = [];
  if (due.length) {
    const ids = [...new Set(due.map((x) => x.p.id))];
    const members = groupBy(await tx.membersOf(ids), (m) => m.partnershipId);
    const consultations = await tx.consultationsOf(ids);
    const kept = await consultationSummaries(sqlOf(tx), consultations.filter((c) => c.status !== 'open').map((c) => c.id));
    const responses = groupBy(await tx.responsesTo(consultations.filter((c) => !kept.has(c.id)).map((c) => c.id)), (r) => r.consultationId);
    const polls = groupBy(await tx.pollsOf(ids, 'open'), (x) => x.partnershipId);
    const channels = groupBy(await tx.channelsOf(ids), (c) => c.partnershipId);
    const records = new Map<string, ConsultationRecord[]>();
    for (const c of consultations) {
      const record = consultationRecord(c, members.get(c.partnershipId) ?? [], responses.get(c.id) ?? [], kept.get(c.id));
      const list = records.get(c.partnershipId);
      if (list) list.push(record);
      else records.set(c.partnershipId, [record]);
    }
    for (const { job, p } of due) {
      const all = records.get(p.id) ?? [];
      const current = all.filter((r) => r.consultation.status === 'open' || r.consultation.status === 'awaiting_feedback');
      const message = buildDigest({ partnership: p, consultations: current, polls: polls.get(p.id) ?? [] }, now);
      const to = (channels.get(p.id) ?? []).map((c) => c.channel);
      if (message) rows.push(...channelMessages(to, p.id, digestKey(p, job), message));
      rows.push(...quietNotes(all, members.get(p.id) ?? [], p, now).rows);
    }
  }
  // One row a key, as one by one would leave it (two jobs of one partnership name the same quiet organisations).
  const unique = [...new Map(rows.map((r) => [r.key, r])).values()];
  if (unique.length) await tx.enqueue(unique, now.toISOString());
  await tx.scheduleJobs(plans.map((x) => x.next));
}

digest.batch = digests;
// Jobs per transaction: the dispatcher can send only what is committed.
digest.bulk = DIGEST_BULK;

export const digestJobs: JobTable = { digest };
