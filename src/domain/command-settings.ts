// setup and settings: a partnership's name, timezone, region and purpose, and its key=value settings.
import type { Command, SettingsChange } from './command-types.ts';
import { MAX_RETENTION_MONTHS, MIN_ANONYMITY_K, MIN_RETENTION_MONTHS } from './partnership.ts';
import { type Scope, q } from './command-scope.ts';
import { clockTime, freeText, pollDays, region, timezone, wholeNumber } from './command-values.ts';

export function parseSetup(s: Scope): Command {
  const command: Extract<Command, { verb: 'setup' }> = { verb: 'setup', name: '' };
  const words: string[] = [];
  for (const t of s.args) {
    if (!t.kv) {
      words.push(t.text);
      continue;
    }
    const { key, value } = t.kv;
    if (key === 'tz' || key === 'timezone') command.timezone = timezone(s, value);
    else if (key === 'region') command.region = region(s, value);
    else if (key === 'purpose') command.purpose = freeText(s, value, 'The purpose', 500);
    else if (key === 'name') words.push(value);
    else s.fail(`${q(t.raw)} is not a setup option: use tz=..., region=... or purpose="...".`);
  }
  command.name = freeText(s, words.join(' '), 'The partnership name', 100, 'Give the partnership a name, e.g. setup "Leith Food Partnership".');
  return command;
}

const SETTING_KEYS = ['k', 'notice', 'overload', 'pulse', 'pulse-days', 'digest', 'workstart', 'tz', 'region', 'purpose', 'retention'] as const;
type SettingKey = (typeof SETTING_KEYS)[number];
const SETTING_ALIASES: Record<string, SettingKey> = {
  anonymity: 'k',
  'min-notice': 'notice',
  pulsedays: 'pulse-days',
  'work-start': 'workstart',
  timezone: 'tz',
  'retention-months': 'retention',
};

export function parseSettings(s: Scope): Command {
  const changes: SettingsChange = {};
  const seen = new Set<SettingKey>();
  if (s.args.length === 0) s.fail('Say what to change, e.g. settings k=5 notice=12w.');
  for (let i = 0; i < s.args.length; i++) {
    const t = s.args[i]!;
    if (!t.kv) s.fail(`Settings are written key=value, and ${q(t.raw)} is not. Keys: ${SETTING_KEYS.join(', ')}.`);
    const typed = t.kv.key.replace(/_/g, '-');
    const key = (SETTING_KEYS as readonly string[]).includes(typed) ? (typed as SettingKey) : SETTING_ALIASES[typed];
    if (!key) s.fail(`There is no setting ${q(t.kv.key)}. Settings: ${SETTING_KEYS.join(', ')}.`);
    if (seen.has(key)) s.fail(`The setting "${key}" is given twice.`);
    seen.add(key);
    let value = t.kv.value.trim();
    // `digest=mon 09:00` arrives as two tokens: take the time that follows.
    const next = s.args[i + 1];
    if (key === 'digest' && next && !next.kv && !next.quoted && clockTime(next.text)) {
      value = `${value} ${next.text}`;
      i++;
    }
    if (!value && key !== 'purpose') s.fail(`Give a value for "${key}", e.g. ${key}=${SETTING_EXAMPLE[key]}.`);
    setSetting(s, changes, key, value);
  }
  return { verb: 'settings', changes };
}

const SETTING_EXAMPLE: Record<SettingKey, string> = {
  k: '5',
  notice: '12w',
  overload: '3',
  pulse: 'monthly',
  'pulse-days': '5',
  digest: '"mon 09:00"',
  workstart: '09:30',
  tz: 'Europe/London',
  region: 'GB',
  purpose: '"..."',
  retention: '24',
};

