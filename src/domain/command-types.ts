// The typed commands every platform's text and buttons turn into. Parsing lives in commands.ts.
import type { PulseBlock, ResponseKind } from './message.ts';
import type { Role, Sector } from './partnership.ts';
import type { PollForm } from './pulse.ts';

/** A person named in a command: a platform mention (<@U123>, <@U123|ann>) or a plain @name / name. */
export type UserRef = { id: string } | { name: string };

export type AudienceSpec = { all: true } | { all?: false; sectors: Sector[]; users: UserRef[] };

export interface SettingsChange {
  anonymityK?: number;
  minNoticeDays?: number;
  overloadLimit?: number;
  pulseSchedule?: 'monthly' | 'off';
  pulseOpenDays?: number;
  digestWeekday?: number;
  digestTime?: string;
  workStart?: string;
  timezone?: string;
  region?: string;
  purpose?: string;
  retentionMonths?: number;
}

export type Command =
  | { verb: 'help'; topic?: string }
  /** The person's own view: what waits for their answer, across their partnerships. */
  | { verb: 'home' }
  /** Creates a partnership bound to the channel the command came from; the caller becomes coordinator and chair. */
  | { verb: 'setup'; name: string; purpose?: string; timezone?: string; region?: string }
  | { verb: 'settings'; changes: SettingsChange }
  | { verb: 'join'; sector: Sector; organisation: string; name?: string }
  | { verb: 'members' }
  | { verb: 'role'; user: UserRef; roles: Role[] }
  /** Dates are local calendar dates YYYY-MM-DD, resolved against the partnership's "today". */
  | { verb: 'consult'; title: string; deadline: string; audience: AudienceSpec; link?: string; confirm: boolean }
  | { verb: 'consult.list' }
  | { verb: 'respond'; consultationId: string; kind: ResponseKind; proposedDate?: string }
  | { verb: 'pulse.start'; form: PollForm; days?: number }
  | { verb: 'pulse.close'; pollId?: string }
  | { verb: 'pulse.answer'; pollId?: string; answers: Partial<Record<PulseBlock, number>>; comment?: string }
  | { verb: 'results'; pollId?: string; bySector: boolean }
  | { verb: 'review' }
  | { verb: 'review.set'; date: string }
  | { verb: 'review.pack' }
  | { verb: 'review.done'; decision: 'continue' | 'change' | 'wind_up'; nextDate?: string; note?: string }
  | { verb: 'feedback'; consultationId: string; text: string }
  | { verb: 'digest' }
  | { verb: 'status' }
  /** A one-time code to connect another platform's channel or account to this partnership. */
  | { verb: 'link' }
  | { verb: 'link.use'; code: string }
  /** The person's own data, across every partnership they are in, as JSON shown only to them. */
  | { verb: 'export.me' }
  /** Everything a partnership holds (published poll results only, never ballots), for its coordinators. */
  | { verb: 'export.partnership' }
  /** Erases the person from every partnership; without `confirm` it only says what would go. */
  | { verb: 'forget.me'; confirm: boolean }
  /** Deletes the partnership and all its records; without `confirm` it only says what would go. */
  | { verb: 'delete.partnership'; confirm: boolean }
  /** The latest audit log entries (coordinator and chair actions). */
  | { verb: 'audit'; limit?: number };

export type Verb = Command['verb'];

export type ParseResult =
  | { ok: true; command: Command }
  /** `error` says what was wrong; `usage` shows the right form of the command. */
  | { ok: false; error: string; usage: string };

export interface ParseContext {
  /** The moment the command was sent. */
  now: Date;
  /** IANA timezone used to decide what "today", "next friday" and "in 3 weeks" mean. */
  timezone: string;
}
