// The /partner grammar, the same on Slack, Teams and the local adapter: text -> a Command, or a
// specific error with the right form of the command. parseCommand never throws, for any string.
import * as chrono from 'chrono-node';
import type { AudienceSpec, Command, ParseContext, ParseResult, SettingsChange, UserRef } from './command-types.ts';
import { HELP_TOPICS, USAGE, isHelpTopic, type HelpTopic } from './help.ts';
import { PULSE_BLOCKS, type PulseBlock, type ResponseKind } from './message.ts';
import { MIN_ANONYMITY_K, ROLES, SECTORS, isRole, type Role, type Sector } from './partnership.ts';
import { addMonths, formatDate, isIsoDate, isKnownRegion, isValidTimezone, localDate } from './time.ts';

export function parseCommand(text: string, ctx: ParseContext): ParseResult {
  try {
    return { ok: true, command: parse(typeof text === 'string' ? text : '', ctx) };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.message, usage: USAGE[e.topic] };
    // A bug here must still reach the person as a sentence, not a stack trace.
    return { ok: false, error: 'Sorry, I could not read that command.', usage: USAGE.help };
  }
}

/** A date phrase ("15 Dec", "in 3 weeks", "2026-12-15") -> a local date after today, or an error. */
export function parseDatePhrase(phrase: string, ctx: ParseContext, what = 'The date'): { ok: true; date: string } | { ok: false; error: string } {
  try {
    return { ok: true, date: resolveDate(phrase, new Scope([], '', ctx, 'help'), what) };
  } catch (e) {
    return { ok: false, error: e instanceof ParseError ? e.message : `I couldn't read ${q(phrase)} as a date.` };
  }
}

class ParseError extends Error {
  constructor(
    message: string,
    readonly topic: HelpTopic,
  ) {
    super(message);
  }
}

/** Quotes what someone typed, shortened, for an error message. */
function q(s: string): string {
  const chars = [...s.trim()];
  return `"${chars.length > 40 ? chars.slice(0, 39).join('') + '…' : chars.join('')}"`;
}

// ---- tokens -----------------------------------------------------------------------------------

interface Token {
  /** What the person meant: quotes removed, Slack markup turned into its visible text. */
  text: string;
  /** As typed, for quoting in errors. */
  raw: string;
  start: number;
  end: number;
  /** Written in quotes: never a keyword. */
  quoted: boolean;
  /** A quote that was opened and never closed. */
  unclosed?: boolean;
  mention?: UserRef;
  url?: string;
  kv?: { key: string; value: string };
}

const DOUBLE_QUOTES = '"“”„‟';
const SINGLE_QUOTES = "'‘’‚‛";
const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&' };

function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp);/g, (m) => ENTITIES[m] ?? m);
}

