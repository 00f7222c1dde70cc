import type { PolicyDocument } from '../domain/policy-document.ts';
import { buildPolicyDocument } from './build-policy-document.ts';
import { cleanLines } from './clean-lines.ts';
import type { ImportReport } from './import-report.ts';
import { ReportCollector } from './import-report.ts';
import type { RawLine } from './source-line.ts';

export interface ImportResult {
  document: PolicyDocument;
  report: ImportReport;
}

/** Runs the shared pipeline over lines from any source format. */
export function parsePolicyLines(
  lines: readonly RawLine[],
  source: ImportReport['source'],
  report: ReportCollector = new ReportCollector(),
): ImportResult {
  const clean = cleanLines(lines, report);
  const document = buildPolicyDocument(clean, report);
  return { document, report: report.toReport(source) };
}

/**
 * Turns the text of a school's AUP (plain text or Markdown) into a PolicyDocument and a report of
 * what was removed, mended or needs a look. Pure: no I/O, same text in, same result out.
 */
export function parsePolicyText(text: string): ImportResult {
  const lines: RawLine[] = text
    .split(/\r\n|[\r\n\f\v\u2028\u2029\u0085]/)
    .map((line, index) => ({ text: line, lineNo: index + 1 }));
  return parsePolicyLines(lines, 'text');
}
