// The neutral message model -> Block Kit, within Slack's limits: 3000 characters of section text, 10
// fields of 2000, 150 for a header, 75 for a button label, 5 buttons per actions row (our choice, so a
// 1–5 scale is one row), 50 blocks per message (100 in a Home tab), and action ids unique per message
// (a "#n" suffix, stripped by `baseActionId` before the core decodes them).
import type { types } from '@slack/bolt';
import { encodeAction, plain, type Block, type Button, type Message, type Text } from '../../domain/message.ts';
import { cleanPlain, escapeMrkdwn, escapeUserText, truncate } from './escape.ts';
import type { Attachable } from './files.ts';

type KnownBlock = types.KnownBlock;
type ButtonElement = types.Button;
type MrkdwnElement = types.MrkdwnElement;

export const LIMITS = {
  sectionText: 3000,
  field: 2000,
  fieldsPerSection: 10,
  header: 150,
  buttonLabel: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  buttonsPerRow: 5,
  messageBlocks: 50,
  homeBlocks: 100,
  fallbackText: 3000,
} as const;

/** The action id of a link button: Slack still sends block_actions for it, which we only acknowledge. */
export const LINK_ACTION = 'link';

/** The core's action id from a Slack action id (drops the per-message "#n" suffix). */
export function baseActionId(actionId: string): string {
  return actionId.replace(/#\d+$/, '');
}

// One escaped unit: a date-token literal, an entity (with its soft hyphen), or one code point.
const UNIT = /<!date\^0\^\{_\}\|.>|\u00AD?&(?:amp|lt|gt);|[\s\S]/gu;

/** A bold span's escaped text: Slack bold needs the asterisks against the words, so spaces go outside. */
function boldParts(escaped: string): [lead: string, inner: string, trail: string] {
  const [, lead = '', inner = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(escaped) ?? [];
  return [lead, inner, trail];
}

/** A Text as mrkdwn, at most `max` characters, never cutting an escape or leaving bold open. */
export function mrkdwn(text: Text, max: number = LIMITS.sectionText): string {
  const room = max - 2; // "…" and a closing "*"
  const escapedSpans = text.map((span) => (span.user ? escapeUserText(span.text) : escapeMrkdwn(span.text)));
  // Nearly every text fits whole (counting two asterisks a bold span): joined as it is, not unit by unit.
  if (escapedSpans.reduce((n, e, i) => n + e.length + (text[i]!.bold ? 2 : 0), 0) <= room) {
    return escapedSpans
      .map((e, i) => {
        if (!text[i]!.bold) return e;
        const [lead, inner, trail] = boldParts(e);
        return inner ? `${lead}*${inner}*${trail}` : `${lead}${trail}`;
      })
      .join('');
  }
  const out: string[] = [];
  let len = 0;
  let bold = false;
  const push = (unit: string): boolean => {
    if (len + unit.length > room) return false;
    out.push(unit);
    len += unit.length;
    return true;
  };
  const finish = (complete: boolean) => `${out.join('')}${bold ? '*' : ''}${complete ? '' : '…'}`;
  for (const [i, span] of text.entries()) {
    const escaped = escapedSpans[i]!;
    if (!span.bold) {
      for (const unit of escaped.match(UNIT) ?? []) if (!push(unit)) return finish(false);
      continue;
    }
    const [lead, inner, trail] = boldParts(escaped);
    for (const unit of lead.match(UNIT) ?? []) if (!push(unit)) return finish(false);
    if (inner) {
      if (!push('*')) return finish(false);
      bold = true;
      for (const unit of inner.match(UNIT) ?? []) if (!push(unit)) return finish(false);
      out.push('*');
      len++;
      bold = false;
    }
    for (const unit of trail.match(UNIT) ?? []) if (!push(unit)) return finish(false);
  }
  return finish(true);
}

function md(text: string): MrkdwnElement {
  // verbatim: Slack must not turn plain words into links or mentions.
  return { type: 'mrkdwn', text: text || ' ', verbatim: true };
}

/**
 * Where an image or file block's bytes go (src/adapters/slack/files.ts): 'here' — uploaded into the
 * same conversation right after the message, so the message says nothing of it; 'dm' — uploaded to
 * the person's DM (a private reply cannot carry a file), so the message says so; null — not uploaded
 * (a link that expired, the Home tab): described in words instead.
 */
export type AttachedAt = 'here' | 'dm' | null;

export interface RenderOptions {
  attached?: (block: Attachable) => AttachedAt;
}

class Renderer {
  private n = 0;
  readonly blocks: KnownBlock[] = [];

  constructor(private readonly attached: (block: Attachable) => AttachedAt = () => null) {}

  button(label: string, actionId: string, value: string, style?: 'primary' | 'danger'): ButtonElement {
    const el: ButtonElement = {
      type: 'button',
      text: { type: 'plain_text', text: cleanPlain(label, LIMITS.buttonLabel), emoji: true },
      action_id: `${actionId}#${++this.n}`,
      value: truncate(value, LIMITS.buttonValue),
    };
    if (style) el.style = style;
    return el;
  }

  buttons(buttons: Button[]): void {
    for (let i = 0; i < buttons.length; i += LIMITS.buttonsPerRow) {
      const row = buttons.slice(i, i + LIMITS.buttonsPerRow).map((b) => {
        const { id, value } = encodeAction(b.action);
        return this.button(b.label, id, value, b.style);
      });
      this.blocks.push({ type: 'actions', elements: row });
    }
  }

  block(bl: Block): void {
    switch (bl.kind) {
      case 'text':
        this.blocks.push({ type: 'section', text: md(mrkdwn(bl.text)) });
        return;
      case 'fields':
        for (let i = 0; i < bl.fields.length; i += LIMITS.fieldsPerSection) {
          const fields = bl.fields.slice(i, i + LIMITS.fieldsPerSection).map((f) => md(mrkdwn([{ text: f.label, bold: true }, { text: '\n' }, ...f.value], LIMITS.field)));
          this.blocks.push({ type: 'section', fields });
        }
        return;
      case 'context':
        this.blocks.push({ type: 'context', elements: [md(mrkdwn(bl.text))] });
        return;
      case 'buttons':
        this.buttons(bl.buttons);
        return;
      case 'choice':
        this.blocks.push({ type: 'section', text: md(mrkdwn(bl.label)) });
        this.buttons(bl.buttons);
        return;
      case 'link': {
        // A button's url may be at most 3000 characters; a longer address is shown as text.
        if (bl.url.length > LIMITS.buttonUrl) {
          this.blocks.push({ type: 'section', text: md(mrkdwn([{ text: `${bl.label}: ` }, { text: bl.url, user: true }])) });
          return;
        }
        const el = this.button(bl.label, LINK_ACTION, 'link');
        el.url = bl.url;
        this.blocks.push({ type: 'actions', elements: [el] });
        return;
      }
      case 'bars':
        this.blocks.push({ type: 'section', text: md(truncate(barChart(bl), LIMITS.sectionText)) });
        return;
      case 'image':
      case 'file':
        this.attachment(bl);
        return;
      case 'divider':
        this.blocks.push({ type: 'divider' });
        return;
    }
  }

  private attachment(bl: Attachable): void {
    const where = this.attached(bl);
    if (where === 'here') return;
    const title = bl.title ?? (bl.kind === 'file' ? bl.name : 'Chart');
    const icon = bl.kind === 'image' ? ':bar_chart:' : ':page_facing_up:';
    if (where === 'dm') {
      this.blocks.push({ type: 'context', elements: [md(`${icon} ${mrkdwn([{ text: title, user: true, bold: true }, { text: ': sent to you as a direct message from partnerbot.' }], 500)}`)] });
      return;
    }
    if (bl.kind === 'image') {
      this.blocks.push({ type: 'context', elements: [md(`${icon} ${mrkdwn([{ text: `${title}: `, user: true }, { text: bl.alt, user: true }], 2000)}`)] });
      return;
    }
    if (bl.url !== undefined && /^https?:\/\//i.test(bl.url) && bl.url.length <= LIMITS.buttonUrl) {
      const el = this.button(`Open ${title}`, LINK_ACTION, 'link');
      el.url = bl.url;
      this.blocks.push({ type: 'actions', elements: [el] });
      return;
    }
    this.blocks.push({ type: 'context', elements: [md(`${icon} ${mrkdwn([{ text: title, user: true, bold: true }, { text: ' could not be attached here: ask again in a direct message with partnerbot.' }], 500)}`)] });
  }
}

const BAR = '█';
const BAR_WIDTH = 20;

/** A distribution as a monospaced text chart: label, bar, count. */
export function barChart(bl: Extract<Block, { kind: 'bars' }>): string {
  const max = Math.max(0, ...bl.bars.map((x) => x.count));
  const width = Math.max(0, ...bl.bars.map((x) => x.label.length));
  const scale = max > BAR_WIDTH ? BAR_WIDTH / max : 1;
  const rows = bl.bars.map((x) => {
    const n = x.count > 0 ? Math.max(1, Math.round(x.count * scale)) : 0;
    return `${x.label.padStart(width)} ${BAR.repeat(n)}${n ? ' ' : ''}${x.count}`;
  });
  return `${mrkdwn([{ text: bl.label, bold: true }], 200)}\n\`\`\`${escapeMrkdwn(rows.join('\n'))}\`\`\``;
}

export interface Rendered {
  blocks: KnownBlock[];
  /** Notification and fallback text. */
  text: string;
}

/** A message as Block Kit blocks plus fallback text; `maxBlocks` is 50 for messages, 100 for Home. */
export function renderMessage(message: Message, maxBlocks: number = LIMITS.messageBlocks, opts: RenderOptions = {}): Rendered {
  const r = new Renderer(opts.attached);
  if (message.heading !== undefined) r.blocks.push({ type: 'header', text: { type: 'plain_text', text: cleanPlain(message.heading, LIMITS.header), emoji: true } });
  for (const bl of message.blocks) r.block(bl);
  let blocks = r.blocks;
  if (blocks.length > maxBlocks) {
    blocks = [...blocks.slice(0, maxBlocks - 1), { type: 'context', elements: [md('There is more than Slack can show in one message; `/partner status` gives the summary.')] }];
  }
  return { blocks, text: fallbackText(message) };
}

function fallbackText(message: Message): string {
  const first = message.blocks.find((b): b is Extract<Block, { kind: 'text' }> => b.kind === 'text');
  if (message.heading !== undefined) return escapeMrkdwn(cleanPlain(message.heading, LIMITS.header));
  if (first) return mrkdwn(first.text, LIMITS.fallbackText);
  return 'partnerbot';
}

/** Plain text of a message (for modal errors and logs). */
export function plainText(message: Message): string {
  return message.blocks.flatMap((b) => (b.kind === 'text' || b.kind === 'context' ? [plain(b.text)] : [])).join(' ');
}