// Slack escapes text and wraps mentions and links in <...>; Teams wraps mentions in <at>...</at>.
const SLACK_FORM = /^<([@#!]?)([^<>|\s][^<>|]*)(?:\|([^<>]*))?>/;
const TEAMS_MENTION = /^<at>([^<]*)<\/at>/i;

function angleForm(s: string, i: number): { len: number; text: string; mention?: UserRef; url?: string } | null {
  if (s[i] !== '<') return null;
  const rest = s.slice(i, i + 2000);
  const at = TEAMS_MENTION.exec(rest);
  if (at) {
    const name = decodeEntities(at[1] ?? '').trim();
    return { len: at[0].length, text: `@${name}`, mention: { name } };
  }
  const m = SLACK_FORM.exec(rest);
  if (!m) return null;
  const [whole, sigil, inner = '', label] = m;
  if (sigil === '@') return { len: whole.length, text: `@${label || inner}`, mention: { id: inner } };
  if (sigil === '#') return { len: whole.length, text: `#${label || inner}` };
  if (sigil === '!') return { len: whole.length, text: `@${(label || inner.split('^')[0] || '').replace(/^@/, '')}` };
  return { len: whole.length, text: label || inner, url: inner };
}

/** Text with Slack/Teams markup shown as people see it (for quoted text and free text). */
function visible(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; ) {
    const form = angleForm(s, i);
    if (form) {
      out += form.text;
      i += form.len;
    } else {
      out += s[i];
      i++;
    }
  }
  return decodeEntities(out);
}

function isSpace(c: string | undefined): boolean {
  return c !== undefined && /\s/.test(c);
}

/** Where a quote opened at i closes, or -1. A single quote closes only before a space, so "John's" is a word. */
function closingQuote(s: string, i: number): number {
  const quotes = DOUBLE_QUOTES.includes(s[i] ?? '') ? DOUBLE_QUOTES : SINGLE_QUOTES;
  for (let j = i + 1; j < s.length; j++) {
    if (!quotes.includes(s[j] ?? '')) continue;
    if (quotes === DOUBLE_QUOTES || j + 1 === s.length || isSpace(s[j + 1]) || s[j + 1] === ',') return j;
  }
  return -1;
}

const KV = /^([A-Za-z][A-Za-z_-]*)=([^]*)$/;

function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    if (isSpace(s[i])) {
      i++;
      continue;
    }
    const start = i;
    const form = angleForm(s, i);
    if (form) {
      i += form.len;
      tokens.push({ text: form.text, raw: s.slice(start, i), start, end: i, quoted: false, mention: form.mention, url: form.url });
      continue;
    }
    const c = s[i] ?? '';
    if (DOUBLE_QUOTES.includes(c) || SINGLE_QUOTES.includes(c)) {
      const close = closingQuote(s, i);
      if (close >= 0) {
        tokens.push({ text: visible(s.slice(i + 1, close)).trim(), raw: s.slice(start, close + 1), start, end: close + 1, quoted: true });
        i = close + 1;
        continue;
      }
      if (DOUBLE_QUOTES.includes(c)) {
        tokens.push({ text: visible(s.slice(i + 1)).trim(), raw: s.slice(start), start, end: s.length, quoted: true, unclosed: true });
        break;
      }
      // An unmatched single quote is an apostrophe: read on as a word.
    }
    // A bare word, up to a space or a mention/link glued to it; `key="a b"` keeps its quoted value.
    let value: Token | undefined;
    while (i < s.length && !isSpace(s[i]) && !(i > start && angleForm(s, i))) {
      if (s[i] === '=' && KV.test(s.slice(start, i + 1)) && (DOUBLE_QUOTES + SINGLE_QUOTES).includes(s[i + 1] ?? '')) {
        const close = closingQuote(s, i + 1);
        const key = s.slice(start, i).toLowerCase();
        const end = close >= 0 ? close + 1 : s.length;
        const inner = visible(s.slice(i + 2, close >= 0 ? close : s.length)).trim();
        value = { text: `${key}=${inner}`, raw: s.slice(start, end), start, end, quoted: false, kv: { key, value: inner } };
        if (close < 0) value.unclosed = true;
        i = end;
        break;
      }
      i++;
    }
    if (value) {
      tokens.push(value);
      continue;
    }
    const raw = s.slice(start, i);
    const text = decodeEntities(raw);
    const token: Token = { text, raw, start, end: i, quoted: false };
    const kv = KV.exec(text);
    if (kv) token.kv = { key: (kv[1] ?? '').toLowerCase(), value: kv[2] ?? '' };
    else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) token.url = text;
    tokens.push(token);
  }
  return tokens;
}

/** Strips what chat platforms put before the command: a bot mention, "/partner" or "partner". */
function commandText(text: string): string {
  return text
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&quot;/gi, '"')
    .replace(/&#0?39;|&apos;/gi, "'")
    .replace(/^\s*(?:(?:<at>[^<]*<\/at>|<@[A-Za-z0-9]+(?:\|[^<>]*)?>)[\s,:]*)+/i, '')
    .replace(/^\s*\/?partner(?=\s|$)/i, '');
}

// ---- verbs ------------------------------------------------------------------------------------

