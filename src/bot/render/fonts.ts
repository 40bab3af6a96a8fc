// Fonts for rendering charts: DejaVu from Debian's fonts-dejavu-core, loaded by file path so nothing
// is fetched or guessed at render time. Vega's SVG names the family; resvg needs the files.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const FONT_FAMILY = 'DejaVu Sans';
/** Where Debian and Ubuntu put DejaVu; FONT_DIR (e.g. a folder shipped with the app) comes first. */
const DIRS = [process.env.FONT_DIR, '/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu'].filter((d): d is string => !!d);
const FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'];

let found: string[] | null = null;

/** The DejaVu font files present on this machine (empty when none: text then falls back to nothing). */
export function fontFiles(): string[] {
  found ??= DIRS.flatMap((dir) => FILES.map((f) => join(dir, f))).filter((path) => existsSync(path));
  return found;
}
