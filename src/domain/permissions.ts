// Who may run which command. Checked for every command before it runs; object-level checks
// (owner of this consultation, asked by it) are the handler's.
import type { Verb } from './command-types.ts';
import type { Member, Role } from './partnership.ts';

/** 'anyone': no membership needed. 'member': any member. Otherwise one of the listed roles. */
export type Rule = 'anyone' | 'member' | Role[];

export const PERMISSIONS: Record<Verb, Rule> = {
  help: 'anyone',
  link: 'member',
  'link.use': 'anyone',
  home: 'anyone',
  setup: 'anyone',
  join: 'anyone',
  settings: ['coordinator'],
  members: 'member',
  role: ['coordinator'],
  consult: ['coordinator'],
  'consult.list': 'member',
  respond: 'member',
  'pulse.start': ['coordinator'],
  'pulse.close': ['coordinator'],
  'pulse.answer': 'member',
  results: 'member',
  review: 'member',
  'review.set': ['chair'],
  'review.pack': ['chair', 'coordinator'],
  'review.done': ['chair'],
  feedback: ['coordinator'],
  digest: 'member',
  status: ['coordinator'],
  // A person's own data: no role needed (a non-member simply has none).
  'export.me': 'anyone',
  'forget.me': 'anyone',
  'export.partnership': ['coordinator'],
  'delete.partnership': ['coordinator'],
  audit: ['coordinator'],
};

const WHAT: Partial<Record<Verb, string>> = {
  settings: 'change the settings',
  role: 'change roles',
  consult: 'open a consultation',
  'pulse.start': 'start a pulse poll',
  'pulse.close': 'close a pulse poll',
  'review.set': 'set the review date',
  'review.pack': 'see the review pack',
  'review.done': 'record a review',
  feedback: 'post feedback',
  status: 'see the status',
  'export.partnership': 'export the partnership\'s data',
  'delete.partnership': 'delete the partnership',
  audit: 'read the audit log',
};

function roleList(roles: Role[]): string {
  const names = roles.map((r) => `a ${r}`);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? '');
}

/** null when allowed, else the sentence to show the person. */
export function denial(verb: Verb, member: Member | null): string | null {
  const rule = PERMISSIONS[verb];
  if (rule === 'anyone') return null;
  if (!member) {
    return 'You are not a member of this partnership yet. Join with `/partner join <sector> <organisation>`.';
  }
  if (rule === 'member') return null;
  if (rule.some((r) => member.roles.includes(r))) return null;
  return `Only ${roleList(rule)} can ${WHAT[verb] ?? 'do that'}.`;
}
