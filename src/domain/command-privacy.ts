// export, forget, delete and audit: a person's and a partnership's data rights, and the audit log.
import type { Command } from './command-types.ts';
import { type Scope, isWord, q } from './command-scope.ts';
import { wholeNumber } from './command-values.ts';

/** The most audit entries one `/partner audit` shows. */
export const MAX_AUDIT_ENTRIES = 200;

export function parseExport(s: Scope): Command {
  const [what, ...rest] = s.args;
  if (isWord(what, 'me', 'mine', 'my')) return nothingAfter(s, rest, { verb: 'export.me' }, 'export me');
  if (isWord(what, 'partnership', 'all')) return nothingAfter(s, rest, { verb: 'export.partnership' }, 'export partnership');
  return s.fail(`Say whose data to export: "export me" (yours) or "export partnership" (coordinators)${what ? `, not ${q(what.text)}` : ''}.`);
}

export function parseForget(s: Scope): Command {
  const [who, ...rest] = s.args;
  if (!isWord(who, 'me')) s.fail(`Only "forget me" is possible: you can erase your own data, nobody else's${who ? ` (not ${q(who.text)})` : ''}.`);
  return { verb: 'forget.me', confirm: confirmed(s, rest, 'forget me') };
}

export function parseDelete(s: Scope): Command {
  const [what, ...rest] = s.args;
  if (!isWord(what, 'partnership')) s.fail(`Only "delete partnership" is possible${what ? ` (not ${q(what.text)})` : ''}.`);
  return { verb: 'delete.partnership', confirm: confirmed(s, rest, 'delete partnership') };
}

export function parseAudit(s: Scope): Command {
  const [n, ...rest] = s.args;
  if (!n) return { verb: 'audit' };
  const limit = n.kv ? null : wholeNumber(n.text);
  if (limit === null || limit < 1 || limit > MAX_AUDIT_ENTRIES) {
    s.fail(`"audit" takes how many entries to show, a whole number from 1 to ${MAX_AUDIT_ENTRIES}, not ${q(n.raw)}.`);
  }
  return nothingAfter(s, rest, { verb: 'audit', limit }, `audit ${limit}`);
}

function confirmed(s: Scope, rest: Scope['args'], said: string): boolean {
  const [word, ...more] = rest;
  if (!word) return false;
  if (!isWord(word, 'confirm')) s.fail(`"${said}" takes only the word confirm after it, not ${q(word.raw)}.`);
  if (more[0]) s.fail(`"${said} confirm" takes nothing after it (you typed ${q(s.source.slice(more[0].start))}).`);
  return true;
}

function nothingAfter<C extends Command>(s: Scope, rest: Scope['args'], command: C, said: string): C {
  if (rest[0]) s.fail(`"${said}" takes nothing after it (you typed ${q(s.source.slice(rest[0].start))}).`);
  return command;
}
