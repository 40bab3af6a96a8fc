// The neutral message model as Adaptive Cards (version 1.4, for Action.Execute / Universal Actions).
// Text spans become RichTextBlock TextRuns, which Teams never reads as Markdown, so nothing a person
// wrote can bold, link or mention. Where Teams does read Markdown (the heading TextBlock, FactSet
// titles and values) every string is escaped. User spans also lose control characters and "://",
// so a typed address is not turned into a link.
import { encodeAction, plain, type Block, type Button, type Message, type Span, type Text } from '../../domain/message.ts';

export const CARD_VERSION = '1.4';
export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export type CardElement = Record<string, unknown> & { type: string };
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: CardElement[];
  msteams?: { width: 'Full' };
}

/** What a card button carries: Action.Execute puts it in `action.data`, Action.Submit in `value`. */
export interface ActionData {
  verb: string;
  value?: string;
  [input: string]: unknown;
}

// C0 (incl. newline and tab), DEL, C1, and the bidi embedding/override/isolate characters.
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]+/g;
const WORD_JOINER = '\u2060';
const BAR = '▇';
const BAR_WIDTH = 20;

/** User-written text made inert: one line, no hidden characters, no auto-linked "scheme://". */
export function cleanUserText(text: string): string {
  return text.replace(CONTROL, ' ').replace(/:\/\//g, `:${WORD_JOINER}//`);
}

/** Escapes what Teams' card Markdown would read: emphasis, links (an escaped "[" cannot open one),
 * headings, code and angle brackets (an `<at>` must never look like a mention). Newlines become
 * spaces and a leading list marker is escaped: no list structure. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_~[\]<>#]/g, '\\$&').replace(/^(\s*)([-+]|\d+\.)(\s)/, '$1\\$2$3');
}

function spanText(s: Span): string {
  return s.user ? cleanUserText(s.text) : s.text;
}

/** Escaped Markdown of a Text: bold spans as **...**, with spaces kept outside the markers. */
export function markdownOf(text: Text): string {
  return text
    .map((s) => {
      const escaped = escapeMarkdown(spanText(s));
      if (!s.bold || !escaped.trim()) return escaped;
      const m = /^(\s*)(.*?)(\s*)$/s.exec(escaped)!;
      return `${m[1]}**${m[2]}**${m[3]}`;
    })
    .join('');
}

function richText(text: Text, extra: Record<string, unknown> = {}): CardElement {
  const inlines = text
    .filter((s) => s.text.length > 0)
    .map((s) => ({ type: 'TextRun', text: spanText(s), ...(s.bold ? { weight: 'Bolder' } : {}), ...extra }));
  return { type: 'RichTextBlock', inlines: inlines.length ? inlines : [{ type: 'TextRun', text: ' ' }] };
}

/** Action.Execute (Universal Actions: the card refreshes for whoever pressed) with an Action.Submit fallback. */
export function executeAction(title: string, data: ActionData, style?: 'positive' | 'destructive'): CardElement {
  const common = { title, data, ...(style ? { style } : {}) };
  return { type: 'Action.Execute', verb: data.verb, ...common, fallback: { type: 'Action.Submit', ...common } };
}

function buttonAction(button: Button): CardElement {
  const { id, value } = encodeAction(button.action);
  const style = button.style === 'primary' ? 'positive' : button.style === 'danger' ? 'destructive' : undefined;
  return executeAction(button.label, { verb: id, value }, style);
}

function actionSet(buttons: Button[]): CardElement {
  return { type: 'ActionSet', actions: buttons.map(buttonAction) };
}

function isWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

function bars(bl: Extract<Block, { kind: 'bars' }>): CardElement[] {
  const max = Math.max(0, ...bl.bars.map((x) => x.count));
  const scale = max > BAR_WIDTH ? BAR_WIDTH / max : 1;
  return [
    { type: 'TextBlock', text: escapeMarkdown(bl.label), weight: 'Bolder', wrap: true },
    {
      type: 'FactSet',
      facts: bl.bars.map((x) => {
        const n = x.count > 0 ? Math.max(1, Math.round(x.count * scale)) : 0;
        return { title: escapeMarkdown(x.label), value: `${BAR.repeat(n)}${n ? ' ' : ''}${x.count}` };
      }),
    },
  ];
}

function blockElements(bl: Block): CardElement[] {
  switch (bl.kind) {
    case 'text':
      return [richText(bl.text)];
    case 'context':
      return [{ ...richText(bl.text, { isSubtle: true, size: 'Small' }) }];
    case 'fields':
      return [{ type: 'FactSet', facts: bl.fields.map((f) => ({ title: escapeMarkdown(f.label), value: markdownOf(f.value) })) }];
    case 'buttons':
      return bl.buttons.length ? [actionSet(bl.buttons)] : [];
    case 'choice':
      return [richText(bl.label), ...(bl.buttons.length ? [actionSet(bl.buttons)] : [])];
    case 'link':
      if (!isWebUrl(bl.url)) return [richText([{ text: `${bl.label}: ${bl.url}`, user: true }])];
      return [{ type: 'ActionSet', actions: [{ type: 'Action.OpenUrl', title: bl.label, url: bl.url }] }];
    case 'bars':
      return bars(bl);
    case 'image':
      return imageElements(bl);
    case 'file':
      return fileElements(bl);
    case 'divider':
      return [];
  }
}

function imageElements(bl: Extract<Block, { kind: 'image' }>): CardElement[] {
  const title = bl.title ? [{ type: 'TextBlock', text: escapeMarkdown(bl.title), weight: 'Bolder', wrap: true }] : [];
  if (!isWebUrl(bl.url)) return [...title, richText([{ text: bl.alt, user: true }])];
  return [...title, { type: 'Image', url: bl.url, altText: cleanUserText(bl.alt), size: 'Stretch' }];
}

/** A document: a link to open it, or small inline content (e.g. a JSON export) shown as plain monospace text. */
function fileElements(bl: Extract<Block, { kind: 'file' }>): CardElement[] {
  const label = bl.title ?? bl.name;
  if (bl.url !== undefined) {
    if (!isWebUrl(bl.url)) return [richText([{ text: `${label}: ${bl.url}`, user: true }])];
    return [{ type: 'ActionSet', actions: [{ type: 'Action.OpenUrl', title: `Open ${label}`, url: bl.url }] }];
  }
  const content = bl.content.replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, ' ');
  return [
    { type: 'TextBlock', text: escapeMarkdown(label), weight: 'Bolder', wrap: true },
    { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: content, fontType: 'Monospace' }] },
  ];
}

