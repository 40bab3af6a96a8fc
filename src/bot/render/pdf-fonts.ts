// Fonts for PDF documents. Helvetica (built into every PDF reader, nothing embedded) draws only
// Windows-1252; a partnership's names and feedback may be Welsh (ŵ, ŷ), Polish, Greek, Cyrillic...
// A document with such text embeds DejaVu Sans (the chart font, from fonts-dejavu-core) instead.
// It is embedded whole: @pdf-lib/fontkit's subsetting silently drops glyphs of some TrueType fonts
// (pdf-lib issues #1232, #664), and a few hundred KB is a fair price for text that prints.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { PDFDocument, StandardFonts, type PDFFont } from 'pdf-lib';
import { fontFiles } from './fonts.ts';

export interface PdfFonts {
  regular: PDFFont;
  bold: PDFFont;
  /** Characters the fonts can draw. */
  charset: Set<number>;
}

/** Drawn as something readable when the font lacks them (and so never the reason to embed one). */
export const SUBSTITUTES: Record<string, string> = { '→': '->', '←': '<-', '✕': 'x', '≥': '>=', '≤': '<=', '−': '-', '\u00a0': ' ' };

const isControl = (code: number) => code < 32 || (code >= 0x7f && code < 0xa0);

/** Helvetica when it can draw `text` (after substitutes); DejaVu Sans when it cannot and is installed. */
export async function pdfFonts(doc: PDFDocument, text: string): Promise<PdfFonts> {
  const charset = await helveticaCharset();
  const dejavu = needsMore(text, charset) ? dejavuFiles() : null;
  if (!dejavu) {
    const [regular, bold] = await Promise.all([doc.embedFont(StandardFonts.Helvetica), doc.embedFont(StandardFonts.HelveticaBold)]);
    return { regular, bold, charset };
  }
  const { default: fontkit } = await import('@pdf-lib/fontkit');
  doc.registerFontkit(fontkit);
  const [r, b] = await Promise.all([readFile(dejavu.regular), readFile(dejavu.bold)]);
  const fonts = { regular: await doc.embedFont(r), bold: await doc.embedFont(b) };
  return { ...fonts, charset: new Set(fonts.regular.getCharacterSet()) };
}

let helvetica: Promise<Set<number>> | null = null;

/** Asked of a scratch document, so a document set in DejaVu carries no unused Helvetica. */
function helveticaCharset(): Promise<Set<number>> {
  helvetica ??= PDFDocument.create()
    .then((scratch) => scratch.embedFont(StandardFonts.Helvetica))
    .then((font) => new Set(font.getCharacterSet()));
  return helvetica;
}

function needsMore(text: string, charset: Set<number>): boolean {
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (!charset.has(code) && !isControl(code) && SUBSTITUTES[ch] === undefined) return true;
  }
  return false;
}

function dejavuFiles(): { regular: string; bold: string } | null {
  const files = fontFiles();
  const regular = files.find((f) => basename(f) === 'DejaVuSans.ttf');
  const bold = files.find((f) => basename(f) === 'DejaVuSans-Bold.ttf');
  return regular && bold ? { regular, bold } : null;
}

/** `text` as the fonts can draw it: known substitutes, control characters as spaces, the rest as "?". */
export function drawable(text: string, charset: Set<number>): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (isControl(code)) out += ' ';
    else if (charset.has(code)) out += ch;
    else out += SUBSTITUTES[ch] ?? '?';
  }
  return out;
}
