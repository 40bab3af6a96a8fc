// Chat text -> tokens: the platform's preamble stripped, Slack/Teams markup turned into mentions and
// links, quotes (straight or curly) kept together, and key=value pairs recognised.
import type { UserRef } from './command-types.ts';

export interface Token {
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
export function visible(s: string): string {
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

export function tokenize(s: string): Token[] {
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
export function commandText(text: string): string {
  return text
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&quot;/gi, '"')
    .replace(/&#0?39;|&apos;/gi, "'")
    .replace(/^\s*(?:(?:<at>[^<]*<\/at>|<@[A-Za-z0-9]+(?:\|[^<>]*)?>)[\s,:]*)+/i, '')
    .replace(/^\s*\/?partner(?=\s|$)/i, '');
}
