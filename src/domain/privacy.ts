// Data rights (UK GDPR): what a person or a partnership gets when they ask for their data, what
// erasure and deletion say before and after (how long things are kept: retention.ts).
// Pure: records in, plain objects and messages out.
import type { Consultation, ConsultationResponse } from './consultation.ts';
import { b, context, para, privateMessage, message, t, u, type Block, type Message } from './message.ts';
import type { ChannelRef, ChatIdentity, Member, Partnership } from './partnership.ts';
import type { AuditEntry } from './ports.ts';
import type { Poll, Result } from './pulse.ts';
import type { ConsultationSummary } from './retention.ts';

// ---- what was published about a poll -----------------------------------------------------------

/** Exactly what a closed poll's results showed (groups of at least k), and nothing more: what the
 * partnership export carries and what stays once the answers are past retention. */
export interface PublishedResult {
  pollId: string;
  form: Poll['form'];
  openedAt: string;
  closesAt: string;
  k: number;
  respondents: number;
  /** False when fewer than k answered: then only the respondent count was ever shown. */
  shown: boolean;
  blocks: { block: string; count: number; median: number; q1: number; q3: number; min: number; max: number; distribution: number[] }[];
  /** Sector medians, only when the all-or-nothing breakdown passed. */
  bySector: { sector: string; respondents: number; medians: Record<string, number> }[] | null;
  comments: string[] | null;
}

export function publishedResult(r: Result): PublishedResult {
  const base = { pollId: r.poll.id, form: r.poll.form, openedAt: r.poll.openedAt, closesAt: r.poll.closesAt, k: r.poll.k, respondents: r.respondents };
  if (r.kind !== 'shown') return { ...base, shown: false, blocks: [], bySector: null, comments: null };
  return {
    ...base,
    shown: true,
    blocks: r.blocks.flatMap((x) => (x.stats ? [{ block: x.block, count: x.stats.count, median: x.stats.median, q1: x.stats.q1, q3: x.stats.q3, min: x.stats.min, max: x.stats.max, distribution: [...x.stats.distribution] }] : [])),
    bySector: r.bySector.shown ? r.bySector.groups.map((g) => ({ sector: g.sector, respondents: g.respondents, medians: { ...g.medians } })) : null,
    comments: r.comments,
  };
}

// ---- a person's own data --------------------------------------------------------------------------

export interface MembershipRecords {
  partnership: Partnership;
  member: Member;
  consultations: Consultation[];
  /** This member's responses only. */
  responses: ConsultationResponse[];
  polls: Poll[];
  /** Polls this member took part in, found through their keyed voter hash. */
  tookPart: ReadonlySet<string>;
  /** Polls whose answers were reduced to aggregates (retention): participation is no longer known. */
  purged: ReadonlySet<string>;
  /** Consultations whose responses were reduced to counts (retention): this member's answer is gone. */
  purgedConsultations: ReadonlySet<string>;
}

export interface PersonalExport {
  format: 'partnerbot/personal-export@1';
  exportedAt: string;
  identity: ChatIdentity;
  memberships: {
    partnership: { id: string; name: string };
    member: Omit<Member, 'partnershipId'>;
    /** This partnership's retention period: answers are kept this many months after closing. */
    retentionMonths: number;
    consultationAnswers: { consultationId: string; title: string; answer: string; proposedDate: string | null; at: string }[];
    consultationsOwned: { consultationId: string; title: string; deadline: string; status: string }[];
    pollsTakenPart: { pollId: string; form: string; openedAt: string; closesAt: string }[];
    pollsNoLongerKnown: string[];
    consultationsNoLongerKnown: string[];
  }[];
  notes: string[];
}

export const PERSONAL_EXPORT_NOTES = [
  'Pulse poll answers are anonymous: they are stored under a keyed hash, never with your name or id, and re-keyed at random when a poll closes, so nobody (including the bot\'s operators) can say what you answered. This export can only say which polls you took part in.',
  'Poll answers and consultation answers are kept for retentionMonths (set per partnership; 24 unless a coordinator changed it) after the poll or consultation closes. After that only published poll results and anonymous counts of answers stay, and whether and how you answered is no longer known (pollsNoLongerKnown, consultationsNoLongerKnown).',
];

export function personalExport(identity: ChatIdentity, records: readonly MembershipRecords[], now: Date): PersonalExport {
  return {
    format: 'partnerbot/personal-export@1',
    exportedAt: now.toISOString(),
    identity,
    memberships: records.map((r) => {
      const { partnershipId: _p, ...member } = r.member;
      const titles = new Map(r.consultations.map((c) => [c.id, c.title]));
      return {
        partnership: { id: r.partnership.id, name: r.partnership.name },
        member,
        retentionMonths: r.partnership.retentionMonths,
        consultationAnswers: r.responses.map((x) => ({
          consultationId: x.consultationId, title: titles.get(x.consultationId) ?? '', answer: x.kind, proposedDate: x.proposedDate, at: x.at,
        })),
        consultationsOwned: r.consultations.filter((c) => c.ownerId === r.member.id).map((c) => ({ consultationId: c.id, title: c.title, deadline: c.deadline, status: c.status })),
        pollsTakenPart: r.polls.filter((x) => r.tookPart.has(x.id)).map((x) => ({ pollId: x.id, form: x.form, openedAt: x.openedAt, closesAt: x.closesAt })),
        pollsNoLongerKnown: r.polls.filter((x) => r.purged.has(x.id)).map((x) => x.id),
        consultationsNoLongerKnown: r.consultations.filter((c) => r.purgedConsultations.has(c.id)).map((c) => c.id),
      };
    }),
    notes: [...PERSONAL_EXPORT_NOTES],
  };
}

