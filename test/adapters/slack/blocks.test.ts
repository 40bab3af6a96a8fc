// Block Kit rendering: escaping of what people wrote, Slack's limits, unique action ids.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baseActionId, barChart, LIMITS, mrkdwn, renderMessage } from '../../../src/adapters/slack/blocks.ts';
import { escapeUserText, literal } from '../../../src/adapters/slack/escape.ts';
import { b, context, decodeAction, message, para, t, u, type Block, type Button } from '../../../src/domain/message.ts';

const LITERAL = /<!date\^0\^\{_\}\|[*_~`]>/g;

/** mrkdwn with our literal tokens taken out: what is left may hold no markup at all. */
const withoutLiterals = (s: string) => s.replace(LITERAL, '');

describe('escaping text people wrote', () => {
  it('keeps mentions, broadcasts and links as text', () => {
    const out = mrkdwn([u('<!channel> <!here> <@U123> <#C1> <https://evil.example|click> & co')]);
    expect(out).toBe('&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;#C1&gt; &lt;https://evil.example|click&gt; &amp; co');
  });

  it('shows formatting characters as themselves, never as formatting', () => {
    expect(escapeUserText('*bold* _it_ ~s~ `code`')).toBe(
      `${literal('*')}bold${literal('*')} ${literal('_')}it${literal('_')} ${literal('~')}s${literal('~')} ${literal('`')}code${literal('`')}`,
    );
  });

  it('does not let a line start a quote, and drops control and bidi characters', () => {
    expect(escapeUserText('> quoted\nok\n  >x')).toBe('\u00AD&gt; quoted\nok\n  \u00AD&gt;x');
    expect(escapeUserText('a\u0007b\u202Ec')).toBe('a b c');
  });

  it('escapes but keeps the formatting of our own text', () => {
    expect(mrkdwn([b('Usage: '), t('`/partner help` <topic>')])).toBe('*Usage:* `/partner help` &lt;topic&gt;');
  });

  it('never lets any user text produce markup, whatever it is (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.boolean(), (s, bold) => {
        const out = withoutLiterals(mrkdwn([{ text: s, user: true, bold }]));
        expect(out).not.toMatch(/[<>]/);
        expect(out.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
        // Only our own bold asterisks survive, and they are balanced.
        expect((out.match(/\*/g) ?? []).length % 2).toBe(0);
        if (!bold) expect(out).not.toMatch(/[*_~`]/);
      }),
      { numRuns: 300 },
    );
  });

  it('truncates within the limit without cutting an escape or leaving bold open (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 800 }), fc.integer({ min: 10, max: 300 }), (s, max) => {
        const out = mrkdwn([b('Title: '), { text: s, user: true, bold: true }, t(' & more')], max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(withoutLiterals(out)).not.toMatch(/&(?!amp;|lt;|gt;)/);
        expect((withoutLiterals(out).match(/\*/g) ?? []).length % 2).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('gives the whole text whenever it fits, and otherwise a cut of that same text (property)', () => {
    const span = fc.record({ text: fc.string({ unit: 'grapheme', maxLength: 60 }), user: fc.boolean(), bold: fc.boolean() });
    fc.assert(
      fc.property(fc.array(span, { maxLength: 5 }), fc.integer({ min: 3, max: 400 }), (spans, max) => {
        const whole = mrkdwn(spans, 100_000);
        const out = mrkdwn(spans, max);
        if (out === whole) return;
        // Cut: the text so far, a closing "*" if a bold span was open, and "…".
        expect(out.endsWith('…')).toBe(true);
        const kept = out.slice(0, -1);
        expect(whole.startsWith(kept) || (kept.endsWith('*') && whole.startsWith(kept.slice(0, -1)))).toBe(true);
        expect(out.length).toBeLessThanOrEqual(max);
      }),
      { numRuns: 500 },
    );
    // Room for the whole text is the limit less two (a cut adds "…", and may close a bold "*").
    expect(mrkdwn([b('Hi'), t(' there')], 12)).toBe('*Hi* there');
    expect(mrkdwn([b('Hi'), t(' there')], 11)).toBe('*Hi* ther…');
  });
});

const scale = (pollId: string, block: 'trust' | 'openness'): Button[] =>
  [1, 2, 3, 4, 5].map((score) => ({ label: String(score), action: { type: 'pulse.answer', pollId, block, score } }));

