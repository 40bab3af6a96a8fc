// digest: what is due, open and overdue, shown on demand (the scheduled one is src/bot/jobs/digest.ts).
import { consultationSummaries, sqlOf } from '../../../db/privacy-store.ts';
import type { Consultation, ConsultationResponse } from '../../domain/consultation.ts';
import { resolveAudience } from '../../domain/consultation.ts';
import { buildDigest, type ConsultationRecord } from '../../domain/digest.ts';
import { para, privateMessage, t, type Message } from '../../domain/message.ts';
import type { Member, Partnership } from '../../domain/partnership.ts';
import type { Repo } from '../../domain/ports.ts';
import type { ConsultationSummary } from '../../domain/retention.ts';
import type { HandlerTable } from '../context.ts';
import { requirePartnership } from '../resolve.ts';

/** Consultations with who they asked (audience resolved against the members) and their answers;
 * for those past retention, the counts kept in place of the answers. */
export async function consultationRecords(tx: Repo, consultations: Consultation[], members: Member[]): Promise<ConsultationRecord[]> {
  const kept = await consultationSummaries(sqlOf(tx), consultations.filter((c) => c.status !== 'open').map((c) => c.id));
  return Promise.all(
    consultations.map(async (c) => {
      const summary = kept.get(c.id);
      return consultationRecord(c, members, summary ? [] : await tx.responses(c.id), summary);
    }),
  );
}

/** One consultation's record from what was loaded (`kept`: its counts once past retention). */
export function consultationRecord(c: Consultation, members: Member[], responses: ConsultationResponse[], kept?: ConsultationSummary): ConsultationRecord {
  return { consultation: c, asked: resolveAudience(c.audience, members).map((m) => m.id), responses: kept ? [] : responses, ...(kept ? { kept } : {}) };
}

/** The partnership's digest as of `now`, or null when there is nothing to say. */
export async function loadDigest(tx: Repo, p: Partnership, now: Date): Promise<Message | null> {
  const [members, consultations, polls] = await Promise.all([
    tx.members(p.id),
    tx.consultations(p.id, ['open', 'awaiting_feedback']),
    tx.polls(p.id, 'open'),
  ]);
  return buildDigest({ partnership: p, consultations: await consultationRecords(tx, consultations, members), polls }, now);
}

export const digestHandlers: HandlerTable = {
  digest: async (_cmd, ctx) => {
    const p = requirePartnership(ctx);
    const digest = await loadDigest(ctx.tx, p, ctx.now);
    if (!digest) return [privateMessage('Partnership digest', para(t('Nothing due, open or overdue.')))];
    return [{ ...digest, private: true }];
  },
};
