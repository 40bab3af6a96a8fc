// Chart rendering: a Vega-Lite spec -> Vega -> SVG (vega's headless renderer) -> PNG (resvg, with
// DejaVu fonts loaded from disk). No network: data is inline and the loader refuses every fetch.
import { Resvg } from '@resvg/resvg-js';
import { loader, logger, None, parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { VegaLiteSpec } from '../../domain/charts.ts';
import { contentHash, RenderCache } from './cache.ts';
import { FONT_FAMILY, fontFiles } from './fonts.ts';

export interface RenderedChart {
  svg: string;
  png: Uint8Array;
  /** Pixel size of the PNG (the SVG's size times `PNG_SCALE`). */
  width: number;
  height: number;
}

/** PNGs are drawn at twice the SVG's size so they stay sharp on high-density screens and in print. */
export const PNG_SCALE = 2;

// Our specs are fixed by code and tested; Vega's notes about them would only clutter the log.
const quiet = logger(None);

/** The chart as SVG, exactly as Vega draws it. */
export async function chartSvg(spec: VegaLiteSpec): Promise<string> {
  const vega = compile(spec as unknown as TopLevelSpec, { logger: quiet }).spec;
  // Data is inline; a spec that names a URL is a mistake, and Vega would only log a failed load.
  let asked: string | null = null;
  const offline = loader();
  offline.load = async (uri: string) => {
    asked = uri;
    throw new Error('no loading');
  };
  const view = new View(parse(vega), { renderer: 'none', loader: offline, logLevel: None });
  try {
    const svg = await view.runAsync().then(() => view.toSVG());
    if (asked !== null) throw new Error(`charts load no data from outside (the spec asked for ${asked})`);
    return svg;
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, scale: number = PNG_SCALE): { png: Uint8Array; width: number; height: number } {
  const files = fontFiles();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    // Only the fonts we name: the same picture on every machine that has them.
    font: { loadSystemFonts: files.length === 0, fontFiles: files, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  const image = resvg.render();
  return { png: new Uint8Array(image.asPng()), width: image.width, height: image.height };
}

const cache = new RenderCache<RenderedChart>(64);

/** SVG and PNG of a chart, cached by the spec's content. */
export function renderChart(spec: VegaLiteSpec): Promise<RenderedChart> {
  return cache.get(contentHash(spec), async () => {
    const svg = await chartSvg(spec);
    return { svg, ...svgToPng(svg) };
  });
}