/** What a verb's parser gets: its arguments and what it needs to resolve dates. */
class Scope {
  private todayCache: string | undefined;
  constructor(
    readonly args: Token[],
    readonly source: string,
    readonly ctx: ParseContext,
    readonly topic: HelpTopic,
  ) {}
  get today(): string {
    if (this.todayCache === undefined) {
      const tz = isValidTimezone(this.ctx.timezone) ? this.ctx.timezone : 'UTC';
      const today = localDate(this.ctx.now, tz);
      if (!isIsoDate(today ?? '')) throw new Error('no valid "now" to resolve dates against');
      this.todayCache = today;
    }
    return this.todayCache;
  }
  fail(message: string): never {
    throw new ParseError(message, this.topic);
  }
}

type VerbParser = (s: Scope) => Command;

const VERBS: Record<string, { topic: HelpTopic; parse: VerbParser }> = {
  help: { topic: 'help', parse: parseHelp },
  '?': { topic: 'help', parse: parseHelp },
  setup: { topic: 'setup', parse: parseSetup },
  settings: { topic: 'settings', parse: parseSettings },
  join: { topic: 'join', parse: parseJoin },
  members: { topic: 'members', parse: (s) => bare(s, { verb: 'members' }) },
  role: { topic: 'role', parse: parseRole },
  consult: { topic: 'consult', parse: parseConsult },
  consultations: { topic: 'consult', parse: (s) => bare(s, { verb: 'consult.list' }, 'consultations') },
  respond: { topic: 'respond', parse: parseRespond },
  pulse: { topic: 'pulse', parse: parsePulse },
  results: { topic: 'results', parse: parseResults },
  review: { topic: 'review', parse: parseReview },
  feedback: { topic: 'feedback', parse: parseFeedback },
  digest: { topic: 'digest', parse: (s) => bare(s, { verb: 'digest' }) },
  status: { topic: 'status', parse: (s) => bare(s, { verb: 'status' }) },
};

/** Longer than any real command (feedback is at most 3000 characters); keeps parsing time bounded. */
const MAX_LENGTH = 5000;

function parse(text: string, ctx: ParseContext): Command {
  if (text.length > MAX_LENGTH) throw new ParseError(`That is too long for a command (${text.length} characters; at most ${MAX_LENGTH}).`, 'help');
  const source = commandText(text);
  const tokens = tokenize(source);
  const first = tokens[0];
  if (!first) return { verb: 'help' };
  const name = first.quoted ? '' : first.text.toLowerCase();
  const verb = Object.hasOwn(VERBS, name) ? VERBS[name] : undefined;
  if (!verb) {
    const guess = closest(name || first.text, Object.keys(VERBS));
    throw new ParseError(
      `I don't know the command ${q(first.text)}.${guess ? ` Did you mean "${guess}"?` : ''} Type /partner help to see every command.`,
      guess && isHelpTopic(guess) ? guess : 'help',
    );
  }
  const scope = new Scope(tokens.slice(1), source, ctx, verb.topic);
  const open = scope.args.find((t) => t.unclosed);
  if (open && verb.topic !== 'feedback') scope.fail(`A quote opened at ${q(open.raw)} is never closed.`);
  return verb.parse(scope);
}

function bare<C extends Command>(s: Scope, command: C, said: string = s.topic): C {
  const extra = s.args[0];
  if (extra) s.fail(`"${said}" takes nothing after it (you typed ${q(s.source.slice(extra.start))}).`);
  return command;
}

function isWord(t: Token | undefined, ...words: string[]): boolean {
  return t !== undefined && !t.quoted && !t.kv && words.includes(t.text.toLowerCase());
}

