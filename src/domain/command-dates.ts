// Date phrases ("15 Dec", "in 3 weeks", "2026-12-15") -> a local date after the partnership's today.
// English only: the package index also loads every other locale (~0.25 s of start-up and ~10 MB).
import * as en from 'chrono-node/en';
import type { ParseContext } from './command-types.ts';
import { ParseError, Scope, q } from './command-scope.ts';
import { addMonths, formatDate, isIsoDate } from './time.ts';

/** A date phrase ("15 Dec", "in 3 weeks", "2026-12-15") -> a local date after today, or an error. */
export function parseDatePhrase(phrase: string, ctx: ParseContext, what = 'The date'): { ok: true; date: string } | { ok: false; error: string } {
  try {
    return { ok: true, date: resolveDate(phrase, new Scope([], '', ctx, 'help'), what) };
  } catch (e) {
    return { ok: false, error: e instanceof ParseError ? e.message : `I couldn't read ${q(phrase)} as a date.` };
  }
}

const DATE_EXAMPLES = 'Try 2026-12-15, 15 Dec, in 3 weeks or next friday.';

/**
 * A date phrase -> a local date "YYYY-MM-DD" after the partnership's today. chrono (British
 * day/month order) reads it against noon of that local today, so the host's timezone never
 * shifts the day; the date is taken from chrono's year/month/day components.
 */
export function resolveDate(phrase: string, s: Scope, what: string): string {
  const text = phrase.trim().replace(/[.,;:!]+$/, '');
  if (!text) s.fail(`${what} is missing. ${DATE_EXAMPLES}`);
  const [y, m, d] = s.today.split('-').map(Number);
  const reference = new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1, 12, 0, 0, 0);
  // forwardDate makes "15 Dec" and "friday" mean the next one, but it would also turn "last monday" into a future date.
  const past = /\b(last|ago|previous|yesterday)\b/i.test(text);
  const found = en.GB.parse(text, reference, { forwardDate: !past });
  const r = found[0];
  const leftover = r ? text.slice(0, r.index) + ' ' + text.slice(r.index + r.text.length) : text;
  if (!r || found.length > 1 || leftover.replace(/\b(on|the)\b/gi, '').replace(/[\s,.]/g, '') !== '') {
    s.fail(`I couldn't read ${q(phrase)} as a date. ${DATE_EXAMPLES}`);
  }
  if (!(['day', 'weekday', 'month', 'year'] as const).some((c) => r.start.isCertain(c))) {
    s.fail(`${q(phrase)} is a time, not a date. ${DATE_EXAMPLES}`);
  }
  const year = r.start.get('year') ?? 0;
  const date = `${String(year).padStart(4, '0')}-${String(r.start.get('month')).padStart(2, '0')}-${String(r.start.get('day')).padStart(2, '0')}`;
  if (!isIsoDate(date)) s.fail(`I couldn't read ${q(phrase)} as a date. ${DATE_EXAMPLES}`);
  if (date <= s.today) s.fail(`${what} must be after today: ${q(phrase)} is ${formatDate(date)}.`);
  if (date > addMonths(s.today, 120)) s.fail(`${what} must be within ten years: ${q(phrase)} is ${formatDate(date)}.`);
  return date;
}
