// status: the coordinator's view of what the bot is doing for the partnership.
import { b, context, para, privateMessage, t } from '../../domain/message.ts';
import { SECTORS, SECTOR_LABELS } from '../../domain/partnership.ts';
import type { HandlerTable } from '../context.ts';
import { requirePartnership } from '../resolve.ts';

export const statusHandlers: HandlerTable = {
  status: async (_cmd, ctx) => {
    const p = requirePartnership(ctx);
    const [members, open, awaiting, polls, jobs, outbox] = await Promise.all([
      ctx.tx.members(p.id),
      ctx.tx.consultations(p.id, ['open']),
      ctx.tx.consultations(p.id, ['awaiting_feedback']),
      ctx.tx.polls(p.id, 'open'),
      ctx.tx.pendingJobs(p.id, 5),
      ctx.tx.outboxCounts(p.id),
    ]);
    const bySector = SECTORS.map((s) => `${SECTOR_LABELS[s]} ${members.filter((m) => m.sector === s).length}`).join(', ');
    const blocks = [
      {
        kind: 'fields' as const,
        fields: [
          { label: 'Members', value: [t(`${members.length} (${bySector})`)] },
          { label: 'Open consultations', value: [t(String(open.length))] },
          { label: 'Awaiting feedback', value: [t(String(awaiting.length))] },
          { label: 'Open pulse poll', value: [t(polls[0] ? polls[0].id : 'none')] },
          { label: 'Messages waiting to send', value: [t(String(outbox.pending))] },
          { label: 'Messages that could not be delivered', value: [t(String(outbox.dead))] },
          { label: 'Answers kept', value: [t(`${p.retentionMonths} months after closing (settings retention=N)`)] },
        ],
      },
      para(b('Next scheduled work')),
      ...jobs.map((j) => para(t(`• ${j.kind} (${j.step}) at ${j.dueAt}`))),
    ];
    if (outbox.dead > 0) {
      blocks.push(context(t('Undelivered messages were retried and gave up; check the bot’s chat credentials and logs.')));
    }
    return [privateMessage(`Status of ${p.name}`, ...blocks)];
  },
};
