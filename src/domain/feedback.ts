// "You said, we did": after a consultation's deadline the owner is asked what was done with the
// responses, chased until they say, and the answer goes to the channels and to everyone who responded.
import {
  coordinators,
  workingWeek,
  type Consultation,
  type ConsultationResponse,
} from './consultation.ts';
import { context, message, para, privateMessage, u, txt, type Message } from './message.ts';
import type { Member, Partnership } from './partnership.ts';
import type { NewJob } from './ports.ts';
import { addDays, atLocal, daysBetween, formatDate, localDate, onOrAfterWorkingDay } from './time.ts';

export function feedbackCommandHint(c: Consultation): string {
  return `/partner feedback ${c.id} <what was done with the responses>`;
}

/** Members of the audience whose answer is "responded": they are the ones told what happened. */
export function responders(asked: Member[], responses: ConsultationResponse[]): Member[] {
  const done = new Set(responses.filter((r) => r.kind === 'responded').map((r) => r.memberId));
  return asked.filter((m) => done.has(m.id));
}

/** Who is asked for, and chased about, the feedback: the owner and the coordinators, once each. */
export function feedbackOwners(c: Consultation, members: Member[]): Member[] {
  const owner = members.find((m) => m.id === c.ownerId);
  const rest = coordinators(members).filter((m) => m.id !== c.ownerId);
  return owner ? [owner, ...rest] : rest;
}

function tally(asked: Member[], responses: ConsultationResponse[]): string {
  const ids = new Set(asked.map((m) => m.id));
  const of = (k: ConsultationResponse['kind']) => responses.filter((r) => r.kind === k && ids.has(r.memberId)).length;
  const silent = asked.length - responses.filter((r) => ids.has(r.memberId)).length;
  return `${of('responded')} of ${asked.length} responded, ${of('more_time')} asked for more time, ${of('not_relevant')} said it was not relevant and ${silent} did not answer.`;
}

/** Sent to the owner when the deadline has passed. */
export function feedbackRequest(c: Consultation, asked: Member[], responses: ConsultationResponse[]): Message {
  return message(
    'Consultation closed: what did you do with the responses?',
    para('The deadline for ', u(c.title), ` (${formatDate(c.deadline)}) has passed. ${tally(asked, responses)}`),
    para(
      'Partners most want to hear what happened to their input. Post a short "you said, we did" summary with ',
      `\`${feedbackCommandHint(c)}\``,
      ': it goes to the partnership’s channels and to everyone who responded.',
    ),
    context(c.id),
  );
}

/** Chases the owner (and coordinators) for the summary some days after the deadline. */
export function feedbackChase(c: Consultation, p: Partnership, now: Date): Message {
  const days = daysBetween(c.deadline, localDate(now, p.timezone));
  return message(
    'Feedback still owed',
    para(
      u(c.title),
      ` closed ${days === 1 ? '1 day' : `${days} days`} ago (${formatDate(c.deadline)}) and those who responded have not yet heard what was done with their input.`,
    ),
    para('Post it with ', `\`${feedbackCommandHint(c)}\``, '.'),
    context(c.id),
  );
}

/** The "you said, we did" post, for the channels and for each member who responded. */
export function feedbackPost(c: Consultation, owner: Member | null, summary: string, corrected = false): Message {
  return message(
    corrected ? 'You said, we did (updated)' : 'You said, we did',
    { kind: 'text', text: [{ text: c.title, user: true, bold: true }] },
    { kind: 'text', text: txt(u(summary)) },
    context('Asked by ', owner ? u(owner.name) : 'a coordinator', `, closed ${formatDate(c.deadline)} · ${c.id}`),
  );
}

/** The private confirmation to the coordinator who posted the feedback. */
export function feedbackPosted(c: Consultation, channels: number, people: number): Message {
  return privateMessage(
    undefined,
    para(
      'Feedback on ',
      u(c.title),
      ` posted to ${channels === 1 ? '1 channel' : `${channels} channels`} and sent to ${people === 1 ? '1 member' : `${people} members`} who responded.`,
    ),
  );
}

/** Chase jobs at the start of the working day on or after deadline + N days, for each N in feedbackChaseDays. */
export function feedbackChasePlan(c: Consultation, p: Partnership): NewJob[] {
  const week = workingWeek(p);
  const seen = new Set<string>();
  const jobs: NewJob[] = [];
  for (const n of [...p.settings.feedbackChaseDays].sort((a, b) => a - b)) {
    const date = onOrAfterWorkingDay(addDays(c.deadline, n), week);
    if (seen.has(date)) continue;
    seen.add(date);
    jobs.push({ kind: 'feedback.chase', partnershipId: p.id, ref: c.id, step: String(n), dueAt: atLocal(date, p.settings.workStart, p.timezone) });
  }
  return jobs;
}
