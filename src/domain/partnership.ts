// Partnerships, members, roles, sectors and chat identities.

export const PLATFORMS = ['slack', 'teams', 'local'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const ROLES = ['coordinator', 'chair', 'member'] as const;
export type Role = (typeof ROLES)[number];

export const SECTORS = ['public', 'third', 'private', 'community'] as const;
export type Sector = (typeof SECTORS)[number];

export const SECTOR_LABELS: Record<Sector, string> = {
  public: 'public sector',
  third: 'third sector',
  private: 'private sector',
  community: 'community',
};

/** A person as one chat platform knows them: Slack team + user, Teams tenant + AAD object id, or a local name. */
export interface ChatIdentity {
  platform: Platform;
  workspace: string;
  user: string;
}

/** A place messages can be posted: a channel (or Teams conversation) on one platform. */
export interface ChannelRef {
  platform: Platform;
  workspace: string;
  channel: string;
}

/** Where an outgoing message goes: a channel, or one person directly. */
export type Target =
  | ({ kind: 'channel' } & ChannelRef)
  | ({ kind: 'user' } & ChatIdentity);

export interface PartnershipSettings {
  /** Consultation notice shorter than this is flagged (12 weeks: UK public-body guidance). */
  minNoticeDays: number;
  /** Days before a consultation deadline on which non-responders are nudged (0 = on the day). */
  nudgeOffsetsDays: number[];
  /** Local time of day ("HH:MM") at which nudges, reminders and chases go out. */
  workStart: string;
  /** ISO weekdays (1 = Monday … 7 = Sunday) that count as working days. */
  workDays: number[];
  /** More than this many consultations due for one member or organisation within overloadWindowDays warns. */
  overloadLimit: number;
  overloadWindowDays: number;
  /** Anonymity threshold: results show only when at least k answered. Never below 3. */
  anonymityK: number;
  /** Automatic pulse polls: 'monthly' or 'off'. */
  pulseSchedule: 'monthly' | 'off';
  pulseOpenDays: number;
  /** Days before the review date on which the chair is reminded. */
  reviewReminderDays: number[];
  /** Days after a consultation deadline on which the owner is chased for feedback. */
  feedbackChaseDays: number[];
  /** Digest day (ISO weekday) and local time. */
  digestWeekday: number;
  digestTime: string;
  /** A digest missed by more than this (e.g. the bot was down) is skipped and logged, not sent late. */
  digestCatchupHours: number;
}

export const DEFAULT_SETTINGS: PartnershipSettings = {
  minNoticeDays: 84,
  nudgeOffsetsDays: [14, 7, 2, 0],
  workStart: '09:30',
  workDays: [1, 2, 3, 4, 5],
  overloadLimit: 3,
  overloadWindowDays: 14,
  anonymityK: 5,
  pulseSchedule: 'monthly',
  pulseOpenDays: 5,
  reviewReminderDays: [30, 7, 1],
  feedbackChaseDays: [7, 14],
  digestWeekday: 1,
  digestTime: '09:00',
  digestCatchupHours: 12,
};

export const MIN_ANONYMITY_K = 3;

/** How long poll answers and consultation responses are kept after a poll or consultation closes,
 * unless a coordinator chooses otherwise (`settings retention=N`); then only aggregates stay. */
export const DEFAULT_RETENTION_MONTHS = 24;
/** The range a coordinator may choose, in months: at least one month, at most ten years. */
export const MIN_RETENTION_MONTHS = 1;
export const MAX_RETENTION_MONTHS = 120;

export interface Partnership {
  id: string;
  name: string;
  purpose: string;
  /** IANA timezone, default Europe/London. */
  timezone: string;
  /** Public-holiday region for date-holidays, e.g. "GB", "GB-SCT". */
  region: string;
  settings: PartnershipSettings;
  /** Next review date as a local calendar date (YYYY-MM-DD), or null when none is set. */
  reviewDate: string | null;
  /** When the last review was recorded (ISO instant); the review pack covers the time since. */
  lastReviewAt: string | null;
  status: 'active' | 'wound_up';
  createdAt: string;
  /** Months poll answers and consultation responses are kept after closing (see retention.ts). */
  retentionMonths: number;
}

export interface Member {
  id: string;
  partnershipId: string;
  name: string;
  roles: Role[];
  sector: Sector;
  organisation: string;
  identities: ChatIdentity[];
  joinedAt: string;
}

export function hasRole(member: Member, role: Role): boolean {
  return member.roles.includes(role);
}

export function sameIdentity(a: ChatIdentity, b: ChatIdentity): boolean {
  return a.platform === b.platform && a.workspace === b.workspace && a.user === b.user;
}

export function isSector(value: string): value is Sector {
  return (SECTORS as readonly string[]).includes(value);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** The direct-message target for a member: the identity they were last known by comes first. */
export function directTarget(member: Pick<Member, 'identities'>): Target | null {
  const id = member.identities[0];
  return id ? { kind: 'user', ...id } : null;
}

export function channelTarget(ch: ChannelRef): Target {
  return { kind: 'channel', ...ch };
}
