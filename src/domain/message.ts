// The platform-neutral message model. Adapters render it as Block Kit, Adaptive Cards or text.
// Strings here carry no markup: adapters escape every span, and spans marked `user` hold text a
// person wrote, which adapters must also keep from mentioning anyone or linking anywhere.

export interface Span {
  text: string;
  /** Written by a user (titles, names, comments, feedback): never trusted as markup. */
  user?: boolean;
  bold?: boolean;
}

export type Text = Span[];

export interface Field {
  label: string;
  value: Text;
}

/** What pressing a button does. Encoded into an action id and a string value by `encodeAction`. */
export type Action =
  | { type: 'consult.respond'; consultationId: string; kind: ResponseKind }
  | { type: 'pulse.answer'; pollId: string; block: PulseBlock; score: number }
  /** Run a command as the person who pressed (e.g. "Open anyway", "Show results"). */
  | { type: 'command'; text: string };

export type ResponseKind = 'responded' | 'more_time' | 'not_relevant';

export const PULSE_BLOCKS = ['trust', 'respect', 'openness', 'tolerance', 'continuity', 'framework'] as const;
export type PulseBlock = (typeof PULSE_BLOCKS)[number];

export interface Button {
  label: string;
  action: Action;
  style?: 'primary' | 'danger';
}

export type Block =
  | { kind: 'text'; text: Text }
  | { kind: 'fields'; fields: Field[] }
  /** Small print under a message: who, when, why. */
  | { kind: 'context'; text: Text }
  | { kind: 'buttons'; buttons: Button[] }
  /** A question answered by picking one button of a scale, e.g. 1–5 for a pulse building block. */
  | { kind: 'choice'; label: Text; buttons: Button[] }
  | { kind: 'link'; url: string; label: string }
  /** A simple bar chart of counts, e.g. a pulse distribution; adapters draw it as text bars or a chart. */
  | { kind: 'bars'; label: string; bars: { label: string; count: number }[] }
  /** A picture, e.g. a trend chart: `url` is absolute (the bot's own expiring media URL, see
   * src/bot/media.ts); `alt` says in words what it shows, for screen readers and text-only adapters. */
  | { kind: 'image'; url: string; alt: string; title?: string }
  | FileBlock
  | { kind: 'divider' };

/**
 * A document to hand over, e.g. the review pack as a PDF. Either `url` (the bot's own expiring media
 * URL: adapters upload or link it) or inline `content` (small text, e.g. a JSON export), never both.
 */
export type FileBlock =
  | { kind: 'file'; name: string; mime: string; title?: string; url: string; content?: never }
  | { kind: 'file'; name: string; mime: string; title?: string; content: string; url?: never };

export interface Message {
  heading?: string;
  blocks: Block[];
  /** Shown only to the person who acted (Slack ephemeral, Teams card refresh); default false. */
  private?: boolean;
  /** The command was refused (bad input, no permission): forms show it on the form instead. */
  error?: boolean;
}

// ---- builders ---------------------------------------------------------------------------------

export function t(text: string): Span {
  return { text };
}
export function b(text: string): Span {
  return { text, bold: true };
}
export function u(text: string): Span {
  return { text, user: true };
}
export function txt(...spans: (Span | string)[]): Text {
  return spans.map((s) => (typeof s === 'string' ? { text: s } : s));
}
export function para(...spans: (Span | string)[]): Block {
  return { kind: 'text', text: txt(...spans) };
}
export function context(...spans: (Span | string)[]): Block {
  return { kind: 'context', text: txt(...spans) };
}
export function message(heading: string | undefined, ...blocks: Block[]): Message {
  return heading === undefined ? { blocks } : { heading, blocks };
}
export function privateMessage(heading: string | undefined, ...blocks: Block[]): Message {
  return { ...message(heading, ...blocks), private: true };
}

// ---- action codec -----------------------------------------------------------------------------
// Buttons travel through Slack and Teams as an action id plus a short string value.

const RESPONSE_KINDS: readonly ResponseKind[] = ['responded', 'more_time', 'not_relevant'];

export function encodeAction(a: Action): { id: string; value: string } {
  switch (a.type) {
    case 'consult.respond':
      return { id: a.type, value: `${a.consultationId}:${a.kind}` };
    case 'pulse.answer':
      return { id: a.type, value: `${a.pollId}:${a.block}:${a.score}` };
    case 'command':
      return { id: a.type, value: a.text };
  }
}

export function decodeAction(id: string, value: string): Action | { error: string } {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) return { error: 'That button value has characters no button sends.' };
  const parts = value.split(':');
  switch (id) {
    case 'consult.respond': {
      const [consultationId, kind] = parts;
      if (parts.length !== 2 || !consultationId || !RESPONSE_KINDS.includes(kind as ResponseKind)) {
        return { error: `That consultation answer ("${value}") is not one I know.` };
      }
      return { type: id, consultationId, kind: kind as ResponseKind };
    }
    case 'pulse.answer': {
      const [pollId, block, score] = parts;
      const n = Number(score);
      if (parts.length !== 3 || !pollId || !PULSE_BLOCKS.includes(block as PulseBlock) || !Number.isInteger(n) || n < 1 || n > 5) {
        return { error: `That poll answer ("${value}") is not one I know.` };
      }
      return { type: id, pollId, block: block as PulseBlock, score: n };
    }
    case 'command':
      return value.trim() ? { type: id, text: value } : { error: 'That button has no command.' };
    default:
      return { error: `Unknown action "${id}".` };
  }
}

/** Plain text of a Text, for logs, tests and the local adapter. */
export function plain(text: Text): string {
  return text.map((s) => s.text).join('');
}
