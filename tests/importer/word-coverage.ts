import type { ImportResult } from '../../src/importer/parse-policy-text.ts';

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** Every string the document carries. */
function documentStrings(result: ImportResult): string[] {
  const { document } = result;
  const out = [document.title, document.declaration];
  for (const section of document.sections) {
    out.push(section.heading);
    for (const clause of section.clauses) {
      out.push(clause.text, ...clause.items, ...(clause.audience ?? []));
      if (clause.number !== undefined) out.push(clause.number);
    }
  }
  for (const consent of document.consents) out.push(consent.text);
  if (document.approval) {
    const { statement, approverName, approverRole } = document.approval;
    out.push(statement, approverName ?? '', approverRole ?? '');
  }
  return out;
}

/**
 * The words of the source that appear nowhere in the result: not in the document, not in the
 * debris the report says was removed (taken out of its line), not among mended OCR fragments.
 * Empty when nothing was silently dropped.
 */
export function missingWords(sourceLines: readonly string[], result: ImportResult): string[] {
  // List markers ("a)", "ii.", "o", "•") are structure, not wording: items drop them.
  const lines = sourceLines.map((line) =>
    flat(
      line.replace(
        /^\s*(?:[•·o*+–Ø§-]|\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-z]|[ivx]{1,5})[.)])\s+/i,
        ' ',
      ),
    ),
  );
  for (const item of result.report.removed) {
    const removed = flat(item.text).trim();
    // A running header is reported once, with the other lines it was removed from.
    for (const lineNo of [item.line, ...(item.repeats ?? [])]) {
      // A note taken off a clause is reported at the line the clause starts on; it may sit on a
      // wrapped line just after.
      for (let index = lineNo - 1; index < Math.min(lines.length, lineNo + 4); index++) {
        const line = lines[index] ?? '';
        const at = line.indexOf(removed);
        if (at < 0) continue;
        lines[index] = `${line.slice(0, at)} ${line.slice(at + removed.length)}`;
        break;
      }
    }
  }
  const present = new Set(documentStrings(result).flatMap(words));
  for (const repair of result.report.repairs) {
    for (const word of words(repair.from)) present.add(word);
  }
  return [...new Set(lines.flatMap(words))].filter((word) => !present.has(word));
}

/** Splits source text into lines exactly as the importer numbers them. */
export function sourceLines(text: string): string[] {
  return text.split(/\r\n|[\r\n\f\v\u2028\u2029\u0085]/);
}
