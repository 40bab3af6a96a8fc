// `npm run screenshots` makes the README's pictures from the real app in Debian's chromium: it must
// keep working as the app changes, so the command is run here (into a temporary folder) and what it
// writes is checked to be the pictures the README promises, not blank or error pages.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), 'partnerbot-shots-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** How many distinct colours a picture uses: a blank or one-colour error page has very few. */
function colours(png: PNG): number {
  const seen = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4 * 7) seen.add(png.data.readUInt32BE(i));
  return seen.size;
}

describe('npm run screenshots', () => {
  it('photographs the playground and saves the trend and participation charts the bot serves', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/screenshots.ts', '--out', out], { timeout: 150_000 });
    for (const name of ['playground.png', 'trend-chart.png', 'participation-chart.png']) expect(stdout).toContain(name);
    const shot = PNG.sync.read(readFileSync(join(out, 'playground.png')));
    expect([shot.width, shot.height]).toEqual([1400, 1000]);
    expect(colours(shot)).toBeGreaterThan(50);
    // The trend chart: six building blocks in a 3 × 2 grid, drawn at twice its SVG size.
    const trend = PNG.sync.read(readFileSync(join(out, 'trend-chart.png')));
    expect(trend.width).toBeGreaterThan(1000);
    expect(trend.width / trend.height).toBeGreaterThan(1.4);
    expect(colours(trend)).toBeGreaterThan(20);
    const participation = PNG.sync.read(readFileSync(join(out, 'participation-chart.png')));
    expect(participation.width).toBeGreaterThan(500);
  }, 180_000);
});