// ---- a partnership's data -------------------------------------------------------------------------

export interface PartnershipRecords {
  partnership: Partnership;
  channels: ChannelRef[];
  members: Member[];
  consultations: {
    consultation: Consultation;
    responses: ConsultationResponse[];
    forgottenResponses: Record<string, number>;
    /** Set once the responses are past retention (then `responses` is empty). */
    keptCounts: ConsultationSummary | null;
  }[];
  polls: { poll: Poll; published: PublishedResult | null }[];
  audit: AuditEntry[];
}

export function partnershipExport(r: PartnershipRecords, now: Date) {
  return {
    format: 'partnerbot/partnership-export@1' as const,
    exportedAt: now.toISOString(),
    partnership: r.partnership,
    channels: r.channels,
    members: r.members,
    consultations: r.consultations.map((c) => ({
      ...c.consultation,
      responses: c.responses,
      /** Responses of members who have since been forgotten: counts only. */
      forgottenResponses: c.forgottenResponses,
      /** Past retention: the responses are gone, these anonymous counts (by sector) stay. */
      keptCounts: c.keptCounts,
    })),
    /** Pulse polls with what their results published; ballots are never exported. Open polls show no results. */
    polls: r.polls.map((x) => ({ ...x.poll, results: x.published })),
    audit: r.audit,
  };
}

// ---- delivering an export ---------------------------------------------------------------------

/** JSON with every non-ASCII character escaped: the text survives any renderer's clean-up unchanged
 * (no bidi override or control character in it), and JSON.parse gives back the exact data. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * An export as a message only its requester sees: a note and the JSON as a file (adapters upload it
 * in a direct message, or show it as text where there are no files).
 */
export function exportMessage(heading: string, fileName: string, data: unknown, note: string): Message {
  return privateMessage(
    heading,
    para(t(note)),
    { kind: 'file', name: fileName, mime: 'application/json', title: heading, content: asciiJson(data) },
    context(t('Keep it safe: it is personal data.')),
  );
}

export function exportFileName(kind: 'me' | 'partnership', now: Date): string {
  return `partnerbot-${kind}-${now.toISOString().slice(0, 10)}.json`;
}

// ---- erasure and deletion ---------------------------------------------------------------------

/** The only coordinator cannot be forgotten: the partnership would have nobody to run it. */
export function soleCoordinatorOf(member: Member, members: readonly Member[]): boolean {
  const coordinators = members.filter((m) => m.roles.includes('coordinator'));
  return coordinators.length === 1 && coordinators[0]!.id === member.id;
}

const confirmButton = (label: string, text: string): Block => ({
  kind: 'buttons',
  buttons: [{ label, style: 'danger', action: { type: 'command', text } }],
});

export function forgetPreview(partnerships: readonly string[]): Message {
  if (!partnerships.length) return privateMessage(undefined, para(t('partnerbot holds no personal data about you: you are not a member of any partnership.')));
  return privateMessage(
    'Forget me: what would be erased',
    para(t('Your membership of '), ...names(partnerships), t(', your name, organisation, chat identities and consultation answers will be erased, and the messages addressed to you deleted.')),
    para(t('What stays, with nothing linking it to you: how many people answered each consultation, and anonymous pulse poll results. Audit entries of what you did as a coordinator or chair stay, without your name.')),
    para(b('This cannot be undone.'), t(' To go ahead: '), b('/partner forget me confirm')),
    confirmButton('Erase my data', '/partner forget me confirm'),
  );
}

export function forgetDone(partnerships: readonly string[]): Message {
  return privateMessage(
    undefined,
    para(t('Done: your personal data is erased from '), ...names(partnerships), t('. Anonymous counts and poll results stay. You can join again at any time.')),
  );
}

export function deletePreview(p: Partnership, counts: { members: number; consultations: number; polls: number }): Message {
  return privateMessage(
    'Delete the partnership: what would be deleted',
    para(t('The partnership '), u(p.name), t(` and everything it holds: ${counts.members} members, ${counts.consultations} consultations with their responses, ${counts.polls} pulse polls with their answers and results, its schedule, messages and audit log. Its channels are unlinked and told.`)),
    para(t('Export it first if you need a copy: '), b('/partner export partnership')),
    para(b('This cannot be undone.'), t(' To go ahead: '), b('/partner delete partnership confirm')),
    confirmButton('Delete the partnership', '/partner delete partnership confirm'),
  );
}

export function deletedNotice(name: string): Message {
  return message(undefined, para(t('The partnership '), u(name), t(' has been deleted by a coordinator, with all its records. This channel is no longer linked to it.')));
}

function names(list: readonly string[]) {
  return list.flatMap((n, i) => [...(i === 0 ? [] : [t(i === list.length - 1 ? ' and ' : ', ')]), u(n)]);
}
