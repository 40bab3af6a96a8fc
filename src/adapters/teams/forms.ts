// Input cards for the commands with several fields: open a consultation, start a pulse poll, set the
// review date. A command typed with no arguments gets the form; the form's submit is turned back into
// the text of the same /partner grammar and run like a typed command, so one parser judges both.
import { commandText } from '../../domain/command-tokens.ts';
import { SECTOR_LABELS, SECTORS } from '../../domain/partnership.ts';
import { emptyCard, executeAction, type ActionData, type AdaptiveCard, type CardElement } from './cards.ts';

export const FORM_VERBS = ['form.consult', 'form.pulse', 'form.review'] as const;
export type FormVerb = (typeof FORM_VERBS)[number];

export function isFormVerb(verb: string): verb is FormVerb {
  return (FORM_VERBS as readonly string[]).includes(verb);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function heading(text: string): CardElement {
  return { type: 'TextBlock', text, size: 'Medium', weight: 'Bolder', wrap: true };
}

function problem(text: string | undefined): CardElement[] {
  return text ? [{ type: 'TextBlock', text, color: 'Attention', wrap: true }] : [];
}

function submit(title: string, verb: FormVerb): CardElement {
  return { type: 'ActionSet', actions: [executeAction(title, { verb }, 'positive')] };
}

export function consultForm(error?: string): AdaptiveCard {
  return emptyCard([
    heading('Open a consultation'),
    ...problem(error),
    { type: 'Input.Text', id: 'title', label: 'Title', placeholder: 'e.g. Draft local plan', maxLength: 200, isRequired: true, errorMessage: 'Give the consultation a title.' },
    { type: 'Input.Date', id: 'deadline', label: 'Responses due by', isRequired: true, errorMessage: 'Choose the deadline.' },
    {
      type: 'Input.ChoiceSet',
      id: 'audience',
      label: 'Who is asked (leave empty for everyone)',
      isMultiSelect: true,
      style: 'expanded',
      choices: SECTORS.map((s) => ({ title: SECTOR_LABELS[s], value: s })),
    },
    { type: 'Input.Text', id: 'link', label: 'Link to the document (optional)', style: 'Url', placeholder: 'https://…' },
    submit('Open consultation', 'form.consult'),
  ]);
}

export function pulseForm(error?: string): AdaptiveCard {
  return emptyCard([
    heading('Start a pulse poll'),
    ...problem(error),
    {
      type: 'Input.ChoiceSet',
      id: 'form',
      label: 'Questions',
      value: 'full',
      style: 'expanded',
      choices: [
        { title: 'Full: all six building blocks', value: 'full' },
        { title: 'Short: two questions', value: 'short' },
      ],
    },
    { type: 'Input.Number', id: 'days', label: 'Days open (optional)', min: 1, max: 30 },
    submit('Start poll', 'form.pulse'),
  ]);
}

export function reviewForm(error?: string): AdaptiveCard {
  return emptyCard([
    heading('Set the review date'),
    ...problem(error),
    { type: 'Input.Date', id: 'date', label: 'Next review', isRequired: true, errorMessage: 'Choose the review date.' },
    submit('Set review date', 'form.review'),
  ]);
}

/** The form for a command typed with no arguments (consult; pulse or pulse start; review set), else null. */
export function formFor(text: string): AdaptiveCard | null {
  const words = commandText(text).trim().toLowerCase().split(/\s+/).filter(Boolean);
  const said = words.join(' ');
  if (said === 'consult') return consultForm();
  if (said === 'pulse' || said === 'pulse start') return pulseForm();
  if (said === 'review set') return reviewForm();
  return null;
}

function field(data: ActionData, name: string): string {
  const v = data[name];
  return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
}

/** Double quotes would end the quoted title early: they become single quotes, which cannot. */
function quoted(text: string): string {
  return `"${text.replace(/[\r\n]+/g, ' ').replace(/["“”„‟]/g, "'")}"`;
}

/** The command text a submitted form stands for, or what is wrong with it (with the form to try again). */
export function formCommand(data: ActionData): { text: string } | { error: string; form: AdaptiveCard } {
  switch (data.verb) {
    case 'form.consult': {
      const title = field(data, 'title');
      const deadline = field(data, 'deadline');
      const link = field(data, 'link');
      const fail = (error: string) => ({ error, form: consultForm(error) });
      if (!title) return fail('Give the consultation a title.');
      if (!DATE.test(deadline)) return fail('Choose the date responses are due.');
      if (link && !/^https?:\/\/\S+$/i.test(link)) return fail('The link must be a web address starting with https://.');
      const sectors = field(data, 'audience')
        .split(',')
        .map((s) => s.trim())
        .filter((s): s is (typeof SECTORS)[number] => (SECTORS as readonly string[]).includes(s));
      const parts = ['consult', quoted(title), 'by', deadline];
      if (sectors.length) parts.push('to', sectors.join(', '));
      if (link) parts.push('link', link);
      return { text: parts.join(' ') };
    }
    case 'form.pulse': {
      const form = field(data, 'form') === 'short' ? 'short' : 'full';
      const days = field(data, 'days');
      if (days && !/^\d{1,2}$/.test(days)) return { error: 'Days open must be a whole number.', form: pulseForm('Days open must be a whole number.') };
      return { text: ['pulse start', form, ...(days ? [`days=${days}`] : [])].join(' ') };
    }
    case 'form.review': {
      const date = field(data, 'date');
      if (!DATE.test(date)) return { error: 'Choose the review date.', form: reviewForm('Choose the review date.') };
      return { text: `review set ${date}` };
    }
    default:
      return { error: 'That form is not one I know.', form: emptyCard(problem('That form is not one I know.')) };
  }
}
