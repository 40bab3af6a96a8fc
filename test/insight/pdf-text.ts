// Reads back what a PDF made with pdf-lib says: the text drawn on each page (standard fonts write it
// as hex strings in flate-compressed content streams) and the images it embeds.
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDocument, PDFName, PDFRawStream, PDFRef, type PDFObject } from 'pdf-lib';

function streamBytes(doc: PDFDocument, obj: PDFObject | undefined): Uint8Array[] {
  const found = obj instanceof PDFRef ? doc.context.lookup(obj) : obj;
  if (found instanceof PDFArray) return found.asArray().flatMap((x) => streamBytes(doc, x));
  if (!(found instanceof PDFRawStream)) return [];
  const filter = found.dict.get(PDFName.of('Filter'));
  return [filter === PDFName.of('FlateDecode') ? inflateSync(found.contents) : found.contents];
}

/** The strings drawn on each page, in drawing order. */
export async function pageTexts(bytes: Uint8Array): Promise<string[][]> {
  const doc = await PDFDocument.load(bytes);
  return doc.getPages().map((page) => {
    const ops = streamBytes(doc, page.node.Contents()).map((b) => Buffer.from(b).toString('latin1')).join('\n');
    return [...ops.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)].map((m) => Buffer.from(m[1]!, 'hex').toString('latin1'));
  });
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
