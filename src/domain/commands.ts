// The /partner grammar, the same on Slack, Teams and the local adapter: text -> a Command, or a
// specific error with the right form of the command. parseCommand never throws, for any string.
// Each verb's grammar lives in its own command-*.ts file; this one finds the verb and dispatches.
import type { Command, ParseContext, ParseResult } from './command-types.ts';
import { HELP_TOPICS, USAGE, isHelpTopic, type HelpTopic } from './help.ts';
import { ParseError, Scope, bare, q } from './command-scope.ts';
import { commandText, tokenize } from './command-tokens.ts';
import { parseConsult, parseFeedback, parseRespond } from './command-consult.ts';
import { parseJoin, parseRole } from './command-members.ts';
import { parseAudit, parseDelete, parseExport, parseForget } from './command-privacy.ts';
import { parsePulse, parseResults } from './command-pulse.ts';
import { parseReview } from './command-review.ts';
import { parseSettings, parseSetup } from './command-settings.ts';
import { closest } from './command-suggest.ts';
import { parseLink } from './command-link.ts';

export { parseDatePhrase } from './command-dates.ts';

export function parseCommand(text: string, ctx: ParseContext): ParseResult {
  try {
    // NUL is never meaningful and PostgreSQL text cannot hold it: it goes before anything reads the text.
    return { ok: true, command: parse(typeof text === 'string' ? text.replace(/\u0000/g, '') : '', ctx) };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.message, usage: USAGE[e.topic] };
    // A bug here must still reach the person as a sentence, not a stack trace.
    return { ok: false, error: 'Sorry, I could not read that command.', usage: USAGE.help };
  }
}

type VerbParser = (s: Scope) => Command;

const VERBS: Record<string, { topic: HelpTopic; parse: VerbParser }> = {
  help: { topic: 'help', parse: parseHelp },
  '?': { topic: 'help', parse: parseHelp },
  home: { topic: 'home', parse: (s) => bare(s, { verb: 'home' }) },
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
  export: { topic: 'export', parse: parseExport },
  forget: { topic: 'forget', parse: parseForget },
  delete: { topic: 'delete', parse: parseDelete },
  audit: { topic: 'audit', parse: parseAudit },
  link: { topic: 'link', parse: parseLink },
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

function parseHelp(s: Scope): Command {
  const words = s.args.map((t) => t.text.toLowerCase().replace(/^\//, '')).filter((w) => w !== 'partner');
  const topic = words[0];
  if (topic === undefined) return { verb: 'help' };
  const known = topic === 'consultations' ? 'consult' : topic;
  if (isHelpTopic(known)) return { verb: 'help', topic: known };
  const guess = closest(topic, [...HELP_TOPICS]);
  return s.fail(`There is no help on ${q(topic)}.${guess ? ` Did you mean "${guess}"?` : ''} Type /partner help to see every command.`);
}
