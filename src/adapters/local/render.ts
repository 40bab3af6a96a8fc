// Plain-text rendering of the neutral message model, for the local HTTP API and the REPL.
// There is no markup here, so spans are shown as written; user spans only lose control characters
// (and bidi overrides) so nobody can fake lines, clear a terminal or reorder what others see.
import { encodeAction, type Block, type Button, type Message, type Span, type Text } from '../../domain/message.ts';

// C0 (incl. newline and tab), DEL, C1, and the bidi embedding/override/isolate characters.
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]+/g;
const BAR = '▇';
const BAR_WIDTH = 20;

export function cleanUserText(text: string): string {
  return text.replace(CONTROL, ' ');
}

function span(s: Span): string {
  return s.user ? cleanUserText(s.text) : s.text;
}

export function renderSpans(text: Text): string {
  return text.map(span).join('');
}

/** The buttons of a message, in the order renderText numbers them. */
export function buttonsOf(message: Message): Button[] {
  return message.blocks.flatMap((bl) => (bl.kind === 'buttons' || bl.kind === 'choice' ? bl.buttons : []));
}

/** How to press a button over HTTP: the `action` and `value` to POST to /local/actions. */
export function buttonLine(n: number, button: Button): string {
  const { id, value } = encodeAction(button.action);
  return `  [${n}] ${button.label}  (action: ${id}, value: ${value})`;
}

function bars(bl: Extract<Block, { kind: 'bars' }>): string[] {
  const max = Math.max(0, ...bl.bars.map((x) => x.count));
  const labelWidth = Math.max(0, ...bl.bars.map((x) => x.label.length));
  // Scale only when a bar would be wider than the line allows; a non-zero count always shows one block.
  const scale = max > BAR_WIDTH ? BAR_WIDTH / max : 1;
  const rows = bl.bars.map((x) => {
    const n = x.count > 0 ? Math.max(1, Math.round(x.count * scale)) : 0;
    const bar = n > 0 ? `${BAR.repeat(n)} ` : '';
    return `  ${x.label.padStart(labelWidth)} ${bar}${x.count}`;
  });
  return [bl.label, ...rows];
}

export interface RenderOptions {
  /** The number given to the first button (the REPL numbers buttons across several messages). */
  firstButton?: number;
}

export function renderText(message: Message, opts: RenderOptions = {}): string {
  const lines: string[] = [];
  let n = opts.firstButton ?? 1;
  // Headings may carry a partnership's name ("Members of …"): cleaned like user text.
  if (message.heading !== undefined) lines.push(`== ${cleanUserText(message.heading)} ==`);
  for (const bl of message.blocks) {
    switch (bl.kind) {
      case 'text':
        lines.push(renderSpans(bl.text));
        break;
      case 'fields':
        for (const f of bl.fields) lines.push(`${f.label}: ${renderSpans(f.value)}`);
        break;
      case 'context':
        lines.push(`(${renderSpans(bl.text)})`);
        break;
      case 'buttons':
        for (const btn of bl.buttons) lines.push(buttonLine(n++, btn));
        break;
      case 'choice':
        lines.push(renderSpans(bl.label));
        for (const btn of bl.buttons) lines.push(buttonLine(n++, btn));
        break;
      case 'link':
        lines.push(`${bl.label}: ${bl.url}`);
        break;
      case 'bars':
        lines.push(...bars(bl));
        break;
      // A console cannot show a picture: its link (the playground shows it), and in words what it shows.
      case 'image':
        lines.push(`[image] ${cleanUserText(bl.title ?? 'Chart')}: ${bl.url}`, `(${cleanUserText(bl.alt)})`);
        break;
      case 'file':
        if (bl.url !== undefined) lines.push(`[file] ${bl.title ?? bl.name} (${bl.name}, ${bl.mime}): ${bl.url}`);
        // Inline content (e.g. a JSON export) holds what people wrote: keep its lines, drop other control characters.
        else lines.push(`[file] ${bl.title ?? bl.name} (${bl.name}, ${bl.mime}):`, ...bl.content.split('\n').map(cleanUserText));
        break;
      case 'divider':
        lines.push('-'.repeat(24));
        break;
    }
  }
  return lines.join('\n');
}
