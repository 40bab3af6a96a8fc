// A neutral Message as a printable PDF (pdf-lib): the heading as the title, all-bold paragraphs as
// section headings, fields, lists, small print, decision boxes for buttons, and images embedded as
// PNG. Text is wrapped to the page; pages are numbered.
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { plain, type Block, type Button, type Message, type Text } from '../../domain/message.ts';
import { drawable, pdfFonts, type PdfFonts } from './pdf-fonts.ts';

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 56;
const WIDTH = A4.width - 2 * MARGIN;
const FOOTER = 28;
const SIZES = { title: 20, heading: 13.5, body: 10.5, small: 8.5 };
const GREY = rgb(0.35, 0.35, 0.35);
const BLACK = rgb(0, 0, 0);
const ACCENT = rgb(0, 0.447, 0.698);

export interface PdfOptions {
  /** Bytes of each image block's PNG, by its url; an image it cannot find is named, not drawn. */
  image(url: string): Promise<Uint8Array | null>;
  /** Document metadata. */
  title: string;
  author?: string;
  created: Date;
}

interface Run {
  text: string;
  bold: boolean;
}

/** Lays out text on pages top to bottom, starting a new page when the next thing does not fit. */
class Layout {
  page!: PDFPage;
  y = 0;
  readonly regular: PDFFont;
  readonly bold: PDFFont;
  private readonly charset: Set<number>;

  constructor(
    readonly doc: PDFDocument,
    fonts: PdfFonts,
  ) {
    ({ regular: this.regular, bold: this.bold, charset: this.charset } = fonts);
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage([A4.width, A4.height]);
    this.y = A4.height - MARGIN;
  }

  /** Room for `h` more points on this page, or a new page. */
  need(h: number): void {
    if (this.y - h < MARGIN + FOOTER) this.newPage();
  }

  space(h: number): void {
    this.y -= h;
  }

  /** Text as the fonts can draw it (see drawable). */
  clean(text: string): string {
    return drawable(text, this.charset);
  }

  /** Wraps runs of regular and bold words into lines no wider than `width`. */
  private wrap(runs: Run[], size: number, width: number): Run[][] {
    const lines: Run[][] = [[]];
    let x = 0;
    for (const run of runs) {
      const font = run.bold ? this.bold : this.regular;
      for (const word of this.clean(run.text).split(/(?<=\s)/)) {
        if (!word) continue;
        let w = font.widthOfTextAtSize(word, size);
        let piece = word;
        if (x + font.widthOfTextAtSize(word.trimEnd(), size) > width && x > 0) {
          lines.push([]);
          x = 0;
          piece = word.trimStart();
          w = font.widthOfTextAtSize(piece, size);
        }
        // A word longer than the line (a long URL) is cut where it must be.
        while (w > width && piece.length > 1) {
          let n = piece.length;
          while (n > 1 && font.widthOfTextAtSize(piece.slice(0, n), size) > width - x) n--;
          lines.at(-1)!.push({ text: piece.slice(0, n), bold: run.bold });
          lines.push([]);
          x = 0;
          piece = piece.slice(n);
          w = font.widthOfTextAtSize(piece, size);
        }
        const line = lines.at(-1)!;
        const last = line.at(-1);
        if (last && last.bold === run.bold) last.text += piece;
        else line.push({ text: piece, bold: run.bold });
        x += w;
      }
    }
    return lines.filter((l) => l.length);
  }

  /** Draws a paragraph; consecutive words of one weight are drawn as one string (so they can be found in the file). */
  text(runs: Run[], opts: { size: number; color?: ReturnType<typeof rgb>; indent?: number; after?: number }): void {
    const indent = opts.indent ?? 0;
    const lineHeight = opts.size * 1.35;
    for (const line of this.wrap(runs, opts.size, WIDTH - indent)) {
      this.need(lineHeight);
      this.y -= lineHeight;
      let x = MARGIN + indent;
      for (const run of line) {
        const font = run.bold ? this.bold : this.regular;
        const s = run.text.trimEnd();
        this.page.drawText(s, { x, y: this.y + opts.size * 0.25, size: opts.size, font, color: opts.color ?? BLACK });
        x += font.widthOfTextAtSize(run.text, opts.size);
      }
    }
    this.y -= opts.after ?? opts.size * 0.5;
  }

