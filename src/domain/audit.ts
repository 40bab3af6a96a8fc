// The audit log as people read it: who did what as a coordinator or chair, and when.
import { context, para, privateMessage, t, u, type Block, type Message } from './message.ts';
import type { Member, Partnership } from './partnership.ts';
import type { AuditEntry } from './ports.ts';
import { formatDate, localDate, localTime } from './time.ts';

/** How many entries `/partner audit` shows when not told. */
export const DEFAULT_AUDIT_ENTRIES = 20;

const ACTIONS: Record<string, string> = {
  setup: 'set up the partnership',
  settings: 'changed settings',
  role: 'changed roles',
  'consultation.open': 'opened a consultation',
  'feedback.post': 'posted feedback',
  'feedback.update': 'updated feedback',
  'pulse.start': 'started a pulse poll',
  'pulse.close': 'closed a pulse poll',
  'review.set': 'set the review date',
  'review.done': 'recorded a review',
  'export.me': 'exported their own data',
  'export.partnership': 'exported the partnership\'s data',
  'forget.me': 'a member asked to be forgotten; their personal data was erased',
  'delete.partnership': 'deleted the partnership',
};

export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}

/** Who an entry's actor is, for people: a current member's name, else what we can say. */
function actorName(actorId: string | null, members: ReadonlyMap<string, Member>): string {
  if (actorId === null) return 'someone no longer known';
  if (actorId === 'scheduler') return 'the scheduler';
  return members.get(actorId)?.name ?? 'a former member';
}

/** The latest entries first, as a message only the coordinator who asked sees. */
export function auditMessage(p: Partnership, entries: readonly AuditEntry[], members: readonly Member[], limit: number): Message {
  const title = para(t('Partnership: '), u(p.name));
  if (!entries.length) return privateMessage('Audit log', title, para(t('Nothing recorded yet.')));
  const byId = new Map(members.map((m) => [m.id, m]));
  const blocks: Block[] = [title];
  blocks.push(...entries.map((e) => {
    const when = `${formatDate(localDate(e.at, p.timezone))} ${localTime(e.at, p.timezone)}`;
    return para(t(`• ${when} · `), u(actorName(e.actorId, byId)), t(` · ${actionLabel(e.action)}`), ...(e.detail ? [t(' · '), u(e.detail)] : []));
  }));
  blocks.push(context(t(`The latest ${entries.length === limit ? limit : entries.length} entries, newest first (times in ${p.timezone}). \`/partner audit <number>\` shows more, up to 200.`)));
  return privateMessage('Audit log', ...blocks);
}
