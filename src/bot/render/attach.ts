// Charts and documents as message blocks: each gets a fresh expiring link in the media store, and
// the bytes are drawn when the link is first fetched (cached by content), not while the chat waits.
import type { Chart } from '../../domain/charts.ts';
import type { Block, Message } from '../../domain/message.ts';
import type { MediaStore } from '../media.ts';
import { contentHash, RenderCache } from './cache.ts';
import type { RenderedChart } from './chart.ts';
import type { PdfOptions } from './pdf.ts';

// vega, resvg and pdf-lib load on the first drawing, not at start-up: most processes never draw.
async function renderChart(spec: Chart['spec']): Promise<RenderedChart> {
  return (await import('./chart.ts')).renderChart(spec);
}
async function messagePdf(doc: Message, opts: PdfOptions): Promise<Uint8Array> {
  return (await import('./pdf.ts')).messagePdf(doc, opts);
}

const utf8 = new TextEncoder();

/** An image block for the chart: PNG for people, SVG and the spec (JSON) beside it for tools and tests. */
export function chartImage(media: MediaStore, chart: Chart): Extract<Block, { kind: 'image' }> {
  const link = media.put(chart.name, {
    png: { mime: 'image/png', produce: async () => (await renderChart(chart.spec)).png },
    svg: { mime: 'image/svg+xml', produce: async () => utf8.encode((await renderChart(chart.spec)).svg) },
    json: { mime: 'application/json', produce: () => utf8.encode(JSON.stringify({ title: chart.title, series: chart.series, spec: chart.spec })) },
  });
  return { kind: 'image', url: link.urls.png!, alt: chart.alt, title: chart.title };
}

const pdfs = new RenderCache<Uint8Array>(32);

/**
 * A file block for `doc` as a PDF. `charts` maps each image block's URL in `doc` to its chart, so
 * the PDF embeds the same PNGs the chat shows without fetching its own links.
 */
export function pdfFile(media: MediaStore, doc: Message, charts: Map<string, Chart>, meta: { name: string; title: string; created: Date }): Extract<Block, { kind: 'file' }> {
  // Links are fresh per request; the content behind them is what the cache key names.
  const stable = JSON.stringify(doc, (key, value: unknown) => (key === 'url' && typeof value === 'string' && charts.has(value) ? contentHash(charts.get(value)!.spec) : value));
  const produce = () =>
    pdfs.get(contentHash({ stable, title: meta.title, created: meta.created.toISOString() }), () =>
      messagePdf(doc, {
        title: meta.title,
        created: meta.created,
        image: async (url) => {
          const chart = charts.get(url);
          return chart ? (await renderChart(chart.spec)).png : null;
        },
      }),
    );
  const link = media.put(meta.name, { pdf: { mime: 'application/pdf', produce } }, { download: true });
  return { kind: 'file', url: link.urls.pdf!, name: `${meta.name}.pdf`, mime: 'application/pdf', title: meta.title };
}