function parseHelp(s: Scope): Command {
  const words = s.args.map((t) => t.text.toLowerCase().replace(/^\//, '')).filter((w) => w !== 'partner');
  const topic = words[0];
  if (topic === undefined) return { verb: 'help' };
  const known = topic === 'consultations' ? 'consult' : topic;
  if (isHelpTopic(known)) return { verb: 'help', topic: known };
  const guess = closest(topic, [...HELP_TOPICS]);
  return s.fail(`There is no help on ${q(topic)}.${guess ? ` Did you mean "${guess}"?` : ''} Type /partner help to see every command.`);
}

// -- setup, settings, join, role

function parseSetup(s: Scope): Command {
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

const SETTING_KEYS = ['k', 'notice', 'overload', 'pulse', 'pulse-days', 'digest', 'workstart', 'tz', 'region', 'purpose'] as const;
type SettingKey = (typeof SETTING_KEYS)[number];
const SETTING_ALIASES: Record<string, SettingKey> = {
  anonymity: 'k',
  'min-notice': 'notice',
  pulsedays: 'pulse-days',
  'work-start': 'workstart',
  timezone: 'tz',
};

function parseSettings(s: Scope): Command {
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
  }
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

/** "9:30", "09:30", "16.30", "9am", "4:30pm" -> "HH:MM", else null. */
function clockTime(value: string): string | null {
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

function wholeNumber(value: string): number | null {
  return /^\d{1,6}$/.test(value.trim()) ? Number(value) : null;
}

function pollDays(s: Scope, value: string): number {
  const n = wholeNumber(value);
  if (n === null || n < 1 || n > 30) s.fail(`A poll stays open from 1 to 30 days, not ${q(value)}.`);
  return n;
}

function timezone(s: Scope, value: string): string {
  const tz = value.trim();
  if (!tz || !isValidTimezone(tz)) s.fail(`${q(value)} is not a timezone I know; use an IANA name such as Europe/London or Europe/Dublin.`);
  // Canonical spelling, so "europe/london" is stored as "Europe/London".
  return new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
}

function region(s: Scope, value: string): string {
  const r = value.trim().toUpperCase();
  if (!/^[A-Z]{2}(-[A-Z0-9]{1,4})?$/.test(r) || !isKnownRegion(r)) {
    s.fail(`${q(value)} is not a holiday region I know; use a country code like GB, or country-region like GB-SCT.`);
  }
  return r;
}

function freeText(s: Scope, value: string, what: string, max: number, missing?: string): string {
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

function sectorOf(word: string): Sector | undefined {
  const w = word.toLowerCase().replace(/_/g, '-');
  return Object.hasOwn(SECTOR_ALIASES, w) ? SECTOR_ALIASES[w] : undefined;
}

function parseJoin(s: Scope): Command {
  const [first, ...rest] = s.args;
  if (!first || first.kv) s.fail(`Say your sector (${SECTORS.join(', ')}) and your organisation, e.g. join third "Leith Food Bank".`);
  const sector = sectorOf(first.text);
  if (!sector) s.fail(`${q(first.text)} is not a sector: use public, third, private or community, then your organisation.`);
  let name: string | undefined;
  const words: string[] = [];
  for (const t of rest) {
    if (!t.kv) words.push(t.text);
    else if (t.kv.key === 'name') name = freeText(s, t.kv.value, 'Your name', 100);
    else s.fail(`${q(t.raw)} is not a join option; the only one is name="Your Name".`);
  }
  const organisation = freeText(s, words.join(' '), 'The organisation name', 200, 'Say which organisation you are from after the sector, e.g. join third "Leith Food Bank".');
  return name === undefined ? { verb: 'join', sector, organisation } : { verb: 'join', sector, organisation, name };
}


function parseRole(s: Scope): Command {
  const roles: Role[] = [];
  let end = s.args.length;
  // Roles are the trailing words; the person is whatever comes before them ("Ann Smith chair").
  while (end > 1) {
    const t = s.args[end - 1]!;
    const words = t.quoted || t.mention ? [] : t.text.toLowerCase().split(',').filter((w) => w && w !== 'and');
    if (t.text === ',' || isWord(t, 'and')) {
      end--;
      continue;
    }
    if (words.length === 0 || !words.every((w) => isRole(w))) break;
    roles.unshift(...(words as Role[]));
    end--;
  }
  const who = s.args.slice(0, end);
  if (who.length === 0) s.fail('Say who and which role, e.g. role @ann coordinator.');
  if (roles.length === 0) {
    const last = who[who.length - 1]!;
    if (who.length === 1) s.fail(`Say which role to give: ${ROLES.join(', ')}.`);
    s.fail(`${q(last.text)} is not a role: use ${ROLES.join(', ')} (or several, like coordinator,chair).`);
  }
  const mention = who.find((t) => t.mention);
  if (mention && who.length > 1) s.fail(`Name one person: ${q(who.map((t) => t.raw).join(' '))} is more than a mention.`);
  const name = who.map((t) => t.text).join(' ').replace(/^@/, '').trim();
  if (!mention?.mention && !name) s.fail('Say who, e.g. role @ann coordinator.');
  const user: UserRef = mention?.mention ?? { name };
  return { verb: 'role', user, roles: [...new Set(roles)] };
}

// -- consultations

const ID = /^[a-z]-[a-z0-9]{4,16}$/;

function parseId(s: Scope, t: Token | undefined, what: 'consultation' | 'poll'): string {
  const example = what === 'consultation' ? 'c-7k2m9q4x' : 'p-3h8d2k6w';
  if (!t) s.fail(`Say which ${what} (its id looks like ${example}).`);
  const id = t.text.toLowerCase();
  if (t.kv || t.mention || !ID.test(id)) s.fail(`${q(t.text)} doesn't look like a ${what} id; they look like ${example}.`);
  return id;
}

function looksLikeId(t: Token | undefined): boolean {
  return t !== undefined && !t.kv && !t.quoted && /^[a-z]-[a-z0-9]+$/i.test(t.text);
}

function parseConsult(s: Scope): Command {
  const args = s.args;
  if (args.length === 0) s.fail('Say what the consultation is about and when responses are due.');
  if (isWord(args[0], 'list') && !args.some((t) => isWord(t, 'by'))) return bare(new Scope(args.slice(1), s.source, s.ctx, 'consult'), { verb: 'consult.list' }, 'consult list');
  let by = -1;
  args.forEach((t, i) => {
    if (isWord(t, 'by')) by = i;
  });
  if (by < 0) s.fail('Say when responses are due with "by <date>", e.g. consult "Draft strategy" by 15 Dec.');
  let link: string | undefined;
  const titleWords: string[] = [];
  for (const t of args.slice(0, by)) {
    if (t.url && link === undefined && !t.quoted) link = httpUrl(s, t.url);
    else titleWords.push(t.text);
  }
  const title = freeText(s, titleWords.join(' '), 'The title', 200, 'Give the consultation a title before "by", e.g. consult "Draft strategy" by 15 Dec.');
  const isClause = (t: Token) => isWord(t, 'to', 'link', 'anyway') || (t.url !== undefined && !t.quoted);
  let i = by + 1;
  const dateWords: Token[] = [];
  while (i < args.length && !isClause(args[i]!)) dateWords.push(args[i++]!);
  if (dateWords.length === 0) s.fail('Say when responses are due after "by", e.g. by 15 Dec or by 2026-12-15.');
  const deadline = resolveDate(dateWords.map((t) => t.text).join(' '), s, 'The deadline');
  let audience: AudienceSpec | undefined;
  let confirm = false;
  while (i < args.length) {
    const t = args[i++]!;
    if (isWord(t, 'anyway')) confirm = true;
    else if (isWord(t, 'to')) {
      if (audience) s.fail('Say "to" once, with everyone it is for, e.g. to public, third, @ann.');
      const who: Token[] = [];
      while (i < args.length && !isClause(args[i]!)) who.push(args[i++]!);
      audience = parseAudience(s, who);
    } else {
      const url = isWord(t, 'link') ? args[i++] : t;
      if (!url) s.fail('Put the address after "link", e.g. link https://example.org/plan.');
      if (link !== undefined) s.fail('Give one link for the consultation.');
      link = httpUrl(s, url.url ?? url.text);
    }
  }
  const command: Extract<Command, { verb: 'consult' }> = { verb: 'consult', title, deadline, audience: audience ?? { all: true }, confirm };
  if (link !== undefined) command.link = link;
  return command;
}

function httpUrl(s: Scope, text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) s.fail(`The link must be a web address starting with http:// or https://, not ${q(text)}.`);
  return text;
}

function parseAudience(s: Scope, tokens: Token[]): AudienceSpec {
  const sectors: Sector[] = [];
  const users: UserRef[] = [];
  let all = false;
  for (const t of tokens) {
    if (t.mention) {
      users.push(t.mention);
      continue;
    }
    for (const word of t.quoted ? [t.text] : t.text.split(',')) {
      const w = word.trim();
      if (!w || w.toLowerCase() === 'and' || w === '&') continue;
      const sector = sectorOf(w);
      if (w.toLowerCase() === 'all' || w.toLowerCase() === 'everyone') all = true;
      else if (sector) sectors.push(sector);
      else if (w.startsWith('@') && w.length > 1) users.push({ name: w.slice(1) });
      else s.fail(`${q(w)} is not a sector; use ${SECTORS.join(', ')} or all, and name people with @name or a mention.`);
    }
  }
  if (all && (sectors.length > 0 || users.length > 0)) s.fail('Say "to all" on its own, or list the sectors and people it is for.');
  if (all) return { all: true };
  if (sectors.length === 0 && users.length === 0) s.fail('Say who the consultation is for after "to": all, sectors (public, third, ...) or @people.');
  const seen = new Set<string>();
  const uniqueUsers = users.filter((u) => {
    const key = JSON.stringify(u);
    return !seen.has(key) && Boolean(seen.add(key));
  });
  return { sectors: [...new Set(sectors)], users: uniqueUsers };
}

const RESPONSE_PHRASES: [string, ResponseKind][] = [
  ['need more time', 'more_time'],
  ['more time', 'more_time'],
  ['not relevant', 'not_relevant'],
  ['need-more-time', 'more_time'],
  ['more-time', 'more_time'],
  ['extension', 'more_time'],
  ['not-relevant', 'not_relevant'],
  ['irrelevant', 'not_relevant'],
  ['n/a', 'not_relevant'],
  ['done', 'responded'],
  ['responded', 'responded'],
];

function parseRespond(s: Scope): Command {
  if (s.args.length === 0) s.fail('Say which consultation and your answer, e.g. respond c-7k2m9q4x done.');
  const consultationId = parseId(s, s.args[0], 'consultation');
  const rest = s.args.slice(1);
  const words = rest.map((t) => t.text.toLowerCase().replace(/_/g, '-'));
  const match = RESPONSE_PHRASES.find(([phrase]) => {
    const parts = phrase.split(' ');
    return parts.every((p, i) => words[i] === p && !rest[i]?.quoted);
  });
  if (!match) {
    const got = rest[0] ? ` (not ${q(rest[0].text)})` : '';
    s.fail(`Say how you answer: done, more-time or not-relevant${got}.`);
  }
  const [phrase, kind] = match;
  const after = rest.slice(phrase.split(' ').length);
  if (after.length === 0) return { verb: 'respond', consultationId, kind };
  if (kind !== 'more_time') s.fail(`"${phrase}" takes nothing after it (you typed ${q(s.source.slice(after[0]!.start))}).`);
  const proposedDate = resolveDate(after.map((t) => t.text).join(' '), s, 'The date you propose');
  return { verb: 'respond', consultationId, kind, proposedDate };
}

function parseFeedback(s: Scope): Command {
  if (s.args.length === 0) s.fail('Say which consultation and what was done with the responses, e.g. feedback c-7k2m9q4x We added two food larders.');
  const consultationId = parseId(s, s.args[0], 'consultation');
  const rest = s.args.slice(1);
  const first = rest[0];
  const last = rest[rest.length - 1];
  // Keep the writer's line breaks: take the text as typed, not the tokens.
  const text = !first || !last ? '' : rest.length === 1 && first.quoted ? first.text : visible(s.source.slice(first.start, last.end));
  return { verb: 'feedback', consultationId, text: freeText(s, text, 'Feedback', 3000, 'Write what was done with the responses after the consultation id.') };
}

// -- pulse polls and results

const BLOCK_ALIASES: Record<string, PulseBlock> = { 'mutual-respect': 'respect', mutualrespect: 'respect' };

function blockOf(key: string): PulseBlock | undefined {
  const k = key.toLowerCase().replace(/_/g, '-');
  if ((PULSE_BLOCKS as readonly string[]).includes(k)) return k as PulseBlock;
  return Object.hasOwn(BLOCK_ALIASES, k) ? BLOCK_ALIASES[k] : undefined;
}

function parsePulse(s: Scope): Command {
  const first = s.args[0];
  if (isWord(first, 'close', 'stop', 'end')) {
    const [id, extra] = s.args.slice(1);
    if (extra) s.fail(`"pulse close" takes at most a poll id (you typed ${q(s.source.slice(extra.start))}).`);
    return id ? { verb: 'pulse.close', pollId: parseId(s, id, 'poll') } : { verb: 'pulse.close' };
  }
  if (isWord(first, 'answer')) return parsePulseAnswer(s, s.args.slice(1));
  const opts = isWord(first, 'start') ? s.args.slice(1) : s.args;
  const command: Extract<Command, { verb: 'pulse.start' }> = { verb: 'pulse.start', form: 'full' };
  for (const t of opts) {
    if (isWord(t, 'short', 'full')) command.form = t.text.toLowerCase() as 'short' | 'full';
    else if (t.kv?.key === 'days') command.days = pollDays(s, t.kv.value);
    else if (t === first) s.fail(`"pulse" takes start, answer or close, not ${q(t.text)}.`);
    else s.fail(`${q(t.text)} is not a pulse option: use short or full, and days=N.`);
  }
  return command;
}

function parsePulseAnswer(s: Scope, args: Token[]): Command {
  const command: Extract<Command, { verb: 'pulse.answer' }> = { verb: 'pulse.answer', answers: {} };
  let i = 0;
  if (looksLikeId(args[0]) && !blockOf(args[0]!.text)) command.pollId = parseId(s, args[i++], 'poll');
  for (; i < args.length; i++) {
    const t = args[i]!;
    let key = t.kv?.key;
    let value = t.kv?.value;
    // "trust 4" as well as "trust=4".
    if (!t.kv && !t.quoted && blockOf(t.text) && args[i + 1] && !args[i + 1]!.kv) {
      key = t.text;
      value = args[++i]!.text;
    }
    if (key === undefined || value === undefined) {
      s.fail(`Give scores as block=score, e.g. trust=4; ${q(t.raw)} is not one. Blocks: ${PULSE_BLOCKS.join(', ')}.`);
    }
    if (key === 'comment') {
      if (command.comment !== undefined) s.fail('Give one comment.');
      command.comment = freeText(s, value, 'The comment', 2000);
      continue;
    }
    const block = blockOf(key);
    if (!block) s.fail(`There is no building block ${q(key)}. Blocks: ${PULSE_BLOCKS.join(', ')} (and comment="...").`);
    if (command.answers[block] !== undefined) s.fail(`"${block}" is scored twice.`);
    const score = wholeNumber(value);
    if (score === null || score < 1 || score > 5) s.fail(`Scores are whole numbers from 1 to 5; ${block}=${q(value)} is not.`);
    command.answers[block] = score;
  }
  if (Object.keys(command.answers).length === 0 && command.comment === undefined) {
    s.fail(`Give at least one score, e.g. trust=4 openness=3, or a comment="...". Blocks: ${PULSE_BLOCKS.join(', ')}.`);
  }
  return command;
}

function parseResults(s: Scope): Command {
  const command: Extract<Command, { verb: 'results' }> = { verb: 'results', bySector: false };
  for (let i = 0; i < s.args.length; i++) {
    const t = s.args[i]!;
    if (isWord(t, 'by-sector', 'bysector')) command.bySector = true;
    else if (isWord(t, 'by') && isWord(s.args[i + 1], 'sector', 'sectors')) {
      command.bySector = true;
      i++;
    } else if (looksLikeId(t) && command.pollId === undefined) command.pollId = parseId(s, t, 'poll');
    else s.fail(`"results" takes a poll id and "by sector", not ${q(t.text)}.`);
  }
  return command;
}

// -- reviews

function parseReview(s: Scope): Command {
  const [sub, ...rest] = s.args;
  if (!sub) return { verb: 'review' };
  if (isWord(sub, 'pack')) return bare(new Scope(rest, s.source, s.ctx, 'review'), { verb: 'review.pack' }, 'review pack');
  if (isWord(sub, 'set')) {
    if (rest.length === 0) s.fail('Say the review date, e.g. review set 2027-03-31 or review set in 6 months.');
    return { verb: 'review.set', date: resolveDate(rest.map((t) => t.text).join(' '), s, 'The review date') };
  }
  if (isWord(sub, 'done')) return parseReviewDone(s, rest);
  return s.fail(`"review" takes set, pack or done, not ${q(sub.text)}.`);
}

function parseReviewDone(s: Scope, args: Token[]): Command {
  const first = args[0];
  let used = 1;
  let decision: 'continue' | 'change' | 'wind_up' | undefined;
  if (isWord(first, 'continue', 'change')) decision = first!.text.toLowerCase() as 'continue' | 'change';
  else if (isWord(first, 'wind-up', 'wind_up', 'windup')) decision = 'wind_up';
  else if (isWord(first, 'wind') && isWord(args[1], 'up')) {
    decision = 'wind_up';
    used = 2;
  }
  if (!decision) s.fail(`Say what the review decided: continue, change or wind-up${first ? ` (not ${q(first.text)})` : ''}.`);
  const command: Extract<Command, { verb: 'review.done' }> = { verb: 'review.done', decision };
  const rest = args.slice(used);
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i]!;
    if (t.kv?.key === 'note') {
      command.note = freeText(s, t.kv.value, 'The note', 2000);
    } else if (isWord(t, 'next') && command.nextDate === undefined) {
      const words: string[] = [];
      while (i + 1 < rest.length && !rest[i + 1]!.kv) words.push(rest[++i]!.text);
      if (words.length === 0) s.fail('Say the next review date after "next", e.g. next 2027-06-30.');
      command.nextDate = resolveDate(words.join(' '), s, 'The next review date');
    } else {
      s.fail(`After the decision, say next <date> and note="...", not ${q(t.raw)}.`);
    }
  }
  return command;
}

// ---- dates ------------------------------------------------------------------------------------

const DATE_EXAMPLES = 'Try 2026-12-15, 15 Dec, in 3 weeks or next friday.';

/**
 * A date phrase -> a local date "YYYY-MM-DD" after the partnership's today. chrono (British
 * day/month order) reads it against noon of that local today, so the host's timezone never
 * shifts the day; the date is taken from chrono's year/month/day components.
 */
function resolveDate(phrase: string, s: Scope, what: string): string {
  const text = phrase.trim().replace(/[.,;:!]+$/, '');
  if (!text) s.fail(`${what} is missing. ${DATE_EXAMPLES}`);
  const [y, m, d] = s.today.split('-').map(Number);
  const reference = new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1, 12, 0, 0, 0);
  // forwardDate makes "15 Dec" and "friday" mean the next one, but it would also turn "last monday" into a future date.
  const past = /\b(last|ago|previous|yesterday)\b/i.test(text);
  const found = chrono.en.GB.parse(text, reference, { forwardDate: !past });
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

// ---- suggestions ------------------------------------------------------------------------------

/** The candidate closest to what was typed, if it is close enough to be a likely typo. */
function closest(typed: string, candidates: string[]): string | undefined {
  const word = typed.toLowerCase().slice(0, 40);
  if (!word) return undefined;
  const prefixed = candidates.filter((c) => word.length >= 3 && c.startsWith(word) && c !== '?');
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === '?') continue;
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.min(2, Math.floor(word.length / 3))) ? best : undefined;
}

/** Edits (insert, delete, change, swap two neighbours) between a and b: "hepl" is one from "help". */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    const up = rows[i - 1]!;
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row[j] = d;
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
