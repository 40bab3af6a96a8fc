// The review pack as a PDF: pages, headings, the feedback in full, and the charts embedded.
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { participationChart, trendChart, type Chart } from '../../src/domain/charts.ts';
import type { ConsultationRecord } from '../../src/domain/digest.ts';
import { message, para, t, type Block } from '../../src/domain/message.ts';
import { reviewFigures, reviewPack, type ReviewPackInput } from '../../src/domain/review.ts';
import { renderChart } from '../../src/bot/render/chart.ts';
import { packDocument } from '../../src/bot/render/pack.ts';
import { messagePdf } from '../../src/bot/render/pdf.ts';
import { consultation, member, partnership, response } from '../support/fixtures.ts';
import { closedResult, fullBallots } from './fixtures.ts';
import { embeddedFonts, images, pageTexts } from './pdf-text.ts';

const p = partnership({ createdAt: '2026-12-01T00:00:00Z' });
const members = [member('Ann', { organisation: 'Council' }), member('Bo', { organisation: 'Youth Trust', sector: 'third' })];
const records: ConsultationRecord[] = [
  {
    consultation: consultation({ id: 'c-1', title: 'Bus routes', openedAt: '2027-01-10T09:00:00Z', deadline: '2027-02-20', status: 'closed', feedback: 'We moved the 42 to Mill Lane.', feedbackAt: '2027-03-01T10:00:00Z' }),
    asked: members.map((m) => m.id),
    responses: [response('m-ann', { consultationId: 'c-1' })],
  },
  {
    consultation: consultation({ id: 'c-2', title: 'Youth centre hours', openedAt: '2027-03-01T09:00:00Z', deadline: '2027-03-20', status: 'awaiting_feedback' }),
    asked: members.map((m) => m.id),
    responses: [],
  },
];
const input: ReviewPackInput = {
  partnership: p,
  members,
  consultations: records,
  polls: [closedResult(0, fullBallots([2, 3, 3, 4, 5, 1])), closedResult(1, fullBallots([4, 4])), closedResult(2, fullBallots([3, 4, 4, 4, 5]))],
  now: new Date('2027-04-15T10:00:00Z'),
};

async function packPdf(): Promise<{ bytes: Uint8Array; charts: Chart[] }> {
  const charts = [trendChart(input.polls, p)!, participationChart(reviewFigures(input), p)!];
  const image = (c: Chart): Block => ({ kind: 'image', url: `https://bot.example/media/${c.name}.png`, alt: c.alt, title: c.title });
  const doc = packDocument(reviewPack(input), { trend: image(charts[0]!), participation: image(charts[1]!) }, records, p);
  const bytes = await messagePdf(doc, {
    title: doc.heading!,
    created: input.now,
    image: async (url) => {
      const chart = charts.find((c) => url.endsWith(`/${c.name}.png`));
      return chart ? (await renderChart(chart.spec)).png : null;
    },
  });
  return { bytes, charts };
}

describe('review pack PDF', () => {
  it('has numbered pages, the headings in order, and the decision question', async () => {
    const { bytes } = await packPdf();
    const doc = await PDFDocument.load(bytes);
    expect(doc.getTitle()).toBe('Review pack: Riverside Partnership');
    const pages = await pageTexts(bytes);
    expect(pages.length).toBe(doc.getPageCount());
    expect(pages.length).toBeGreaterThanOrEqual(2);
    pages.forEach((texts, i) => expect(texts.at(-1)).toBe(`Review pack: Riverside Partnership - page ${i + 1} of ${pages.length}`));
    const all = pages.flat();
    const headings = ['Review pack: Riverside Partnership', 'Consultations in the period', 'Pulse trends', 'Who took part (consultation answers / asked)', '\u201cYou said, we did\u201d in the period', 'Overdue', 'Continue, change, or wind up?'];
    const latin1 = (s: string) => s.replace('\u201c', '\x93').replace('\u201d', '\x94');
    const at = headings.map((h) => all.indexOf(latin1(h)));
    expect(at.every((i) => i >= 0), JSON.stringify(all)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    for (const box of ['Continue', 'Change', 'Wind up']) expect(all).toContain(box);
  });

  it('writes the period\'s consultations and their feedback in full, and what is overdue', async () => {
    const all = (await pageTexts((await packPdf()).bytes)).flat().join(' ');
    expect(all).toContain('Bus routes');
    expect(all).toContain('We moved the 42 to Mill Lane.');
    expect(all).toMatch(/Youth centre hours/);
    expect(all).toMatch(/Feedback on\s*Youth centre hours/);
  });

  it('embeds both charts as images at their rendered size', async () => {
    const { bytes, charts } = await packPdf();
    const embedded = await images(bytes);
    const sizes = await Promise.all(charts.map(async (c) => ({ width: (await renderChart(c.spec)).width, height: (await renderChart(c.spec)).height })));
    expect(embedded).toEqual(expect.arrayContaining(sizes));
    expect(embedded).toHaveLength(2);
  });

  it('fits a short message on one page and names an image it cannot find instead of failing', async () => {
    const bytes = await messagePdf(message('Note', para(t('Hello → world')), { kind: 'image', url: 'https://x/y.png', alt: 'a chart of nothing' }), {
      title: 'Note',
      created: new Date('2027-01-01T00:00:00Z'),
      image: async () => null,
    });
    const pages = await pageTexts(bytes);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toContain('Hello -> world');
    expect(pages[0]).toContain('[Chart not available: a chart of nothing]');
    expect(await images(bytes)).toEqual([]);
  });

  it('prints Welsh, Polish, Greek and Cyrillic text in an embedded DejaVu Sans, as text a reader can copy', async () => {
    const title = 'Bwrdd Gwasanaethau Cyhoeddus Gŵyr';
    const words = 'Adolygiad: ŵyr, ŷd, Ŵ — Łódź, Ελλάδα, Київ';
    const bytes = await messagePdf(message(title, para(t(words)), para(t('Hello → world, 中文'))), { title, created: new Date('2027-01-01T00:00:00Z'), image: async () => null });
    const [page] = await pageTexts(bytes);
    expect(page).toContain(title);
    expect(page).toContain(words);
    // DejaVu draws the arrow itself; a script it lacks still becomes "?" rather than a wrong glyph.
    expect(page).toContain('Hello → world, ??');
    expect(page!.at(-1)).toBe(`${title} - page 1 of 1`);
    // pdf-lib names an embedded font after the file, with a number of its own.
    expect((await embeddedFonts(bytes)).map((f) => f.replace(/-\d+$/, '')).sort()).toEqual(['DejaVuSans', 'DejaVuSans-Bold']);
  });

  it('embeds no font when Helvetica can draw everything, so an English pack stays small', async () => {
    const { bytes } = await packPdf();
    expect(await embeddedFonts(bytes)).toEqual([]);
    const english = await messagePdf(message('Note', para(t('Plain words, “quotes” and £5'))), { title: 'Note', created: new Date('2027-01-01T00:00:00Z'), image: async () => null });
    expect(await embeddedFonts(english)).toEqual([]);
    expect(english.length).toBeLessThan(5_000);
  });
});

