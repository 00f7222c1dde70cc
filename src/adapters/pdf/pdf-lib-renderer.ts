import { readFile } from 'node:fs/promises';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { PdfRenderer, PrintBlock, PrintDocument } from '../../ports/pdf-renderer.ts';
import { printableText } from './printable-text.ts';

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 48;
const FOOTER_SPACE = 28;
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.35, 0.35, 0.4);
const RULE = rgb(0.75, 0.75, 0.78);
const HEADER_FILL = rgb(0.92, 0.93, 0.95);

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  /** Whether both faces have a glyph for a character (the same coverage in DejaVu Sans). */
  hasGlyph: (codePoint: number) => boolean;
}

/**
 * DejaVu Sans, regular and bold, bundled beside this file (fonts/, with its Bitstream Vera licence,
 * which allows redistribution): read once per process.
 */
let fontFiles: Promise<{ regular: Uint8Array; bold: Uint8Array }> | undefined;
function readFontFiles(): Promise<{ regular: Uint8Array; bold: Uint8Array }> {
  fontFiles ??= Promise.all([
    readFile(new URL('./fonts/DejaVuSans.ttf', import.meta.url)),
    readFile(new URL('./fonts/DejaVuSans-Bold.ttf', import.meta.url)),
  ]).then(([regular, bold]) => ({ regular, bold }));
  return fontFiles;
}

