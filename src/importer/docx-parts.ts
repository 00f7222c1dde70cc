import { wordNumbers } from './docx-numbering.ts';
import type { WordNumber } from './docx-numbering.ts';
import type { ReportCollector } from './import-report.ts';
import { docxPartNames, readDocxPart } from './zip-guard.ts';

/**
 * What the importer reads from a .docx besides mammoth's HTML: Word's own numbers for numbered
 * paragraphs, and the page headers and footers (which mammoth leaves out) for the report.
 */

/** Marks a Word number in the text mammoth converts; parse-policy-html.ts reads it back. */
export const NUMBER_MARK = { open: '\ue000', close: '\ue001' } as const;

/** Word's numbers for the document's numbered paragraphs, or null without numbering.xml. */
export function docxWordNumbers(bytes: Uint8Array): WordNumber[] | null {
  const numbering = readDocxPart(bytes, 'word/numbering.xml');
  const document = readDocxPart(bytes, 'word/document.xml');
  if (numbering === null || document === null) return null;
  return wordNumbers(document, numbering, readDocxPart(bytes, 'word/styles.xml'));
}

interface Node {
  type?: unknown;
  numbering?: unknown;
  children?: unknown;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null;
}

/** mammoth's numbered paragraphs, in document order (the order Word counts them in). */
function numberedParagraphs(node: unknown, out: Node[]): Node[] {
  if (!isNode(node)) return out;
  if (node.type === 'paragraph' && node.numbering !== null && node.numbering !== undefined) {
    out.push(node);
  }
  if (Array.isArray(node.children))
    for (const child of node.children) numberedParagraphs(child, out);
  return out;
}

/**
 * mammoth's transformDocument hook: puts Word's number at the start of each numbered paragraph
 * between NUMBER_MARK characters. When mammoth and numbering.xml disagree on how many numbered
 * paragraphs there are, nothing is marked and the report says the numbers are mammoth's.
 */
export function labelNumberedParagraphs(
  document: unknown,
  numbers: readonly WordNumber[] | null,
  report: ReportCollector,
): unknown {
  if (numbers === null) return document;
  const paragraphs = numberedParagraphs(document, []);
  if (paragraphs.length !== numbers.length) {
    report.warn(
      `Word's list numbering could not be followed (${paragraphs.length} numbered paragraphs, ${numbers.length} in numbering.xml): each list is numbered from its first item, check the clause numbers`,
    );
    return document;
  }
  paragraphs.forEach((paragraph, index) => {
    const number = numbers[index];
    if (!number || !Array.isArray(paragraph.children)) return;
    const label = number.bullet ? '' : number.label;
    paragraph.children = [
      { type: 'text', value: `${NUMBER_MARK.open}${label}${NUMBER_MARK.close}` },
      ...(paragraph.children as unknown[]),
    ];
  });
  return document;
}

const XML_TEXT = /<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<w:tab\/>|<\/w:p>/g;

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * The page headers and footers of a .docx (word/header*.xml, word/footer*.xml) are printed on
 * every page but are not the policy's wording: each distinct line is reported once as a running
 * header, so the report still accounts for every word of the file.
 */
export function reportHeadersAndFooters(bytes: Uint8Array, report: ReportCollector): void {
  const seen = new Set<string>();
  for (const name of docxPartNames(bytes)) {
    if (!/^word\/(?:header|footer)\d*\.xml$/.test(name)) continue;
    const xml = readDocxPart(bytes, name) ?? '';
    let line = '';
    for (const match of xml.matchAll(XML_TEXT)) {
      if (match[1] !== undefined) line += decodeXml(match[1]);
      else if (match[0] === '<w:tab/>') line += '\t';
      else {
        const text = line.replace(/\s+/g, ' ').trim();
        line = '';
        if (text === '' || seen.has(text)) continue;
        seen.add(text);
        report.remove('running-header', 1, text);
      }
    }
  }
}
