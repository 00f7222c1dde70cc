import { z } from 'zod';

/**
 * What the importer did to the source besides placing it: the debris it removed on purpose, the
 * OCR splits it mended, and what the admin should look at before publishing. Nothing the importer
 * drops goes unmentioned here, so an admin (and a test) can account for every word of the source.
 */
export const debrisKindSchema = z.enum([
  /** Word bookmark markers such as "[bookmark: _Toc520963847]" or <a id="_Toc…"> anchors. */
  'bookmark',
  /** A page header or footer repeated through the text, or fused onto the end of a line. */
  'running-header',
  'page-number',
  /** A blank form field: "Signature: ______", "Name:", "Signature<tab>Date". */
  'signature-line',
  /** A form field that was filled in ("Name: Darren Rubin____"); its value was used if it could be. */
  'form-field',
  /** Scanner debris: stray digits and non-words, stray underscores. */
  'ocr-noise',
  /** Inline markup left in the text (<u>…</u>, **), horizontal rules, setext underlines. */
  'markup',
  /** Invisible characters: zero-width spaces, soft hyphens, control characters. */
  'invisible-character',
  /** An audience note ("(This point for staff and governors)"), turned into the clause's audience. */
  'audience-note',
  /** A label of the declaration, approval or consent block ("Declaration", "To be completed by the user"), replaced by the document's own field. */
  'block-label',
]);
export type DebrisKind = z.infer<typeof debrisKindSchema>;

export const removedDebrisSchema = z.object({
  kind: debrisKindSchema,
  /** 1-based line of the source text (for a .docx, of the converted text). */
  line: z.number().int().min(1),
  /** Exactly what was removed from that line. */
  text: z.string(),
  /** The same text removed from these lines too (a running header is reported once). */
  repeats: z.array(z.number().int().min(1)).optional(),
});
export type RemovedDebris = z.infer<typeof removedDebrisSchema>;

export const repairSchema = z.object({
  line: z.number().int().min(1),
  /** The fragments as they were (an OCR tab inside a word: "desi\tgnated"). */
  from: z.string(),
  to: z.string(),
});
export type Repair = z.infer<typeof repairSchema>;

export const importWarningSchema = z.object({
  line: z.number().int().min(1).optional(),
  message: z.string(),
});
export type ImportWarning = z.infer<typeof importWarningSchema>;

export const clausePlaceSchema = z.object({
  /** Indexes into the document's sections and that section's clauses. */
  section: z.number().int().min(0),
  clause: z.number().int().min(0),
  /** The line the clause began on (the same lines the rest of the report cites). */
  line: z.number().int().min(1),
});
export type ClausePlace = z.infer<typeof clausePlaceSchema>;

export const importReportSchema = z.object({
  /** 'text' for .txt/.md, 'docx' for Word documents (converted with mammoth). */
  source: z.enum(['text', 'docx']),
  removed: z.array(removedDebrisSchema),
  repairs: z.array(repairSchema),
  warnings: z.array(importWarningSchema),
  /** Where each clause of the document began, so the editor can lead from a line to its clause. */
  places: z.array(clausePlaceSchema).optional(),
});
export type ImportReport = z.infer<typeof importReportSchema>;

/** Collects the report while the pipeline runs. */
export class ReportCollector {
  readonly removed: RemovedDebris[] = [];
  readonly repairs: Repair[] = [];
  readonly warnings: ImportWarning[] = [];
  readonly places: ClausePlace[] = [];

  remove(kind: DebrisKind, line: number, text: string, repeats: readonly number[] = []): void {
    if (text === '') return;
    this.removed.push(
      repeats.length === 0 ? { kind, line, text } : { kind, line, text, repeats: [...repeats] },
    );
  }

  repair(line: number, from: string, to: string): void {
    this.repairs.push({ line, from, to });
  }

  warn(message: string, line?: number): void {
    this.warnings.push(line === undefined ? { message } : { line, message });
  }

  place(section: number, clause: number, line: number): void {
    this.places.push({ section, clause, line });
  }

  toReport(source: ImportReport['source']): ImportReport {
    return {
      source,
      removed: [...this.removed],
      repairs: [...this.repairs],
      warnings: [...this.warnings],
      ...(this.places.length === 0 ? {} : { places: [...this.places] }),
    };
  }
}

/** How many pieces of each kind of debris were removed: for the CLI outline and the API. */
export function countDebris(report: ImportReport): Partial<Record<DebrisKind, number>> {
  const counts: Partial<Record<DebrisKind, number>> = {};
  for (const item of report.removed) counts[item.kind] = (counts[item.kind] ?? 0) + 1;
  return counts;
}
