import { describe, expect, it } from 'vitest';
import { b, context, message, para, t, u, type Message } from '../../../src/domain/message.ts';
import { buttonsOf, cleanUserText, renderText } from '../../../src/adapters/local/render.ts';

describe('renderText', () => {
  it('shows the heading and text spans, bold and user spans as plain text', () => {
    const out = renderText(message('Consultation opened', para(b('Title: '), u('Bus *routes* <!here>'), t(' is open'))));
    expect(out.split('\n')).toEqual(['== Consultation opened ==', 'Title: Bus *routes* <!here> is open']);
  });

  it('strips control characters and bidi overrides from user spans only', () => {
    const evil = 'Hi\n== Fake heading ==\u001b[2J\u202Eevil\u0007';
    const out = renderText(message(undefined, para(u(evil), t('\n(bot line)'))));
    expect(out).not.toMatch(/[\u001b\u202E\u0007]/);
    expect(out).toBe('Hi == Fake heading == [2J evil \n(bot line)');
    expect(cleanUserText('a\tb\r\nc')).toBe('a b c');
  });

  it('renders fields as "Label: value" and context in brackets', () => {
    const out = renderText({
      blocks: [
        { kind: 'fields', fields: [{ label: 'Deadline', value: [t('15 Dec 2026')] }, { label: 'Owner', value: [u('Ann\u0000')] }] },
        context('Sent because you are in the audience'),
      ],
    });
    expect(out.split('\n')).toEqual(['Deadline: 15 Dec 2026', 'Owner: Ann ', '(Sent because you are in the audience)']);
  });

  it('renders links as "label: url" and dividers as a rule', () => {
    const out = renderText({ blocks: [{ kind: 'link', label: 'Read the paper', url: 'https://example.org/p' }, { kind: 'divider' }] });
    expect(out.split('\n')).toEqual(['Read the paper: https://example.org/p', '-'.repeat(24)]);
  });

  it('numbers buttons across buttons and choice blocks with the action and value to POST', () => {
    const m: Message = {
      blocks: [
        {
          kind: 'buttons',
          buttons: [
            { label: 'Responded', action: { type: 'consult.respond', consultationId: 'c1', kind: 'responded' } },
            { label: 'Not relevant', action: { type: 'consult.respond', consultationId: 'c1', kind: 'not_relevant' } },
          ],
        },
        {
          kind: 'choice',
          label: [t('I trust the other partners')],
          buttons: [1, 5].map((score) => ({ label: String(score), action: { type: 'pulse.answer' as const, pollId: 'p9', block: 'trust' as const, score } })),
        },
        { kind: 'buttons', buttons: [{ label: 'Open anyway', action: { type: 'command', text: '/partner consult "X" by 2026-12-15 confirm' } }] },
      ],
    };
    const lines = renderText(m).split('\n');
    expect(lines).toEqual([
      '  [1] Responded  (action: consult.respond, value: c1:responded)',
      '  [2] Not relevant  (action: consult.respond, value: c1:not_relevant)',
      'I trust the other partners',
      '  [3] 1  (action: pulse.answer, value: p9:trust:1)',
      '  [4] 5  (action: pulse.answer, value: p9:trust:5)',
      '  [5] Open anyway  (action: command, value: /partner consult "X" by 2026-12-15 confirm)',
    ]);
    expect(buttonsOf(m).map((x) => x.label)).toEqual(['Responded', 'Not relevant', '1', '5', 'Open anyway']);
    expect(renderText(m, { firstButton: 7 })).toContain('[7] Responded');
  });

  it('draws bars as a text chart with counts, zero as no bar', () => {
    const out = renderText({
      blocks: [{ kind: 'bars', label: 'Trust', bars: [{ label: '1', count: 3 }, { label: '2', count: 0 }, { label: '10', count: 1 }] }],
    });
    expect(out.split('\n')).toEqual(['Trust', '   1 ▇▇▇ 3', '   2 0', '  10 ▇ 1']);
  });

  it('scales long bars to the line width but keeps the real count', () => {
    const out = renderText({ blocks: [{ kind: 'bars', label: 'Big', bars: [{ label: 'a', count: 200 }, { label: 'b', count: 1 }] }] });
    const [, a, bLine] = out.split('\n');
    expect(a).toBe(`  a ${'▇'.repeat(20)} 200`);
    expect(bLine).toBe('  b ▇ 1');
  });

  it('renders a message with no heading and no blocks as empty text', () => {
    expect(renderText({ blocks: [] })).toBe('');
  });
});