  rule(): void {
    this.need(16);
    this.y -= 8;
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: MARGIN + WIDTH, y: this.y }, thickness: 0.6, color: rgb(0.75, 0.75, 0.75) });
    this.y -= 8;
  }

  /** Buttons become boxes to tick on paper, with their labels. */
  boxes(buttons: Button[]): void {
    const size = SIZES.body;
    this.need(size * 2.4);
    this.y -= size * 1.8;
    let x = MARGIN + 4;
    for (const button of buttons) {
      const label = this.clean(button.label);
      const w = this.regular.widthOfTextAtSize(label, size);
      if (x + 16 + w > MARGIN + WIDTH) {
        this.need(size * 2);
        this.y -= size * 1.8;
        x = MARGIN + 4;
      }
      this.page.drawRectangle({ x, y: this.y, width: size, height: size, borderWidth: 0.8, borderColor: BLACK });
      this.page.drawText(label, { x: x + size + 5, y: this.y + 1.5, size, font: this.regular });
      x += size + 5 + w + 22;
    }
    this.y -= size * 0.8;
  }

  bars(bl: Extract<Block, { kind: 'bars' }>): void {
    this.text([{ text: bl.label, bold: false }], { size: SIZES.small, color: GREY, after: 2 });
    const max = Math.max(1, ...bl.bars.map((x) => x.count));
    const row = SIZES.small * 1.6;
    for (const bar of bl.bars) {
      this.need(row);
      this.y -= row;
      this.page.drawText(this.clean(bar.label), { x: MARGIN + 8, y: this.y + 2, size: SIZES.small, font: this.regular });
      const w = ((WIDTH - 120) * bar.count) / max;
      if (w > 0) this.page.drawRectangle({ x: MARGIN + 40, y: this.y + 1, width: w, height: SIZES.small, color: ACCENT });
      this.page.drawText(String(bar.count), { x: MARGIN + 44 + w, y: this.y + 2, size: SIZES.small, font: this.regular });
    }
    this.y -= 6;
  }

  async image(png: Uint8Array): Promise<void> {
    const img = await this.doc.embedPng(png);
    const maxHeight = A4.height - 2 * MARGIN - FOOTER - 40;
    const scale = Math.min(1, WIDTH / img.width, maxHeight / img.height);
    const w = img.width * scale;
    const h = img.height * scale;
    this.need(h + 12);
    this.y -= h;
    this.page.drawImage(img, { x: MARGIN, y: this.y, width: w, height: h });
    this.y -= 10;
  }
}

function runs(text: Text): Run[] {
  return text.map((s) => ({ text: s.text, bold: s.bold === true }));
}

/** A paragraph written entirely in bold is a section heading. */
function isHeading(bl: Block): boolean {
  return bl.kind === 'text' && bl.text.length > 0 && bl.text.every((s) => s.bold) && plain(bl.text).length < 100;
}

async function drawBlock(l: Layout, bl: Block, opts: PdfOptions): Promise<void> {
  switch (bl.kind) {
    case 'text':
      if (isHeading(bl)) {
        l.need(SIZES.heading * 4); // keep a heading with what follows it
        l.space(SIZES.heading * 0.6);
        l.text(runs(bl.text), { size: SIZES.heading, color: ACCENT, after: 4 });
      } else {
        const bullet = plain(bl.text).startsWith('• ');
        l.text(runs(bl.text), { size: SIZES.body, indent: bullet ? 10 : 0, after: bullet ? 2 : 5 });
      }
      return;
    case 'fields':
      for (const f of bl.fields) l.text([{ text: `${f.label}: `, bold: true }, ...runs(f.value)], { size: SIZES.body, after: 3 });
      l.space(3);
      return;
    case 'context':
      l.text(runs(bl.text), { size: SIZES.small, color: GREY, after: 6 });
      return;
    case 'buttons':
      l.boxes(bl.buttons);
      return;
    case 'choice':
      l.text(runs(bl.label), { size: SIZES.body, after: 0 });
      l.boxes(bl.buttons);
      return;
    case 'link':
      l.text([{ text: `${bl.label}: `, bold: true }, { text: bl.url, bold: false }], { size: SIZES.body });
      return;
    case 'bars':
      l.bars(bl);
      return;
    case 'image': {
      const png = await opts.image(bl.url);
      if (png) await l.image(png); // the chart carries its own title
      else l.text([{ text: `[Chart not available: ${bl.alt}]`, bold: false }], { size: SIZES.small, color: GREY });
      return;
    }
    case 'file':
      l.text([{ text: 'Attached: ', bold: true }, { text: bl.title ?? bl.name, bold: false }], { size: SIZES.body });
      return;
    case 'divider':
      l.rule();
      return;
  }
}

/** The message as a PDF document. */
export async function messagePdf(message: Message, opts: PdfOptions): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(opts.title, { showInWindowTitleBar: true });
  doc.setCreator('partnerbot');
  doc.setProducer('partnerbot (pdf-lib)');
  doc.setLanguage('en-GB');
  doc.setCreationDate(opts.created);
  doc.setModificationDate(opts.created);
  if (opts.author) doc.setAuthor(opts.author);
  // Every string the document may draw is in the message (keys and URLs are ASCII) or the title.
  const l = new Layout(doc, await pdfFonts(doc, `${opts.title}\n${JSON.stringify(message)}`));
  if (message.heading) l.text([{ text: message.heading, bold: true }], { size: SIZES.title, after: 10 });
  for (const bl of message.blocks) await drawBlock(l, bl, opts);
  const pages = doc.getPages();
  const footer = l.clean(opts.title);
  pages.forEach((page, i) => {
    page.drawText(`${footer} - page ${i + 1} of ${pages.length}`, { x: MARGIN, y: MARGIN - 20, size: SIZES.small, font: l.regular, color: GREY });
  });
  return doc.save();
}
