// Retention: each partnership keeps poll answers and consultation responses for its own number of
// months (`settings retention=N`, default 24) after a poll or consultation closes; after that only
// aggregates stay: a poll's published results, and a consultation's anonymous counts by sector.
// Pure: records in, cut-offs and counts out (the job is src/bot/jobs/retention.ts).
import type { Consultation, ConsultationResponse, ResponseKind } from './consultation.ts';
import { SECTORS, type Member, type Partnership, type Sector } from './partnership.ts';
import type { Poll } from './pulse.ts';
import { endOfLocalDay } from './time.ts';

/** The instant before which something that closed is past a retention period of `months`. */
export function retentionCutoff(now: Date, months: number): string {
  const d = new Date(now.getTime());
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.toISOString();
}

/** Closed polls whose answers are due to be reduced to their published results. */
export function pollsPastRetention(polls: readonly Poll[], now: Date, months: number): Poll[] {
  const cutoff = Date.parse(retentionCutoff(now, months));
  return polls.filter((x) => x.status === 'closed' && Date.parse(x.closesAt) < cutoff);
}

/** When a consultation stopped taking responses: the end of its deadline's local day. */
export function consultationClosedAt(c: Consultation, p: Partnership): string {
  return endOfLocalDay(c.deadline, p.timezone);
}

/** Consultations past their deadline by more than the partnership's retention period, whether or
 * not feedback was posted (owed feedback must not keep who answered forever). */
export function consultationsPastRetention(consultations: readonly Consultation[], p: Partnership, now: Date): Consultation[] {
  const cutoff = Date.parse(retentionCutoff(now, p.retentionMonths));
  return consultations.filter((c) => c.status !== 'open' && Date.parse(consultationClosedAt(c, p)) < cutoff);
}

export type ResponseCounts = Record<ResponseKind, number>;

/**
 * What stays of a consultation's responses once they are past retention: how many were asked and
 * answered (and before the deadline), by kind of answer and by sector. No member, organisation or
 * time: the review pack's organisation lines need the responses and end with them.
 */
export interface ConsultationSummary {
  asked: number;
  /** Asked members who answered in any way. */
  answered: number;
  /** Of those, answered before the deadline's local day ended. */
  onTime: number;
  counts: ResponseCounts;
  /** Sectors with at least one member asked, in SECTORS order. */
  bySector: ({ sector: Sector; asked: number } & ResponseCounts)[];
}

const noCounts = (): ResponseCounts => ({ responded: 0, more_time: 0, not_relevant: 0 });

/** Counts, as the review pack counts them: answers from the members the consultation asks. */
export function summarizeConsultation(
  c: Consultation,
  asked: readonly Member[],
  responses: readonly ConsultationResponse[],
  p: Partnership,
): ConsultationSummary {
  const due = Date.parse(consultationClosedAt(c, p));
  const answers = new Map(responses.map((r) => [r.memberId, r]));
  const counts = noCounts();
  const sectors = new Map<Sector, { asked: number } & ResponseCounts>();
  let answered = 0;
  let onTime = 0;
  for (const m of asked) {
    const row = sectors.get(m.sector) ?? { asked: 0, ...noCounts() };
    row.asked += 1;
    sectors.set(m.sector, row);
    const answer = answers.get(m.id);
    if (!answer) continue;
    answered += 1;
    if (Date.parse(answer.at) < due) onTime += 1;
    counts[answer.kind] += 1;
    row[answer.kind] += 1;
  }
  return {
    asked: asked.length,
    answered,
    onTime,
    counts,
    bySector: SECTORS.filter((s) => sectors.has(s)).map((sector) => ({ sector, ...sectors.get(sector)! })),
  };
}

/** The answers of any kind in one sector's row of a summary. */
export function sectorAnswered(row: ResponseCounts): number {
  return row.responded + row.more_time + row.not_relevant;
}
