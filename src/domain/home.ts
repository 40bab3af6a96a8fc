// A person's own view across their partnerships (Slack App Home, `/partner home` anywhere):
// what waits for their answer, the deadlines they are asked about, open polls, the next review.
import { responseButtons, type Consultation } from './consultation.ts';
import { b, context, message, para, privateMessage, t, u, type Block, type Message } from './message.ts';
import type { Partnership } from './partnership.ts';
import { pollMessage, type Poll } from './pulse.ts';
import { daysBetween, formatDate, localDate } from './time.ts';

export interface HomeSection {
  partnership: Partnership;
  /** Open consultations this person is asked about and has not answered. */
  waiting: Consultation[];
  /** Open consultations this person is asked about and has answered. */
  answered: Consultation[];
  /** The open poll, and whether this person has answered it. */
  poll: { poll: Poll; answered: boolean } | null;
}

function due(c: Consultation, p: Partnership, now: Date): string {
  const n = daysBetween(localDate(now, p.timezone), c.deadline);
  return `due ${formatDate(c.deadline)}${n === 0 ? ' (today)' : n === 1 ? ' (tomorrow)' : n > 1 ? ` (in ${n} days)` : ''}`;
}

function section(s: HomeSection, now: Date): Block[] {
  const p = s.partnership;
  const blocks: Block[] = [{ kind: 'divider' }, para(b(p.name))];
  for (const c of s.waiting) {
    blocks.push(para(t('Waiting for your answer: '), u(c.title), t(` — ${due(c, p, now)}`)));
    blocks.push({ kind: 'buttons', buttons: responseButtons(c.id) });
  }
  for (const c of s.answered) blocks.push(para(t('Answered: '), u(c.title), t(` — ${due(c, p, now)}`)));
  if (s.poll && !s.poll.answered) {
    blocks.push(...pollMessage(s.poll.poll, p).blocks.filter((x) => x.kind === 'choice' || x.kind === 'context'));
  } else if (s.poll) {
    blocks.push(para(t('You have answered the open pulse poll. Results show after it closes.')));
  }
  if (!s.waiting.length && !s.answered.length && !s.poll) blocks.push(para(t('Nothing is waiting for you.')));
  if (p.reviewDate) blocks.push(context(t(`Next review: ${formatDate(p.reviewDate)}`)));
  return blocks;
}

export function homeMessage(sections: HomeSection[], now: Date): Message {
  if (!sections.length) {
    return privateMessage(
      'partnerbot',
      para(t('You are not in a partnership yet. In a partnership’s channel, type '), b('/partner join <sector> <organisation>'), t('.')),
      para(t('A coordinator starts one with '), b('/partner setup <name>'), t(' in the channel the partnership uses.')),
    );
  }
  const waiting = sections.reduce((n, s) => n + s.waiting.length + (s.poll && !s.poll.answered ? 1 : 0), 0);
  return privateMessage(
    waiting ? `${waiting} thing${waiting === 1 ? '' : 's'} waiting for you` : 'You are up to date',
    ...sections.flatMap((s) => section(s, now)),
    context(t('Type `/partner help` for every command.')),
  );
}
