// The Adaptive Card renderer: every block kind, Universal Actions with a Submit fallback, and user
// text that cannot format, link or mention.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { b, context, encodeAction, message, para, t, u, type Message } from '../../../src/domain/message.ts';
import { cleanUserText, escapeMarkdown, markdownOf, renderCard } from '../../../src/adapters/teams/cards.ts';
import { messageActivity, mentionName } from '../../../src/adapters/teams/delivery.ts';

const HOSTILE = '<at>x</at> @channel **bold** _it_ [x](http://evil.example) `code` # head\n- item';

function find(card: unknown, type: string): any[] {
  const found: any[] = [];
  const walk = (n: any): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    if (n.type === type) found.push(n);
    Object.values(n).forEach(walk);
  };
  walk(card);
  return found;
}

/** Markdown, as Teams would read it, that is not escaped: emphasis, a link, a mention tag, a heading or list. */
const LIVE_MARKDOWN = [/(^|[^\\])\*\*/, /(^|[^\\])_\S/, /(^|[^\\])\[[^\]]*\]\(/, /(^|[^\\])<at>/i, /(^|[^\\])`/, /^\s*[-+#]\s/, /\n/];

describe('escapeMarkdown', () => {
  it('escapes every marker of hostile text', () => {
    const e = escapeMarkdown(HOSTILE);
    for (const re of LIVE_MARKDOWN) expect(e).not.toMatch(re);
    expect(e).toBe('\\<at\\>x\\</at\\> @channel \\*\\*bold\\*\\* \\_it\\_ \\[x\\](http://evil.example) \\`code\\` \\# head - item');
    expect(escapeMarkdown('- a list')).toBe('\\- a list');
    expect(escapeMarkdown('1. first')).toBe('\\1. first');
  });

  it('never leaves live Markdown, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('*', '_', '[', ']', '(', ')', '<', '>', 'a', ' ', '\\', '`', '#', '-', '\n', '@', 't') }), (s) => {
        const e = escapeMarkdown(s);
        for (const re of LIVE_MARKDOWN) expect(e).not.toMatch(re);
      }),
    );
  });
});

describe('renderCard', () => {
  const choice: Message = message('Pulse poll', {
    kind: 'choice',
    label: [t('Trust: '), u('I trust the others')],
    buttons: [1, 2, 3, 4, 5].map((score) => ({ label: String(score), action: { type: 'pulse.answer', pollId: 'p-aaaaaaaa', block: 'trust', score } })),
  });

  it('renders a choice as its statement and 1–5 Action.Execute buttons with an Action.Submit fallback', () => {
    const card = renderCard(choice);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    const actions = find(card, 'Action.Execute');
    expect(actions.map((a) => a.title)).toEqual(['1', '2', '3', '4', '5']);
    const { id, value } = encodeAction({ type: 'pulse.answer', pollId: 'p-aaaaaaaa', block: 'trust', score: 4 });
    expect(actions[3]).toMatchObject({ verb: id, data: { verb: id, value }, fallback: { type: 'Action.Submit', title: '4', data: { verb: id, value } } });
    expect(find(card, 'TextBlock')[0].text).toBe('Pulse poll');
  });

  it('renders text spans as TextRuns (bold as weight), fields as a FactSet, bars as a text chart, links as OpenUrl', () => {
    const card = renderCard(
      message(
        undefined,
        para(t('Hello '), b('Northside'), t('.')),
        { kind: 'fields', fields: [{ label: 'Chair', value: [u('**Ann** [x](http://evil)')] }] },
        { kind: 'divider' },
        { kind: 'bars', label: 'Trust', bars: [{ label: '1', count: 0 }, { label: '5', count: 3 }] },
        { kind: 'link', url: 'https://example.org/plan', label: 'Read the consultation' },
        { kind: 'link', url: 'javascript:alert(1)', label: 'Bad' },
        context('small print'),
      ),
    );
    const runs = find(card, 'TextRun');
    expect(runs.slice(0, 3)).toEqual([
      { type: 'TextRun', text: 'Hello ' },
      { type: 'TextRun', text: 'Northside', weight: 'Bolder' },
      { type: 'TextRun', text: '.' },
    ]);
    const facts = find(card, 'FactSet');
    expect(facts[0].facts).toEqual([{ title: 'Chair', value: '\\*\\*Ann\\*\\* \\[x\\](http:\u2060//evil)' }]);
    expect(facts[1].facts).toEqual([{ title: '1', value: '0' }, { title: '5', value: '▇▇▇ 3' }]);
    expect(card.body.find((e) => e.type === 'TextBlock' && e.text === 'Trust')).toMatchObject({ separator: true });
    expect(find(card, 'Action.OpenUrl')).toEqual([{ type: 'Action.OpenUrl', title: 'Read the consultation', url: 'https://example.org/plan' }]);
    expect(runs.some((r) => r.text === 'Bad: javascript:alert(1)')).toBe(true); // shown, never a link
    expect(runs.at(-1)).toMatchObject({ text: 'small print', isSubtle: true, size: 'Small' });
  });

  it('keeps user text inert in TextRuns: one line, no hidden characters, no auto-linked address', () => {
    const card = renderCard(message(undefined, para(u(`${HOSTILE}\u202E\u0007`))));
    const run = find(card, 'TextRun')[0];
    expect(run.text).not.toMatch(/[\n\u202E\u0007]/);
    expect(run.text).toContain('http:\u2060//evil.example');
    expect(cleanUserText('see https://x.org')).toBe('see https:\u2060//x.org');
  });

  it('shows images and documents: an Image, a link to open a file, small inline content as plain text', () => {
    const card = renderCard(
      message(
        undefined,
        { kind: 'image', url: 'https://bot.example/media/abc.png', alt: 'Trust over six polls', title: 'Trend' },
        { kind: 'file', name: 'review-pack.pdf', mime: 'application/pdf', title: 'Review pack', url: 'https://bot.example/media/def.pdf' },
        { kind: 'file', name: 'export.json', mime: 'application/json', content: '{\n  "name": "**Ann**"\n}' },
      ),
    );
    expect(find(card, 'Image')).toEqual([{ type: 'Image', url: 'https://bot.example/media/abc.png', altText: 'Trust over six polls', size: 'Stretch' }]);
    expect(find(card, 'Action.OpenUrl')).toEqual([{ type: 'Action.OpenUrl', title: 'Open Review pack', url: 'https://bot.example/media/def.pdf' }]);
    expect(find(card, 'TextRun').at(-1)).toEqual({ type: 'TextRun', text: '{\n  "name": "**Ann**"\n}', fontType: 'Monospace' });
  });

  it('puts bold markers around the words, not the spaces', () => {
    expect(markdownOf([b(' Ann '), t('x')])).toBe(' **Ann** x');
  });
});

describe('messageActivity', () => {
  it('has no mention unless one is asked for, and then a safe one', () => {
    const m = message('Hi', para(u(HOSTILE)));
    expect(messageActivity(m).entities).toBeUndefined();
    expect(messageActivity(m).text).toBeUndefined();
    const a = messageActivity(m, { id: '29:x', name: '<at>Eve</at> **' }, ' hello');
    expect(a.text).toBe('<at>atEve/at</at> hello');
    expect(a.entities).toEqual([{ type: 'mention', text: '<at>atEve/at</at>', mentioned: { id: '29:x', name: 'atEve/at' } }]);
    expect(mentionName('')).toBe('member');
  });
});