describe('Block Kit within Slack limits', () => {
  it('renders headings, text, fields, context, choices, links, bars and dividers', () => {
    const blocks: Block[] = [
      para(t('Hello '), u('<@U1>')),
      { kind: 'fields', fields: [{ label: 'Deadline', value: [t('Fri 26 Feb')] }] },
      context('Small print'),
      { kind: 'choice', label: [t('We trust each other')], buttons: scale('p-1', 'trust') },
      { kind: 'link', url: 'https://example.org/plan', label: 'Read the plan' },
      { kind: 'bars', label: 'Trust', bars: [{ label: '1', count: 0 }, { label: '5', count: 3 }] },
      { kind: 'divider' },
    ];
    const { blocks: out, text } = renderMessage(message('A <heading>', ...blocks));
    expect(out.map((x) => x.type)).toEqual(['header', 'section', 'section', 'context', 'section', 'actions', 'actions', 'section', 'divider']);
    expect(text).toBe('A &lt;heading&gt;');
    const json = JSON.stringify(out);
    expect(json).toContain('"url":"https://example.org/plan"');
    expect(json).not.toContain('<@U1>');
  });

  it('gives every button an action id unique in the message, which decodes back to the core action', () => {
    const { blocks } = renderMessage(message(undefined, { kind: 'choice', label: [t('Trust')], buttons: scale('p-1', 'trust') }, { kind: 'choice', label: [t('Openness')], buttons: scale('p-1', 'openness') }));
    const buttons = blocks.flatMap((bl) => (bl.type === 'actions' ? bl.elements : [])) as { action_id: string; value: string }[];
    expect(buttons).toHaveLength(10);
    expect(new Set(buttons.map((x) => x.action_id)).size).toBe(10);
    for (const x of buttons) expect(decodeAction(baseActionId(x.action_id), x.value)).toMatchObject({ type: 'pulse.answer', pollId: 'p-1' });
  });

  it('puts at most 5 buttons in a row and caps a message at 50 blocks', () => {
    const many: Button[] = Array.from({ length: 12 }, (_, i) => ({ label: `B${i}`, action: { type: 'command', text: `help ${i}` } }));
    const rows = renderMessage(message(undefined, { kind: 'buttons', buttons: many })).blocks;
    expect(rows.map((r) => (r.type === 'actions' ? r.elements.length : 0))).toEqual([5, 5, 2]);
    const long = renderMessage(message(undefined, ...Array.from({ length: 80 }, (_, i) => para(t(`line ${i}`)))));
    expect(long.blocks).toHaveLength(LIMITS.messageBlocks);
    expect(JSON.stringify(long.blocks.at(-1))).toMatch(/more than Slack can show/);
    expect(renderMessage(message(undefined, ...Array.from({ length: 80 }, (_, i) => para(t(`${i}`)))), LIMITS.homeBlocks).blocks).toHaveLength(80);
  });

  it('keeps headers, labels, fields and sections within their lengths', () => {
    const huge = 'x'.repeat(5000);
    const { blocks } = renderMessage(message(huge, para(u(huge)), { kind: 'fields', fields: Array.from({ length: 12 }, () => ({ label: 'L', value: [u(huge)] })) }, { kind: 'buttons', buttons: [{ label: huge, action: { type: 'command', text: 'help' } }] }));
    const json = blocks as unknown as Record<string, any>[];
    expect(json[0]!.text.text.length).toBeLessThanOrEqual(LIMITS.header);
    expect(json[1]!.text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(json[2]!.fields).toHaveLength(10);
    expect(json[3]!.fields).toHaveLength(2);
    for (const f of [...json[2]!.fields, ...json[3]!.fields]) expect(f.text.length).toBeLessThanOrEqual(LIMITS.field);
    expect(json[4]!.elements[0].text.text.length).toBeLessThanOrEqual(LIMITS.buttonLabel);
  });

  it('draws a distribution as a text bar chart in a code block', () => {
    const chart = barChart({ kind: 'bars', label: 'Trust', bars: [{ label: '1', count: 0 }, { label: '2', count: 2 }, { label: '5', count: 40 }] });
    expect(chart).toBe(`*Trust*\n\`\`\`1 0\n2 █ 2\n5 ${'█'.repeat(20)} 40\`\`\``);
  });
});
