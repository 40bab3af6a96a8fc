// Rendering one chart for real: Vega-Lite -> SVG -> PNG, checked by its structure rather than pixels.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { trendChart } from '../../src/domain/charts.ts';
import { chartSvg, PNG_SCALE, renderChart } from '../../src/bot/render/chart.ts';
import { fontFiles } from '../../src/bot/render/fonts.ts';
import { partnership } from '../support/fixtures.ts';
import { closedResult, fullBallots } from './fixtures.ts';

const results = [
  closedResult(0, fullBallots([2, 3, 3, 4, 5, 1])),
  closedResult(1, fullBallots([4, 4, 5])), // withheld
  closedResult(2, fullBallots([3, 4, 4, 4, 5, 5])),
];
const chart = trendChart(results, partnership())!;

/** How many times a mark group with this name appears in Vega's SVG (one per chart cell). */
function groups(svg: string, name: string): string[] {
  return [...svg.matchAll(new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"[^>]*>(.*?)</g>`, 'g'))].map((m) => m[1]!);
}

describe('trend chart rendering', () => {
  it('draws one median line and one spread band per building block, and a withheld marker per block at the withheld poll', async () => {
    const svg = await chartSvg(chart.spec);
    expect(svg.startsWith('<svg')).toBe(true);
    const medians = groups(svg, 'median');
    expect(medians).toHaveLength(chart.series.length);
    expect(chart.series).toHaveLength(6);
    // Each block's line is drawn (a path with data), and its spread band too.
    for (const g of medians) expect(g).toMatch(/<path [^>]*d="M[^"]+"/);
    expect(groups(svg, 'spread')).toHaveLength(6);
    const withheld = groups(svg, 'withheld');
    expect(withheld).toHaveLength(6);
    for (const g of withheld) expect(g.match(/<path /g)).toHaveLength(1);
    for (const title of chart.series) expect(svg).toContain(`>${title}</text>`);
    expect(svg).toContain('withheld, fewer than 5 people answered');
  });

  it('gives a PNG that decodes at twice the SVG size, with ink on it', async () => {
    const rendered = await renderChart(chart.spec);
    const [, w, h] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(rendered.svg)!;
    const png = PNG.sync.read(Buffer.from(rendered.png));
    expect([png.width, png.height]).toEqual([Number(w) * PNG_SCALE, Number(h) * PNG_SCALE]);
    expect([rendered.width, rendered.height]).toEqual([png.width, png.height]);
    // Not a blank page: a good share of pixels are not white.
    let coloured = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 200 || png.data[i + 1]! < 200 || png.data[i + 2]! < 200) coloured++;
    expect(coloured / (png.width * png.height)).toBeGreaterThan(0.02);
  });

  it('uses the DejaVu fonts from disk', () => {
    expect(fontFiles().some((f) => f.endsWith('DejaVuSans.ttf'))).toBe(true);
  });

  it('is cached by content: the same spec renders once', async () => {
    const a = await renderChart(chart.spec);
    const b = await renderChart(structuredClone(chart.spec));
    expect(b).toBe(a);
  });

  it('fetches nothing: a spec naming outside data fails instead', async () => {
    const spec = { ...chart.spec, data: { url: 'http://example.invalid/data.json' } };
    await expect(chartSvg(spec)).rejects.toThrow(/load no data/);
  });
});