/** Breaks text into lines that fit the width; a word longer than the width is cut. */
function wrap(fonts: Fonts, text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n').map((p) => printableText(p, fonts.hasGlyph))) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (font.widthOfTextAtSize(candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      let rest = word;
      while (font.widthOfTextAtSize(rest, size) > width && rest.length > 1) {
        let cut = rest.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut -= 1;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

/** Lays blocks out top to bottom, starting a page whenever the next line would not fit. */
class Layout {
  readonly #pdf: PDFDocument;
  readonly #fonts: Fonts;
  readonly #size: { width: number; height: number };
  #page!: PDFPage;
  #y = 0;

  constructor(pdf: PDFDocument, fonts: Fonts, orientation: PrintDocument['orientation']) {
    this.#pdf = pdf;
    this.#fonts = fonts;
    this.#size = orientation === 'landscape' ? { width: A4.height, height: A4.width } : A4;
    this.newPage();
  }

  #printable(text: string): string {
    return printableText(text, this.#fonts.hasGlyph);
  }

  get width(): number {
    return this.#size.width - 2 * MARGIN;
  }

  newPage(): void {
    this.#page = this.#pdf.addPage([this.#size.width, this.#size.height]);
    this.#y = this.#size.height - MARGIN;
  }

  /** Room for `height` more points on this page, or a new page. */
  #room(height: number): void {
    if (this.#y - height < MARGIN + FOOTER_SPACE) this.newPage();
  }

  text(
    text: string,
    options: {
      size: number;
      bold?: boolean;
      color?: typeof INK;
      gap?: number;
      keepWithNext?: boolean;
    },
  ): void {
    const font = options.bold === true ? this.#fonts.bold : this.#fonts.regular;
    const leading = options.size * 1.3;
    // A heading never ends a page: it starts the next one with what it heads.
    if (options.keepWithNext === true) this.#room(leading + 72);
    for (const line of wrap(this.#fonts, text, font, options.size, this.width)) {
      this.#room(leading);
      this.#y -= leading;
      this.#page.drawText(line, {
        x: MARGIN,
        y: this.#y + options.size * 0.25,
        size: options.size,
        font,
        color: options.color ?? INK,
      });
    }
    this.#y -= options.gap ?? options.size * 0.5;
  }

  fields(rows: readonly (readonly [string, string])[]): void {
    const size = 10;
    const labelWidth = Math.min(
      this.width * 0.35,
      Math.max(
        ...rows.map(([label]) => this.#fonts.bold.widthOfTextAtSize(this.#printable(label), size)),
      ) + 10,
    );
    for (const [label, value] of rows) {
      const lines = wrap(
        this.#fonts,
        value === '' ? '-' : value,
        this.#fonts.regular,
        size,
        this.width - labelWidth,
      );
      const leading = size * 1.35;
      this.#room(leading * Math.min(lines.length, 3));
      lines.forEach((line, i) => {
        this.#room(leading);
        this.#y -= leading;
        if (i === 0) {
          this.#page.drawText(this.#printable(label), {
            x: MARGIN,
            y: this.#y + 3,
            size,
            font: this.#fonts.bold,
            color: MUTED,
          });
        }
        this.#page.drawText(line, {
          x: MARGIN + labelWidth,
          y: this.#y + 3,
          size,
          font: this.#fonts.regular,
          color: INK,
        });
      });
    }
    this.#y -= 6;
  }

  table(block: Extract<PrintBlock, { kind: 'table' }>): void {
    const size = 8;
    const leading = size * 1.3;
    const pad = 3;
    const total = block.columns.reduce((sum, c) => sum + c.width, 0);
    const widths = block.columns.map((c) => (c.width / total) * this.width);
    const cellLines = (cells: readonly string[], font: PDFFont) =>
      widths.map((w, i) => wrap(this.#fonts, cells[i] ?? '', font, size, w - 2 * pad));
    const drawRow = (lines: string[][], font: PDFFont, fill?: typeof HEADER_FILL) => {
      const height = Math.max(...lines.map((l) => l.length)) * leading + 2 * pad;
      const top = this.#y;
      if (fill !== undefined) {
        this.#page.drawRectangle({
          x: MARGIN,
          y: top - height,
          width: this.width,
          height,
          color: fill,
        });
      }
      let x = MARGIN;
      lines.forEach((cell, i) => {
        cell.forEach((line, j) => {
          this.#page.drawText(line, {
            x: x + pad,
            y: top - pad - (j + 1) * leading + size * 0.3,
            size,
            font,
            color: INK,
          });
        });
        x += widths[i] ?? 0;
      });
      this.#page.drawLine({
        start: { x: MARGIN, y: top - height },
        end: { x: MARGIN + this.width, y: top - height },
        thickness: 0.5,
        color: RULE,
      });
      this.#y = top - height;
    };
    const header = cellLines(
      block.columns.map((c) => c.header),
      this.#fonts.bold,
    );
    const headerHeight = Math.max(...header.map((l) => l.length)) * leading + 2 * pad;
    this.#room(headerHeight + leading * 2);
    drawRow(header, this.#fonts.bold, HEADER_FILL);
    for (const row of block.rows) {
      const lines = cellLines(row, this.#fonts.regular);
      const height = Math.max(...lines.map((l) => l.length)) * leading + 2 * pad;
      if (this.#y - height < MARGIN + FOOTER_SPACE) {
        this.newPage();
        drawRow(header, this.#fonts.bold, HEADER_FILL);
      }
      drawRow(lines, this.#fonts.regular);
    }
    this.#y -= 10;
  }
}

/** PDFs with pdf-lib and the bundled DejaVu Sans: nothing to install, nothing fetched. */
export class PdfLibRenderer implements PdfRenderer {
  async render(document: PrintDocument): Promise<Uint8Array> {
    const pdf = await PDFDocument.create();
    const created = new Date(document.createdAt);
    pdf.setTitle(document.title);
    pdf.setProducer('Countersign (pdf-lib)');
    pdf.setCreator('Countersign');
    pdf.setCreationDate(created);
    pdf.setModificationDate(created);
    // Embedded, subset (only the glyphs used go into the file), so the PDF prints every name
    // as written; the standard fonts (Helvetica) encode WinAnsi only.
    pdf.registerFontkit(fontkit);
    const files = await readFontFiles();
    const coverage = fontkit.create(files.regular);
    const fonts: Fonts = {
      regular: await pdf.embedFont(files.regular, { subset: true }),
      bold: await pdf.embedFont(files.bold, { subset: true }),
      hasGlyph: (codePoint) => coverage.hasGlyphForCodePoint(codePoint),
    };
    const layout = new Layout(pdf, fonts, document.orientation);
    layout.text(document.title, { size: 16, bold: true, gap: 8 });
    for (const block of document.blocks) {
      switch (block.kind) {
        case 'heading':
          layout.text(block.text, {
            size: block.level === 1 ? 14 : block.level === 2 ? 12 : 10.5,
            bold: true,
            gap: 4,
            keepWithNext: true,
          });
          break;
        case 'paragraph':
          layout.text(block.text, {
            size: block.style === 'small' ? 8.5 : 10,
            bold: block.style === 'strong',
            ...(block.style === 'small' ? { color: MUTED } : {}),
          });
          break;
        case 'fields':
          layout.fields(block.rows);
          break;
        case 'table':
          layout.table(block);
          break;
        case 'page-break':
          layout.newPage();
          break;
      }
    }
    const pages = pdf.getPages();
    pages.forEach((page, i) => {
      const footer = printableText(
        `${document.footer} - page ${i + 1} of ${pages.length}`,
        fonts.hasGlyph,
      );
      page.drawText(footer, {
        x: MARGIN,
        y: MARGIN - 20,
        size: 7.5,
        font: fonts.regular,
        color: MUTED,
      });
    });
    return pdf.save();
  }
}
