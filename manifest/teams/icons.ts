// Draws the Teams app icons with pngjs: color.png (192×192, full colour) and outline.png (32×32, white
// on transparent), as the Teams app package requires. Two linked rings: partners working together.
// Run: npx tsx manifest/teams/icons.ts (the PNGs are committed; rerun only to change the design).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';

type Rgba = [number, number, number, number];

const TEAL: Rgba = [0x1f, 0x6f, 0x8b, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

/** Coverage of a pixel by two rings (0..1), by supersampling 4×4 points per pixel. */
function ringsCoverage(x: number, y: number, size: number): number {
  const r = size * 0.24;
  const width = size * 0.075;
  const centres = [
    [size * 0.38, size * 0.5],
    [size * 0.62, size * 0.5],
  ] as const;
  let hits = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const px = x + (sx + 0.5) / 4;
      const py = y + (sy + 0.5) / 4;
      if (centres.some(([cx, cy]) => Math.abs(Math.hypot(px - cx, py - cy) - r) <= width / 2)) hits++;
    }
  }
  return hits / 16;
}

function draw(size: number, background: Rgba, ink: Rgba): PNG {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = ringsCoverage(x, y, size);
      const i = (y * size + x) * 4;
      if (background[3] === 0) {
        // Outline icon: pure white, only alpha varies (Teams requires white on transparent).
        png.data[i] = ink[0];
        png.data[i + 1] = ink[1];
        png.data[i + 2] = ink[2];
        png.data[i + 3] = Math.round(c * 255);
      } else {
        for (let k = 0; k < 3; k++) png.data[i + k] = Math.round(background[k]! * (1 - c) + ink[k]! * c);
        png.data[i + 3] = 255;
      }
    }
  }
  return png;
}

export function colorIcon(): Buffer {
  return PNG.sync.write(draw(192, TEAL, WHITE));
}

export function outlineIcon(): Buffer {
  return PNG.sync.write(draw(32, CLEAR, WHITE));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(join(import.meta.dirname, 'color.png'), colorIcon());
  writeFileSync(join(import.meta.dirname, 'outline.png'), outlineIcon());
  console.log('wrote manifest/teams/color.png (192×192) and outline.png (32×32)');
}
