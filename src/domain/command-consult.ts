// consult, respond and feedback: opening a consultation, answering one, and saying what was done.
import type { AudienceSpec, Command, UserRef } from './command-types.ts';
import type { ResponseKind } from './message.ts';
import { SECTORS, type Sector } from './partnership.ts';
import { Scope, bare, isWord, q } from './command-scope.ts';
import { type Token, visible } from './command-tokens.ts';
import { resolveDate } from './command-dates.ts';
import { freeText, parseId, sectorOf } from './command-values.ts';

export function parseConsult(s: Scope): Command {
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

export function parseRespond(s: Scope): Command {
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

export function parseFeedback(s: Scope): Command {
  if (s.args.length === 0) s.fail('Say which consultation and what was done with the responses, e.g. feedback c-7k2m9q4x We added two food larders.');
  const consultationId = parseId(s, s.args[0], 'consultation');
  const rest = s.args.slice(1);
  const first = rest[0];
  const last = rest[rest.length - 1];
  // Keep the writer's line breaks: take the text as typed, not the tokens.
  const text = !first || !last ? '' : rest.length === 1 && first.quoted ? first.text : visible(s.source.slice(first.start, last.end));
  return { verb: 'feedback', consultationId, text: freeText(s, text, 'Feedback', 3000, 'Write what was done with the responses after the consultation id.') };
}
