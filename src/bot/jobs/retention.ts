// Retention: each partnership keeps poll answers and consultation responses for its own number of
// months after closing (`settings retention=N`, default 24); then a poll is reduced to what its
// results published and a consultation to anonymous counts by sector. There is no job kind of its
// own (JobKind is fixed in ports.ts): it runs with each partnership's weekly digest, in the digest's
// transaction, before the digest itself, so a shortened period applies at the next digest.
import { consultationSummaries, reduceConsultation, reduceToSummary, sealClosedPolls, sqlOf, summaries } from '../../../db/privacy-store.ts';
import { resolveAudience } from '../../domain/consultation.ts';
import type { Member, Partnership } from '../../domain/partnership.ts';
import type { Repo } from '../../domain/ports.ts';
import { consultationsPastRetention, pollsPastRetention, summarizeConsultation } from '../../domain/retention.ts';
import type { JobBatchContext, JobContext, JobRunner } from '../context.ts';
import { groupBy } from '../group.ts';
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
  const sealed = await sealClosedPolls(sqlOf(tx), p.id);
  return { sealed, ...(await reducePastRetention(tx, [p], now)).get(p.id)! };
}

/** Reduces what is past retention in several partnerships (each its own period) with a few
 * set-based reads; what is due is rare, and is reduced one by one. */
async function reducePastRetention(tx: Repo, ps: readonly Partnership[], now: Date): Promise<Map<string, Omit<RetentionReport, 'sealed'>>> {
  const db = sqlOf(tx);
  const at = now.toISOString();
  const ids = ps.map((p) => p.id);
  const out = new Map(ps.map((p) => [p.id, { reduced: [] as string[], consultations: [] as string[] }]));

  const closedPolls = groupBy(await tx.pollsOf(ids, 'closed'), (x) => x.partnershipId);
  const duePolls = ps.flatMap((p) => pollsPastRetention(closedPolls.get(p.id) ?? [], now, p.retentionMonths));
  const donePolls = await summaries(db, duePolls.map((x) => x.id));
  for (const poll of duePolls.filter((x) => !donePolls.has(x.id))) {
    await reduceToSummary(db, poll.id, (await published(tx, poll))!, at);
    out.get(poll.partnershipId)!.reduced.push(poll.id);
  }

  const ended = groupBy(await tx.consultationsOf(ids, ['awaiting_feedback', 'closed']), (c) => c.partnershipId);
  const byId = new Map(ps.map((p) => [p.id, p]));
  const dueConsultations = ps.flatMap((p) => consultationsPastRetention(ended.get(p.id) ?? [], p, now));
  const doneConsultations = await consultationSummaries(db, dueConsultations.map((c) => c.id));
  const todo = dueConsultations.filter((c) => !doneConsultations.has(c.id));
  const members = todo.length ? groupBy(await tx.membersOf([...new Set(todo.map((c) => c.partnershipId))]), (m) => m.partnershipId) : new Map<string, Member[]>();
  for (const c of todo) {
    // Counted as the review pack counts them: the members it asks now, and their answers.
    const asked = resolveAudience(c.audience, members.get(c.partnershipId) ?? []);
    await reduceConsultation(db, c.id, summarizeConsultation(c, asked, await tx.responses(c.id), byId.get(c.partnershipId)!), at);
    out.get(c.partnershipId)!.consultations.push(c.id);
  }
  return out;
}

function logReduced(ctx: { deps: JobContext['deps'] }, p: Partnership, report: Omit<RetentionReport, 'sealed'>): void {
  if (!report.reduced.length && !report.consultations.length) return;
  ctx.deps.log.info(
    { partnershipId: p.id, months: p.retentionMonths, polls: report.reduced, consultations: report.consultations },
    'answers past retention reduced to aggregates',
  );
}

/** The digest job with retention first (a failure rolls both back, and the job is retried); its
 * batch (many digests in one transaction) does the same for all of them, set-based. */
export function withRetention(runner: JobRunner): JobRunner {
  const one: JobRunner = async (ctx: JobContext) => {
    logReduced(ctx, ctx.partnership, await runRetention(ctx.tx, ctx.partnership, ctx.now));
    await runner(ctx);
  };
  const batch = runner.batch;
  if (batch) {
    one.batch = async (ctx: JobBatchContext) => {
      const ps = [...new Map(ctx.items.map((i) => [i.partnership.id, i.partnership])).values()];
      await sealClosedPolls(sqlOf(ctx.tx), ps.map((p) => p.id));
      const reports = await reducePastRetention(ctx.tx, ps, ctx.now);
      for (const p of ps) logReduced(ctx, p, reports.get(p.id)!);
      await batch(ctx);
    };
    one.bulk = runner.bulk;
  }
  return one;
}

/** Wraps the scheduled `pulse.close`: seals the ballots of the poll it closed, in the same transaction. */
export function sealingAfter(runner: JobRunner): JobRunner {
  return async (ctx: JobContext) => {
    await runner(ctx);
    await sealClosedPolls(sqlOf(ctx.tx), ctx.partnership.id);
  };
}
