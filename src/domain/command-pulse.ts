// pulse and results: starting, answering and closing a pulse poll, and asking for its results.
import type { Command } from './command-types.ts';
import { PULSE_BLOCKS, type PulseBlock } from './message.ts';
import { type Scope, isWord, q } from './command-scope.ts';
import type { Token } from './command-tokens.ts';
import { freeText, looksLikeId, parseId, pollDays, wholeNumber } from './command-values.ts';

const BLOCK_ALIASES: Record<string, PulseBlock> = { 'mutual-respect': 'respect', mutualrespect: 'respect' };

function blockOf(key: string): PulseBlock | undefined {
  const k = key.toLowerCase().replace(/_/g, '-');
  if ((PULSE_BLOCKS as readonly string[]).includes(k)) return k as PulseBlock;
  return Object.hasOwn(BLOCK_ALIASES, k) ? BLOCK_ALIASES[k] : undefined;
}

export function parsePulse(s: Scope): Command {
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

export function parseResults(s: Scope): Command {
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
