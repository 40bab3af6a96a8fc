// Readers for the values several verbs take (numbers, times, timezones, regions, free text, sectors,
// ids): each returns the value or fails the scope with a sentence saying what is expected.
import type { Sector } from './partnership.ts';
import { type Scope, q } from './command-scope.ts';
import type { Token } from './command-tokens.ts';
import { isKnownRegion, isValidTimezone } from './time.ts';

/** "9:30", "09:30", "16.30", "9am", "4:30pm" -> "HH:MM", else null. */
export function clockTime(value: string): string | null {
  const m = /^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$/i.exec(value.trim());
  if (!m || (m[2] === undefined && m[3] === undefined)) return null;
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? 0);
  const meridiem = m[3]?.toLowerCase();
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return null;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

export function wholeNumber(value: string): number | null {
  return /^\d{1,6}$/.test(value.trim()) ? Number(value) : null;
}

export function pollDays(s: Scope, value: string): number {
  const n = wholeNumber(value);
  if (n === null || n < 1 || n > 30) s.fail(`A poll stays open from 1 to 30 days, not ${q(value)}.`);
  return n;
}

export function timezone(s: Scope, value: string): string {
  const tz = value.trim();
  if (!tz || !isValidTimezone(tz)) s.fail(`${q(value)} is not a timezone I know; use an IANA name such as Europe/London or Europe/Dublin.`);
  // Canonical spelling, so "europe/london" is stored as "Europe/London".
  return new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
}

export function region(s: Scope, value: string): string {
  const r = value.trim().toUpperCase();
  if (!/^[A-Z]{2}(-[A-Z0-9]{1,4})?$/.test(r) || !isKnownRegion(r)) {
    s.fail(`${q(value)} is not a holiday region I know; use a country code like GB, or country-region like GB-SCT.`);
  }
  return r;
}

export function freeText(s: Scope, value: string, what: string, max: number, missing?: string): string {
  const text = value.trim();
  if (!text) s.fail(missing ?? `${what} is empty; write it in quotes, e.g. purpose="Fewer people going hungry".`);
  const length = [...text].length;
  if (length > max) s.fail(`${what} can be at most ${max} characters (it has ${length}).`);
  return text;
}

const SECTOR_ALIASES: Record<string, Sector> = {
  public: 'public', 'public-sector': 'public', council: 'public', government: 'public', statutory: 'public',
  third: 'third', 'third-sector': 'third', voluntary: 'third', charity: 'third', vcse: 'third', 'not-for-profit': 'third',
  private: 'private', 'private-sector': 'private', business: 'private',
  community: 'community',
};

export function sectorOf(word: string): Sector | undefined {
  const w = word.toLowerCase().replace(/_/g, '-');
  return Object.hasOwn(SECTOR_ALIASES, w) ? SECTOR_ALIASES[w] : undefined;
}

const ID = /^[a-z]-[a-z0-9]{4,16}$/;

export function parseId(s: Scope, t: Token | undefined, what: 'consultation' | 'poll'): string {
  const example = what === 'consultation' ? 'c-7k2m9q4x' : 'p-3h8d2k6w';
  if (!t) s.fail(`Say which ${what} (its id looks like ${example}).`);
  const id = t.text.toLowerCase();
  if (t.kv || t.mention || !ID.test(id)) s.fail(`${q(t.text)} doesn't look like a ${what} id; they look like ${example}.`);
  return id;
}

export function looksLikeId(t: Token | undefined): boolean {
  return t !== undefined && !t.kv && !t.quoted && /^[a-z]-[a-z0-9]+$/i.test(t.text);
}
