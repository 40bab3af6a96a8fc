// Calendar arithmetic in a partnership's timezone, and its working days and public holidays.
// Local dates are "YYYY-MM-DD" strings; instants are ISO strings in UTC ("...Z").
import Holidays from 'date-holidays';
import { DateTime, IANAZone } from 'luxon';

export function isValidTimezone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

export function isIsoDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && DateTime.fromISO(s, { zone: 'UTC' }).isValid;
}

function day(date: string): DateTime {
  const d = DateTime.fromISO(date, { zone: 'UTC' });
  if (!d.isValid) throw new RangeError(`not a date: ${date}`);
  return d;
}

/** Calendar answers cost luxon a parse each, and zone conversions an Intl call too, while a tick
 * asks the same few over and over (a thousand digests in one timezone, the same deadlines): their
 * results are kept. The functions are pure, so this changes nothing but the time; bounded by clearing. */
const known = new Map<string, string | number>();
function memo<T extends string | number>(key: string, compute: () => T): T {
  let value = known.get(key) as T | undefined;
  if (value === undefined) {
    if (known.size >= 10_000) known.clear();
    known.set(key, (value = compute()));
  }
  return value;
}

/** The local calendar date of an instant in a timezone. */
export function localDate(instant: Date | string, tz: string): string {
  return memo(`date|${typeof instant === 'string' ? instant : instant.getTime()}|${tz}`, () => {
    const dt = typeof instant === 'string' ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant);
    return dt.setZone(tz).toISODate()!;
  });
}

/** The local time "HH:MM" of an instant in a timezone. */
export function localTime(instant: Date | string, tz: string): string {
  const dt = typeof instant === 'string' ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant);
  return dt.setZone(tz).toFormat('HH:mm');
}

/** The instant (ISO, UTC) of a local date and "HH:MM" time in a timezone. */
export function atLocal(date: string, time: string, tz: string): string {
  return memo(`at|${date}|${time}|${tz}`, () => {
    const [h, m] = time.split(':').map(Number);
    const d = day(date);
    const dt = DateTime.fromObject({ year: d.year, month: d.month, day: d.day, hour: h ?? 0, minute: m ?? 0 }, { zone: tz });
    return dt.toUTC().toISO({ suppressMilliseconds: true })!;
  });
}

/** The instant a local date ends (midnight starting the next day). */
export function endOfLocalDay(date: string, tz: string): string {
  return atLocal(addDays(date, 1), '00:00', tz);
}

export function addDays(date: string, n: number): string {
  return memo(`add|${date}|${n}`, () => day(date).plus({ days: n }).toISODate()!);
}

export function addMonths(date: string, n: number): string {
  return day(date).plus({ months: n }).toISODate()!;
}

/** Whole days from a to b (b - a). */
export function daysBetween(a: string, b: string): number {
  return memo(`between|${a}|${b}`, () => Math.round(day(b).diff(day(a), 'days').days));
}

/** 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  return memo(`weekday|${date}`, () => day(date).weekday);
}

/** "Tue 15 Dec 2026", for messages. */
export function formatDate(date: string): string {
  return memo(`format|${date}`, () => day(date).toFormat('ccc d LLL yyyy'));
}

const holidayCache = new Map<string, Map<string, string>>();

/** Public and bank holidays of a region in a year, by local date (date-holidays' own local dates). */
function holidaysOf(region: string, year: number): Map<string, string> {
  const key = `${region}:${year}`;
  let found = holidayCache.get(key);
  if (!found) {
    const [country, state] = region.split('-');
    const hd = state ? new Holidays(country ?? '', state) : new Holidays(country ?? '');
    found = new Map();
    for (const h of hd.getHolidays(year) || []) {
      if (h.type === 'public' || h.type === 'bank') found.set(h.date.slice(0, 10), h.name);
    }
    holidayCache.set(key, found);
  }
  return found;
}

/** True when date-holidays knows the region ("GB", "GB-SCT", "DE-BY", ...). */
export function isKnownRegion(region: string): boolean {
  const [country, state] = region.split('-');
  if (!country) return false;
  const countries = new Holidays().getCountries();
  if (!(country in countries)) return false;
  if (!state) return true;
  const states = new Holidays().getStates(country) ?? {};
  return state in states;
}

/** The name of the public holiday on a date in a region, or null. */
export function publicHoliday(date: string, region: string): string | null {
  return holidaysOf(region, day(date).year).get(date) ?? null;
}

export interface WorkingWeek {
  workDays: number[];
  region: string;
}

export function isWorkingDay(date: string, week: WorkingWeek): boolean {
  const d = day(date); // parsed once for both the weekday and the holiday year (a hot path in ticks)
  return week.workDays.includes(d.weekday) && !holidaysOf(week.region, d.year).has(date);
}

/** The date itself if it is a working day, else the nearest working day before it. */
export function onOrBeforeWorkingDay(date: string, week: WorkingWeek): string {
  let d = date;
  for (let i = 0; i < 31 && !isWorkingDay(d, week); i++) d = addDays(d, -1);
  return d;
}

/** The date itself if it is a working day, else the nearest working day after it. */
export function onOrAfterWorkingDay(date: string, week: WorkingWeek): string {
  let d = date;
  for (let i = 0; i < 31 && !isWorkingDay(d, week); i++) d = addDays(d, 1);
  return d;
}
