// Pure builders for test data: sensible defaults, and overrides for what a test is about.
import type { Consultation, ConsultationResponse } from '../../src/domain/consultation.ts';
import { DEFAULT_RETENTION_MONTHS, DEFAULT_SETTINGS, type ChannelRef, type Member, type Partnership, type PartnershipSettings } from '../../src/domain/partnership.ts';
import type { Poll } from '../../src/domain/pulse.ts';

export const PARTNERSHIP_ID = 'pt-1';

/** The local adapter's #general, and a Slack channel: a partnership posting to two places. */
export const GENERAL: ChannelRef = { platform: 'local', workspace: 'local', channel: 'general' };
export const SLACK_CHANNEL: ChannelRef = { platform: 'slack', workspace: 'T1', channel: 'C1' };

export type PartnershipOverrides = Partial<Omit<Partnership, 'settings'>> & { settings?: Partial<PartnershipSettings> };

/** An active partnership in London with the default settings; `settings` overrides are merged into them. */
export function partnership(over: PartnershipOverrides = {}): Partnership {
  const { settings, ...rest } = over;
  return {
    id: PARTNERSHIP_ID,
    name: 'Riverside Partnership',
    purpose: 'Joining up services',
    timezone: 'Europe/London',
    region: 'GB',
    settings: { ...DEFAULT_SETTINGS, ...settings },
    reviewDate: null,
    lastReviewAt: null,
    status: 'active',
    createdAt: '2026-01-01T00:00:00Z',
    retentionMonths: DEFAULT_RETENTION_MONTHS,
    ...rest,
  };
}

/** A member called `name`: id `m-<name>` and a local chat identity `<name>`, both lower-cased. */
export function member(name: string, over: Partial<Member> = {}): Member {
  const handle = name.toLowerCase();
  return {
    id: `m-${handle}`,
    partnershipId: PARTNERSHIP_ID,
    name,
    roles: ['member'],
    sector: 'public',
    organisation: `${name} Org`,
    identities: [{ platform: 'local', workspace: 'local', user: handle }],
    joinedAt: '2026-01-01T00:00:00Z',
    ...over,
  };
}

/** An open consultation of everyone, opened 1 Sep 2026 and due Tue 20 Oct 2026. */
export function consultation(over: Partial<Consultation> = {}): Consultation {
  return {
    id: 'c-1',
    partnershipId: PARTNERSHIP_ID,
    title: 'Draft strategy',
    link: null,
    ownerId: 'm-1',
    openedAt: '2026-09-01T09:00:00Z',
    deadline: '2026-10-20',
    audience: { all: true },
    status: 'open',
    feedback: null,
    feedbackAt: null,
    ...over,
  };
}

/** A member's "responded" to consultation c-1. */
export function response(memberId: string, over: Partial<ConsultationResponse> = {}): ConsultationResponse {
  return { consultationId: 'c-1', memberId, kind: 'responded', proposedDate: null, at: '2026-10-01T10:00:00Z', ...over };
}

/** A closed full pulse poll with k = 5, opened Tue 1 Dec 2026 and closed Mon 7 Dec 2026 09:30. */
export function poll(over: Partial<Poll> = {}): Poll {
  return {
    id: 'p-1',
    partnershipId: PARTNERSHIP_ID,
    form: 'full',
    openedAt: '2026-12-01T10:00:00.000Z',
    closesAt: '2026-12-07T09:30:00Z',
    status: 'closed',
    k: 5,
    createdBy: 'm-1',
    ...over,
  };
}
