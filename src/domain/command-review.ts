// review: the review date, the review pack, and recording what a review decided.
import type { Command } from './command-types.ts';
import { Scope, bare, isWord, q } from './command-scope.ts';
import type { Token } from './command-tokens.ts';
import { resolveDate } from './command-dates.ts';
import { freeText } from './command-values.ts';

export function parseReview(s: Scope): Command {
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
