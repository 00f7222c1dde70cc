/**
 * A printable document: what the evidence pack's PDFs say, as plain blocks, with no layout. The
 * renderer lays it out (fonts, wrapping, page breaks, page numbers); the pack decides the content.
 */
export type PrintBlock =
  | { kind: 'heading'; text: string; level: 1 | 2 | 3 }
  | { kind: 'paragraph'; text: string; style?: 'normal' | 'small' | 'strong' }
  /** Label and value pairs, one per line ("Version: 2026-27"). */
  | { kind: 'fields'; rows: readonly (readonly [string, string])[] }
  /** A table whose header repeats on each page; widths are fractions of the page width. */
  | {
      kind: 'table';
      columns: readonly { header: string; width: number }[];
      rows: readonly (readonly string[])[];
    }
  | { kind: 'page-break' };

export interface PrintDocument {
  /** The PDF's title (its metadata) and the first heading. */
  title: string;
  /** Printed at the foot of every page, with "page N of M". */
  footer: string;
  /** Landscape for wide registers. */
  orientation: 'portrait' | 'landscape';
  blocks: readonly PrintBlock[];
  /** ISO 8601 UTC, the PDF's creation date: given, so the same input makes the same file. */
  createdAt: string;
}

/** Renders printable documents as PDF (pdf-lib in src/adapters/pdf). */
export interface PdfRenderer {
  render(document: PrintDocument): Promise<Uint8Array>;
}