function setSetting(s: Scope, changes: SettingsChange, key: SettingKey, value: string): void {
  switch (key) {
    case 'k': {
      const k = wholeNumber(value);
      if (k === null) s.fail(`The anonymity threshold k must be a whole number from ${MIN_ANONYMITY_K} to 50, not ${q(value)}.`);
      if (k < MIN_ANONYMITY_K) s.fail(`The anonymity threshold k can't be below ${MIN_ANONYMITY_K} (you gave ${k}): with fewer answers people could be identified.`);
      if (k > 50) s.fail(`The anonymity threshold k can be at most 50 (you gave ${k}).`);
      changes.anonymityK = k;
      return;
    }
    case 'notice': {
      const m = /^(\d{1,4})\s*(w|wk|wks|weeks?|d|days?)?$/i.exec(value);
      const days = m ? Number(m[1]) * (/^w/i.test(m[2] ?? '') ? 7 : 1) : NaN;
      if (!(days >= 1 && days <= 365)) s.fail(`Minimum notice is weeks or days between 1 day and 52 weeks, like 12w or 84d, not ${q(value)}.`);
      changes.minNoticeDays = days;
      return;
    }
    case 'overload': {
      const n = wholeNumber(value);
      if (n === null || n < 1 || n > 100) s.fail(`overload is how many consultations may fall due within 14 days before a warning: a whole number from 1 to 100, not ${q(value)}.`);
      changes.overloadLimit = n;
      return;
    }
    case 'pulse': {
      const v = value.toLowerCase();
      if (v !== 'monthly' && v !== 'off') s.fail(`pulse is "monthly" or "off", not ${q(value)}.`);
      changes.pulseSchedule = v;
      return;
    }
    case 'pulse-days':
      changes.pulseOpenDays = pollDays(s, value);
      return;
    case 'digest':
      Object.assign(changes, digestSchedule(s, value));
      return;
    case 'workstart': {
      const time = clockTime(value);
      if (!time) s.fail(`workstart is a time of day like 09:30, not ${q(value)}.`);
      changes.workStart = time;
      return;
    }
    case 'tz':
      changes.timezone = timezone(s, value);
      return;
    case 'region':
      changes.region = region(s, value);
      return;
    case 'purpose':
      changes.purpose = freeText(s, value, 'The purpose', 500);
      return;
    case 'retention':
      changes.retentionMonths = retentionMonths(s, value);
      return;
  }
}

/** `retention=24`, `24m`, `18 months` or `2y`: whole months within the allowed range. */
function retentionMonths(s: Scope, value: string): number {
  const m = /^(\d{1,4})\s*(m|mo|mos|months?|y|yr|yrs|years?)?$/i.exec(value.trim());
  const range = `from ${MIN_RETENTION_MONTHS} to ${MAX_RETENTION_MONTHS} months`;
  if (!m) s.fail(`retention is how many months poll answers and consultation responses are kept after closing: a whole number ${range} (or years, like 2y), not ${q(value)}.`);
  const months = Number(m[1]) * (/^y/i.test(m[2] ?? '') ? 12 : 1);
  if (months < MIN_RETENTION_MONTHS || months > MAX_RETENTION_MONTHS) s.fail(`retention can be ${range} (you gave ${months} months).`);
  return months;
}

const WEEKDAYS: Record<string, number> = {
  mon: 1, monday: 1, tue: 2, tues: 2, tuesday: 2, wed: 3, weds: 3, wednesday: 3, thu: 4, thur: 4, thurs: 4,
  thursday: 4, fri: 5, friday: 5, sat: 6, saturday: 6, sun: 7, sunday: 7,
};

function digestSchedule(s: Scope, value: string): Pick<SettingsChange, 'digestWeekday' | 'digestTime'> {
  const parts = value.toLowerCase().split(/[\s,@]+/).filter(Boolean);
  if (parts.some((p) => ['off', 'none', 'never', 'no'].includes(p))) {
    s.fail('Digests can\'t be turned off; choose a day and time instead, e.g. digest="mon 09:00".');
  }
  const out: Pick<SettingsChange, 'digestWeekday' | 'digestTime'> = {};
  for (const p of parts) {
    const day = Object.hasOwn(WEEKDAYS, p) ? WEEKDAYS[p] : undefined;
    const time = clockTime(p);
    if (day !== undefined && out.digestWeekday === undefined) out.digestWeekday = day;
    else if (time && out.digestTime === undefined) out.digestTime = time;
    else s.fail(`The digest is a weekday and a time, like digest="mon 09:00" or digest="friday 16:30"; ${q(p)} is neither.`);
  }
  return out;
}
