// Reads back what a PDF made with pdf-lib says: the text drawn on each page and the images it embeds.
// Text is drawn as hex strings in flate-compressed content streams: one byte a character (Windows-1252,
// read here as latin1) for the standard fonts, two bytes a glyph for an embedded font, whose ToUnicode
// map says which character each glyph is (as a reader's copy and search would).
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, type PDFObject, type PDFPage } from 'pdf-lib';

function streamBytes(doc: PDFDocument, obj: PDFObject | undefined): Uint8Array[] {
  const found = obj instanceof PDFRef ? doc.context.lookup(obj) : obj;
  if (found instanceof PDFArray) return found.asArray().flatMap((x) => streamBytes(doc, x));
  if (!(found instanceof PDFRawStream)) return [];
  const filter = found.dict.get(PDFName.of('Filter'));
  return [filter === PDFName.of('FlateDecode') ? inflateSync(found.contents) : found.contents];
}

type Decode = (hex: string) => string;
const latin1: Decode = (hex) => Buffer.from(hex, 'hex').toString('latin1');

/** Glyph id (4 hex digits) -> text, from a ToUnicode CMap's bfchar entries (pdf-lib writes only those). */
function toUnicode(doc: PDFDocument, cmap: PDFObject | undefined): Decode {
  const text = streamBytes(doc, cmap).map((b) => Buffer.from(b).toString('latin1')).join('\n');
  const glyphs = new Map<string, string>();
  for (const m of text.matchAll(/<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>/g)) glyphs.set(m[1]!.toLowerCase(), Buffer.from(m[2]!, 'hex').swap16().toString('utf16le'));
  return (hex) => (hex.match(/.{4}/g) ?? []).map((g) => glyphs.get(g.toLowerCase()) ?? '\ufffd').join('');
}

/** How each font resource of the page (by its name, e.g. F1) turns a drawn hex string into text. */
function fontDecoders(doc: PDFDocument, page: PDFPage): Map<string, Decode> {
  const out = new Map<string, Decode>();
  const fonts = page.node.Resources()?.lookupMaybe(PDFName.of('Font'), PDFDict);
  for (const [name, ref] of fonts?.entries() ?? []) {
    const font = doc.context.lookup(ref, PDFDict);
    const cmap = font.get(PDFName.of('ToUnicode'));
    out.set(name.decodeText(), font.get(PDFName.of('Subtype')) === PDFName.of('Type0') && cmap ? toUnicode(doc, cmap) : latin1);
  }
  return out;
}

/** The strings drawn on each page, in drawing order. */
export async function pageTexts(bytes: Uint8Array): Promise<string[][]> {
  const doc = await PDFDocument.load(bytes);
  return doc.getPages().map((page) => {
    const decoders = fontDecoders(doc, page);
    const ops = streamBytes(doc, page.node.Contents()).map((b) => Buffer.from(b).toString('latin1')).join('\n');
    let decode = latin1;
    const out: string[] = [];
    for (const m of ops.matchAll(/\/([A-Za-z0-9_.-]+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj/g)) {
      if (m[1] !== undefined) decode = decoders.get(m[1]) ?? latin1;
      else out.push(decode(m[2]!));
    }
    return out;
  });
}

/** The base names of the fonts a PDF embeds as font files (none for the standard fonts). */
export async function embeddedFonts(bytes: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(bytes);
  const names: string[] = [];
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (obj instanceof PDFDict && obj.get(PDFName.of('Type')) === PDFName.of('FontDescriptor') && obj.get(PDFName.of('FontFile2'))) {
      names.push(obj.get(PDFName.of('FontName'))!.toString().replace(/^\//, ''));
    }
  }
  return names;
}

/** Image XObjects in the file, with their pixel sizes. */
export async function images(bytes: Uint8Array): Promise<{ width: number; height: number }[]> {
  const doc = await PDFDocument.load(bytes);
  const out: { width: number; height: number }[] = [];
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (obj instanceof PDFRawStream && obj.dict.get(PDFName.of('Subtype')) === PDFName.of('Image')) {
      out.push({ width: Number(obj.dict.get(PDFName.of('Width'))?.toString()), height: Number(obj.dict.get(PDFName.of('Height'))?.toString()) });
    }
  }
  return out;
}
