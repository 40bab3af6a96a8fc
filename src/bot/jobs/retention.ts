// Retention: each partnership keeps poll answers and consultation responses for its own number of
// months after closing (`settings retention=N`, default 24); then a poll is reduced to what its
// results published and a consultation to anonymous counts by sector. There is no job kind of its
// own (JobKind is fixed in ports.ts): it runs with each partnership's weekly digest, in the digest's
// transaction, before the digest itself, so a shortened period applies at the next digest.
import { consultationSummaries, reduceConsultation, reduceToSummary, sealClosedPolls, sqlOf, summaries } from '../../../db/privacy-store.ts';
import { resolveAudience } from '../../domain/consultation.ts';
import type { Partnership } from '../../domain/partnership.ts';
import type { Repo } from '../../domain/ports.ts';
import { consultationsPastRetention, pollsPastRetention, summarizeConsultation } from '../../domain/retention.ts';
import type { JobContext, JobRunner } from '../context.ts';
import { published } from '../handlers/privacy.ts';

export interface RetentionReport {
  sealed: number;
  /** Polls reduced to their published results in this run. */
  reduced: string[];
  /** Consultations whose responses were reduced to counts in this run. */
  consultations: string[];
}

/** Seals any closed poll's ballots left unsealed, and reduces polls and consultations past the
 * partnership's retention period to their aggregates. */
export async function runRetention(tx: Repo, p: Partnership, now: Date): Promise<RetentionReport> {
  const db = sqlOf(tx);
  const at = now.toISOString();
  const sealed = await sealClosedPolls(db, p.id);

  const duePolls = pollsPastRetention(await tx.polls(p.id, 'closed'), now, p.retentionMonths);
  const donePolls = await summaries(db, duePolls.map((x) => x.id));
  const reduced: string[] = [];
  for (const poll of duePolls.filter((x) => !donePolls.has(x.id))) {
    await reduceToSummary(db, poll.id, (await published(tx, poll))!, at);
    reduced.push(poll.id);
  }

  const dueConsultations = consultationsPastRetention(await tx.consultations(p.id, ['awaiting_feedback', 'closed']), p, now);
  const doneConsultations = await consultationSummaries(db, dueConsultations.map((c) => c.id));
  const todo = dueConsultations.filter((c) => !doneConsultations.has(c.id));
  const members = todo.length ? await tx.members(p.id) : [];
  for (const c of todo) {
    // Counted as the review pack counts them: the members it asks now, and their answers.
    await reduceConsultation(db, c.id, summarizeConsultation(c, resolveAudience(c.audience, members), await tx.responses(c.id), p), at);
  }
  return { sealed, reduced, consultations: todo.map((c) => c.id) };
}

/** The digest job with retention first (a failure rolls both back, and the job is retried). */
export function withRetention(runner: JobRunner): JobRunner {
  return async (ctx: JobContext) => {
    const report = await runRetention(ctx.tx, ctx.partnership, ctx.now);
    if (report.reduced.length || report.consultations.length) {
      ctx.deps.log.info(
        { partnershipId: ctx.partnership.id, months: ctx.partnership.retentionMonths, polls: report.reduced, consultations: report.consultations },
        'answers past retention reduced to aggregates',
      );
    }
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
