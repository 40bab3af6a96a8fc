// Forms: which typed commands get one, and the command text a submitted form stands for, which the
// real parser must read back as the same fields.
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/domain/commands.ts';
import { formCommand, formFor } from '../../../src/adapters/teams/forms.ts';

const ctx = { now: new Date('2027-01-04T09:00:00Z'), timezone: 'Europe/London' };

function parsed(data: Record<string, unknown> & { verb: string }) {
  const built = formCommand(data);
  if (!('text' in built)) throw new Error(built.error);
  const r = parseCommand(built.text, ctx);
  if (!r.ok) throw new Error(`${built.text}: ${r.error}`);
  return r.command;
}

describe('formFor', () => {
  it.each(['consult', '/partner consult', 'partner pulse', 'pulse start', '<at>partnerbot</at> partner review set', 'REVIEW SET'])('offers a form for "%s"', (text) => {
    expect(formFor(text)).not.toBeNull();
  });
  it.each(['consult list', 'consult "X" by 2027-02-01', 'pulse short', 'review', 'review pack', 'help'])('runs "%s" as typed', (text) => {
    expect(formFor(text)).toBeNull();
  });
});

describe('formCommand', () => {
  it('builds a consultation the parser reads back field for field, quotes and all', () => {
    expect(parsed({ verb: 'form.consult', title: 'Budget "2027" <at>x</at>', deadline: '2027-05-28', audience: 'public,third', link: 'https://example.org/b' })).toEqual({
      verb: 'consult',
      title: "Budget '2027' @x", // the parser shows a typed mention as plain text
      deadline: '2027-05-28',
      audience: { sectors: ['public', 'third'], users: [] },
      confirm: false,
      link: 'https://example.org/b',
    });
    expect(parsed({ verb: 'form.consult', title: 'Plan', deadline: '2027-05-28', audience: '' })).toMatchObject({ audience: { all: true } });
  });

  it('builds a poll and a review date', () => {
    expect(parsed({ verb: 'form.pulse', form: 'short', days: '7' })).toEqual({ verb: 'pulse.start', form: 'short', days: 7 });
    expect(parsed({ verb: 'form.pulse' })).toEqual({ verb: 'pulse.start', form: 'full' });
    expect(parsed({ verb: 'form.review', date: '2027-06-30' })).toEqual({ verb: 'review.set', date: '2027-06-30' });
  });

  it('says what is missing and gives the form back', () => {
    const r = formCommand({ verb: 'form.consult', title: ' ', deadline: '2027-05-28' });
    expect(r).toMatchObject({ error: 'Give the consultation a title.' });
    expect(JSON.stringify('form' in r ? r.form : null)).toContain('Give the consultation a title.');
    expect(formCommand({ verb: 'form.consult', title: 'X', deadline: 'soon' })).toMatchObject({ error: /date/ });
    expect(formCommand({ verb: 'form.consult', title: 'X', deadline: '2027-05-28', link: 'javascript:alert(1)' })).toMatchObject({ error: /https/ });
    expect(formCommand({ verb: 'form.review', date: '' })).toMatchObject({ error: /review date/ });
    expect(formCommand({ verb: 'form.pulse', days: 'lots' })).toMatchObject({ error: /whole number/ });
  });
});
