// link / link <code>: one partnership across Slack and Teams.
import type { Command } from './command-types.ts';
import { type Scope, q } from './command-scope.ts';

/** Codes use the id alphabet (no l, o, 0, 1) and are shown as two groups of four: "k7m2-q9x4". */
export const LINK_CODE = /^[a-km-np-z2-9]{8}$/;

export function normaliseLinkCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, '');
}

export function formatLinkCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export function parseLink(s: Scope): Command {
  const [code, ...rest] = s.args;
  if (!code) return { verb: 'link' };
  if (rest[0]) s.fail(`"link" takes one code, like k7m2-q9x4 (you typed ${q(s.source.slice(rest[0].start))} after it).`);
  const normal = normaliseLinkCode(code.text);
  if (!LINK_CODE.test(normal)) s.fail(`${q(code.text)} is not a link code: codes look like k7m2-q9x4. \`/partner link\` in the partnership gives you one.`);
  return { verb: 'link.use', code: normal };
}
