// Retention: a closed poll's answers are kept POLL_RETENTION_MONTHS, then reduced to what its results
// published. There is no job kind of its own (JobKind is fixed in ports.ts): it runs with each
// partnership's weekly digest, in the digest's transaction, before the digest itself.
import { reduceToSummary, sealClosedPolls, sqlOf, summaries } from '../../../db/privacy-store.ts';
import type { Partnership } from '../../domain/partnership.ts';
import type { Repo } from '../../domain/ports.ts';
import { POLL_RETENTION_MONTHS, pollsPastRetention } from '../../domain/privacy.ts';
import type { JobContext, JobRunner } from '../context.ts';
import { published } from '../handlers/privacy.ts';

export interface RetentionReport {
  sealed: number;
  reduced: string[];
}

/** Seals any closed poll's ballots left unsealed, and reduces polls past retention to their aggregate. */
export async function runRetention(tx: Repo, p: Partnership, now: Date, months: number = POLL_RETENTION_MONTHS): Promise<RetentionReport> {
  const db = sqlOf(tx);
  const sealed = await sealClosedPolls(db, p.id);
  const due = pollsPastRetention(await tx.polls(p.id, 'closed'), now, months);
  const done = await summaries(db, due.map((x) => x.id));
  const reduced: string[] = [];
  for (const poll of due.filter((x) => !done.has(x.id))) {
    await reduceToSummary(db, poll.id, (await published(tx, poll))!, now.toISOString());
    reduced.push(poll.id);
  }
  return { sealed, reduced };
}

/** The digest job with retention first (a failure rolls both back, and the job is retried). */
export function withRetention(runner: JobRunner): JobRunner {
  return async (ctx: JobContext) => {
    const report = await runRetention(ctx.tx, ctx.partnership, ctx.now);
    if (report.reduced.length) ctx.deps.log.info({ partnershipId: ctx.partnership.id, polls: report.reduced }, 'poll answers past retention reduced to their results');
    await runner(ctx);
  };
}

/** Wraps the scheduled `pulse.close`: seals the ballots of the poll it closed, in the same transaction. */
export function sealingAfter(runner: JobRunner): JobRunner {
  return async (ctx: JobContext) => {
    await runner(ctx);
    await sealClosedPolls(sqlOf(ctx.tx), ctx.partnership.id);
  };
}
