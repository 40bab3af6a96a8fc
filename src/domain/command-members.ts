// join and role: who someone is in the partnership.
import type { Command, UserRef } from './command-types.ts';
import { ROLES, SECTORS, isRole, type Role } from './partnership.ts';
import { type Scope, isWord, q } from './command-scope.ts';
import { freeText, sectorOf } from './command-values.ts';

export function parseJoin(s: Scope): Command {
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


export function parseRole(s: Scope): Command {
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