export function emptyCard(body: CardElement[] = []): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body,
    msteams: { width: 'Full' },
  };
}

/** The body elements of one message (a divider puts a separator line on what follows). */
export function messageElements(message: Message): CardElement[] {
  const body: CardElement[] = [];
  if (message.heading !== undefined) {
    body.push({ type: 'TextBlock', text: escapeMarkdown(message.heading), size: 'Medium', weight: 'Bolder', wrap: true });
  }
  let separate = false;
  for (const bl of message.blocks) {
    if (bl.kind === 'divider') {
      separate = body.length > 0;
      continue;
    }
    const els = blockElements(bl);
    if (separate && els[0]) {
      els[0] = { ...els[0], separator: true, spacing: 'Medium' };
      separate = false;
    }
    body.push(...els);
  }
  return body;
}

/** One card from one or more messages (e.g. a confirmation followed by what is still open). */
export function renderCard(...messages: Message[]): AdaptiveCard {
  const body: CardElement[] = [];
  for (const m of messages) {
    const els = messageElements(m);
    if (body.length && els[0]) els[0] = { ...els[0], separator: true, spacing: 'Medium' };
    body.push(...els);
  }
  return emptyCard(body);
}

/** A short plain summary (notifications and the activity's `summary`). */
export function summaryOf(message: Message): string {
  const first = message.heading ?? message.blocks.map((b) => (b.kind === 'text' ? plain(b.text) : '')).find((s) => s.trim()) ?? 'partnerbot';
  return cleanUserText(first).slice(0, 200);
}
