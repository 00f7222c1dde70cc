/**
 * The line model the importer works on. Text files are split into lines; a .docx is converted by
 * mammoth to HTML and flattened into the same lines, carrying what the HTML knew for sure
 * (headings, list depth) as hints. Everything after that is one pipeline for both.
 */
export interface RawLine {
  /** The line as it was, tabs and leading white space kept. */
  text: string;
  /** 1-based position in the source (for a .docx, in the converted text). */
  lineNo: number;
  /** A heading the source format declared (Markdown "#", a Word heading style). */
  headingLevel?: number;
  /**
   * A list item the source format declared (a Word list): depth 0 is the outer list; `label` is
   * the number Word prints ("7.", "b)", "2.1"), `index` its place in mammoth's list.
   */
  list?: { ordered: boolean; depth: number; index: number; label?: string };
  /** The source ended this line for certain (a Word paragraph): never joined to the next line. */
  hard?: boolean;
  /** The whole paragraph was bold: a heading candidate. */
  bold?: boolean;
}

export type MarkerKind = 'bullet' | 'number' | 'letter' | 'roman';

export interface Marker {
  kind: MarkerKind;
  /** As printed without its punctuation: "4.2", "b", "iv"; the glyph for a bullet. */
  label: string;
}

export interface FormField {
  label: string;
  value?: string;
}

/** A line after debris removal. */
export interface CleanLine {
  lineNo: number;
  /** 'form' lines are fill-in fields (removed from the text, kept for the approval block). */
  kind: 'text' | 'form';
  /** Single-spaced, trimmed, without its list marker. */
  text: string;
  /** Leading white space width (a tab counts 4). */
  indent: number;
  marker?: Marker;
  headingLevel?: number;
  hard: boolean;
  bold: boolean;
  /** A blank line stood before this one. */
  blankBefore: boolean;
  /** A page's header, footer or number stood before this one: the text may carry on. */
  pageBreak?: boolean;
  /** Length of the line as printed (indentation and marker included): tells hard-wrapped text. */
  width: number;
  fields?: FormField[];
}

const BULLET =
  /^(?:[\u2022\u00b7\u25aa\u25ab\u25cf\u25cb\u25e6\u2023\u2043\u2219\u25a0\u25a1\u25c6\u25c7\u27a2\u27a4\u2713\u2714\u2756\u25ba\u25b6\u27a3\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf0a8\uf06e\uf071]\s*|[*+\u2013\u2014-][\t ]+|o\t\s*|o {1,3}(?=\p{L})|[Ø§] +)(?=\S)/u;
const NUMBER = /^(?:\((\d{1,3})\)|(\d{1,3}(?:\.\d{1,3})+)\.?|(\d{1,3})[.)])[\t ]+(?=\S)/;
const ROMAN = /^(?:\(([ivx]{1,5})\)|([ivx]{1,5})[.)])[\t ]+(?=\S)/;
const LETTER = /^(?:\(([a-zA-Z])\)|([a-z])[.)]|([A-Z])\))[\t ]+(?=\S)/;
const ROMAN_VALUE = /^(?:x{0,3})(?:ix|iv|v?i{0,3})$/;

/** Reads a list marker off the start of a line (already without its indentation). */
export function parseMarker(text: string): { marker: Marker; rest: string } | null {
  const bullet = BULLET.exec(text);
  if (bullet) {
    return {
      marker: { kind: 'bullet', label: bullet[0].trim() || '•' },
      rest: text.slice(bullet[0].length),
    };
  }
  const number = NUMBER.exec(text);
  if (number) {
    const label = number[1] ?? number[2] ?? number[3] ?? '';
    return { marker: { kind: 'number', label }, rest: text.slice(number[0].length) };
  }
  const roman = ROMAN.exec(text);
  const romanLabel = roman ? (roman[1] ?? roman[2] ?? '') : '';
  if (roman && ROMAN_VALUE.test(romanLabel)) {
    return { marker: { kind: 'roman', label: romanLabel }, rest: text.slice(roman[0].length) };
  }
  const letter = LETTER.exec(text);
  if (letter) {
    const label = letter[1] ?? letter[2] ?? letter[3] ?? '';
    return { marker: { kind: 'letter', label }, rest: text.slice(letter[0].length) };
  }
  return null;
}

/** Width of leading white space: a tab counts 4, anything else 1. */
export function indentWidth(leading: string): number {
  let width = 0;
  for (const ch of leading) width += ch === '\t' ? 4 : 1;
  return width;
}
