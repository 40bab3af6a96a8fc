// Forms -> command text of the ordinary grammar, read back by the real parser.
import { describe, expect, it } from 'vitest';
import { errorBlock, modalFor, modalView, quoteTitle, refusal, submissionText } from '../../../src/adapters/slack/modals.ts';
import { parseCommand } from '../../../src/domain/commands.ts';
import { para, privateMessage, t, u } from '../../../src/domain/message.ts';

const ctx = { now: new Date('2027-01-04T09:00:00Z'), timezone: 'Europe/London' };
const parsed = (text: string) => {
  const r = parseCommand(text, ctx);
  if (!r.ok) throw new Error(r.error);
  return r.command;
};

describe('Slack forms', () => {
  it('open for the bare multi-field commands only', () => {
    expect(modalFor('consult')).toBe('consult');
    expect(modalFor('  Consult ')).toBe('consult');
    expect(modalFor('/partner consult')).toBe('consult');
    expect(modalFor('pulse start')).toBe('pulse');
    expect(modalFor('review set')).toBe('review');
    expect(modalFor('consult list')).toBeNull();
    expect(modalFor('pulse')).toBeNull();
    expect(modalFor('review set 2027-03-01')).toBeNull();
  });

  it('turn a consultation form into a consult command, people as mentions', () => {
    const r = submissionText('consult', {
      title: { value: { type: 'plain_text_input', value: 'Draft "local" plan <!here> by the river' } },
      deadline: { value: { type: 'datepicker', selected_date: '2027-04-30' } },
      sectors: { value: { type: 'multi_static_select', selected_options: [{ value: 'public', text: { type: 'plain_text', text: 'p' } }, { value: 'third', text: { type: 'plain_text', text: 't' } }] } },
      people: { value: { type: 'multi_users_select', selected_users: ['U1', 'U2'] } },
      link: { value: { type: 'url_text_input', value: 'https://example.org/plan' } },
    });
    expect('text' in r).toBe(true);
    expect(parsed((r as { text: string }).text)).toEqual({
      verb: 'consult',
      title: 'Draft "local" plan <!here> by the river',
      deadline: '2027-04-30',
      audience: { sectors: ['public', 'third'], users: [{ id: 'U1' }, { id: 'U2' }] },
      link: 'https://example.org/plan',
      confirm: false,
    });
  });

  it('ask everyone when no sector or person is chosen, and insist on title and date', () => {
    const r = submissionText('consult', { title: { value: { type: 'plain_text_input', value: 'Budget' } }, deadline: { value: { type: 'datepicker', selected_date: '2027-05-01' } } });
    expect(parsed((r as { text: string }).text)).toMatchObject({ verb: 'consult', title: 'Budget', audience: { all: true } });
    expect(submissionText('consult', {})).toEqual({ errors: { title: 'Give the consultation a title.', deadline: 'Pick the date responses are due.' } });
  });

  it('quote titles with whatever quote they do not contain', () => {
    for (const title of ['He said "yes"', "It's 'ours'", 'Both "a" and \'b\'', 'curly “quotes”']) {
      const r = parseCommand(`consult ${quoteTitle(title)} by 2027-05-01`, ctx);
      expect(r.ok).toBe(true);
    }
    expect(parsed(`consult ${quoteTitle('He said "yes"')} by 2027-05-01`)).toMatchObject({ title: 'He said "yes"' });
  });

  it('turn pulse and review forms into their commands', () => {
    expect(parsed((submissionText('pulse', { form: { value: { type: 'radio_buttons', selected_option: { value: 'short', text: { type: 'plain_text', text: 's' } } } }, days: { value: { type: 'number_input', value: '4' } } }) as { text: string }).text)).toEqual({ verb: 'pulse.start', form: 'short', days: 4 });
    expect(parsed((submissionText('pulse', {}) as { text: string }).text)).toEqual({ verb: 'pulse.start', form: 'full' });
    expect(parsed((submissionText('review', { date: { value: { type: 'datepicker', selected_date: '2027-06-30' } } }) as { text: string }).text)).toEqual({ verb: 'review.set', date: '2027-06-30' });
  });

  it('put a refusal on the field it is about, and recognise only refusals', () => {
    expect(errorBlock('consult', 'The deadline must be after today')).toBe('deadline');
    expect(errorBlock('consult', 'The link must be a web address')).toBe('link');
    expect(errorBlock('consult', 'Only a coordinator can open a consultation.')).toBe('title');
    expect(errorBlock('pulse', 'days must be 1 to 30')).toBe('days');
    const refused = { ...privateMessage(undefined, para(u('No.')), para(t('Usage: '), u('x'))), error: true };
    expect(refusal([refused])).toBe('No.');
    expect(refusal([privateMessage('Opened, but note', para(t('12 weeks')))])).toBeNull();
    expect(refusal([privateMessage(undefined, para(u('a'))), privateMessage(undefined, para(u('b')))])).toBeNull();
  });

  it('remember the channel and keep titles within Slack limits', () => {
    const view = modalView('consult', { channel: 'C1' });
    expect(JSON.parse(view.private_metadata!)).toEqual({ channel: 'C1' });
    for (const kind of ['consult', 'pulse', 'review'] as const) expect(modalView(kind, { channel: null }).title.text.length).toBeLessThanOrEqual(24);
  });
});
