// What every verb parser shares: the arguments it was given, how it fails, and a few word tests.
import type { Command, ParseContext } from './command-types.ts';
import type { Token } from './command-tokens.ts';
import type { HelpTopic } from './help.ts';
import { isIsoDate, isValidTimezone, localDate } from './time.ts';

/** A sentence for the person, and the help topic whose usage goes with it. */
export class ParseError extends Error {
  constructor(
    message: string,
    readonly topic: HelpTopic,
  ) {
    super(message);
  }
}

/** Quotes what someone typed, shortened, for an error message. */
export function q(s: string): string {
  const chars = [...s.trim()];
  return `"${chars.length > 40 ? chars.slice(0, 39).join('') + '…' : chars.join('')}"`;
}

/** What a verb's parser gets: its arguments, the command as typed (for errors) and what it needs to resolve dates. */
export class Scope {
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

/** For a verb that takes no arguments: the command, or an error quoting what was typed after it. */
export function bare<C extends Command>(s: Scope, command: C, said: string = s.topic): C {
  const extra = s.args[0];
  if (extra) s.fail(`"${said}" takes nothing after it (you typed ${q(s.source.slice(extra.start))}).`);
  return command;
}

/** Whether t is one of these keywords, typed bare (not quoted, not key=value), in any case. */
export function isWord(t: Token | undefined, ...words: string[]): boolean {
  return t !== undefined && !t.quoted && !t.kv && words.includes(t.text.toLowerCase());
}
