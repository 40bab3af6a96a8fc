// Forms for the multi-field commands. A form's answers become the command TEXT of the ordinary grammar
// (so the core parses and checks them like anything typed), and the core's error for the person is
// shown on the field it is about.
import type { types, ViewStateValue } from '@slack/bolt';
import type { Message } from '../../domain/message.ts';
import { SECTOR_LABELS, SECTORS } from '../../domain/partnership.ts';
import { plainText } from './blocks.ts';
import { escapeMrkdwn } from './escape.ts';

export type ModalKind = 'consult' | 'pulse' | 'review';
export const MODAL_CALLBACK_PREFIX = 'partner.';
export const MODAL_CALLBACKS: Record<ModalKind, string> = { consult: 'partner.consult', pulse: 'partner.pulse', review: 'partner.review' };

/** What the form remembers between opening and submission. */
export interface ModalMeta {
  channel: string | null;
}

/** The form a bare command opens: "consult", "pulse start" or "review set" with nothing after. */
export function modalFor(commandText: string): ModalKind | null {
  const words = commandText.trim().toLowerCase().replace(/^\/?partner\b/, '').trim().split(/\s+/).join(' ');
  if (words === 'consult') return 'consult';
  if (words === 'pulse start') return 'pulse';
  if (words === 'review set') return 'review';
  return null;
}

type View = types.ModalView;
type InputBlock = types.InputBlock;

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

function input(blockId: string, label: string, element: InputBlock['element'], optional = false, hint?: string): InputBlock {
  const block: InputBlock = { type: 'input', block_id: blockId, label: plain(label), element, optional };
  if (hint) block.hint = plain(hint);
  return block;
}

export function modalView(kind: ModalKind, meta: ModalMeta): View {
  const base = { type: 'modal' as const, callback_id: MODAL_CALLBACKS[kind], private_metadata: JSON.stringify(meta), close: plain('Cancel') };
  switch (kind) {
    case 'consult':
      return {
        ...base,
        title: plain('Open a consultation'),
        submit: plain('Open'),
        blocks: [
          input('title', 'Title', { type: 'plain_text_input', action_id: 'value', max_length: 200, placeholder: plain('e.g. Draft food strategy') }),
          input('deadline', 'Responses due by', { type: 'datepicker', action_id: 'value' }, false, 'Twelve weeks is the usual notice for public bodies.'),
          input('sectors', 'For these sectors', {
            type: 'multi_static_select',
            action_id: 'value',
            options: SECTORS.map((s) => ({ text: plain(SECTOR_LABELS[s]), value: s })),
          }, true),
          input('people', 'And these people', { type: 'multi_users_select', action_id: 'value' }, true, 'Leave sectors and people empty to ask everyone.'),
          input('link', 'Link to the documents', { type: 'url_text_input', action_id: 'value' }, true),
        ],
      };
    case 'pulse':
      return {
        ...base,
        title: plain('Start a pulse poll'),
        submit: plain('Start'),
        blocks: [
          input('form', 'Questions', {
            type: 'radio_buttons',
            action_id: 'value',
            initial_option: { text: plain('All six building blocks'), value: 'full' },
            options: [
              { text: plain('All six building blocks'), value: 'full' },
              { text: plain('Short: trust and openness'), value: 'short' },
            ],
          }),
          input('days', 'Open for how many days', { type: 'number_input', action_id: 'value', is_decimal_allowed: false, min_value: '1', max_value: '30' }, true, 'Empty: the partnership’s usual length.'),
        ],
      };
    case 'review':
      return {
        ...base,
        title: plain('Set the review date'),
        submit: plain('Save'),
        blocks: [input('date', 'Next review', { type: 'datepicker', action_id: 'value' })],
      };
  }
}

type StateValues = Record<string, Record<string, ViewStateValue | undefined> | undefined>;

function field(values: StateValues, block: string): ViewStateValue | undefined {
  return values[block]?.value;
}

/** A title as one token of the grammar: escaped as Slack escapes typed text (so "<!here>" stays
 * text, not markup) and quoted with a quote character it does not contain. */
export function quoteTitle(title: string): string {
  const t = escapeMrkdwn(title.replace(/\s+/g, ' ').trim());
  if (!/["“”„‟]/.test(t)) return `"${t}"`;
  if (!/['‘’‚‛]/.test(t)) return `'${t}'`;
  return `"${t.replace(/["“”„‟]/g, "'")}"`;
}

export type Submission = { text: string } | { errors: Record<string, string> };

/** The command text a submitted form stands for, or the fields that must be filled in. */
export function submissionText(kind: ModalKind, values: StateValues): Submission {
  switch (kind) {
    case 'consult': {
      const title = field(values, 'title')?.value?.trim();
      const deadline = field(values, 'deadline')?.selected_date;
      const errors: Record<string, string> = {};
      if (!title) errors.title = 'Give the consultation a title.';
      if (!deadline) errors.deadline = 'Pick the date responses are due.';
      if (!title || !deadline) return { errors };
      const sectors = (field(values, 'sectors')?.selected_options ?? []).map((o) => o.value);
      const people = (field(values, 'people')?.selected_users ?? []).map((u) => `<@${u}>`);
      const audience = [...sectors, ...people];
      const link = field(values, 'link')?.value?.trim();
      return { text: `consult ${quoteTitle(title)} by ${deadline}${audience.length ? ` to ${audience.join(', ')}` : ''}${link ? ` link ${link}` : ''}` };
    }
    case 'pulse': {
      const form = field(values, 'form')?.selected_option?.value === 'short' ? 'short' : 'full';
      const days = field(values, 'days')?.value?.trim();
      return { text: `pulse start ${form}${days ? ` days=${days}` : ''}` };
    }
    case 'review': {
      const date = field(values, 'date')?.selected_date;
      return date ? { text: `review set ${date}` } : { errors: { date: 'Pick the date of the next review.' } };
    }
  }
}

/** Which field of the form an error from the core is about. */
export function errorBlock(kind: ModalKind, error: string): string {
  if (kind === 'review') return 'date';
  if (kind === 'pulse') return /\bdays?\b/i.test(error) ? 'days' : 'form';
  if (/deadline|date|due|today|notice/i.test(error)) return 'deadline';
  if (/link|address|http/i.test(error)) return 'link';
  if (/sector/i.test(error)) return 'sectors';
  if (/mention|person|people|member|nobody/i.test(error)) return 'people';
  return 'title';
}

/** The core's answer when it refused the command (marked `error`): its first sentence, for the form. */
export function refusal(replies: Message[]): string | null {
  const m = replies.find((r) => r.error);
  const first = m?.blocks[0];
  return first?.kind === 'text' ? plainText({ blocks: [first] }) : null;
}
