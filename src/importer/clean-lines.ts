import { CountersignError } from '../domain/errors.ts';
import { parseFormLine } from './form-line.ts';
import { isLinkLine, unbracketLinks } from './links.ts';
import type { ReportCollector } from './import-report.ts';
import type { CleanLine, Marker, RawLine } from './source-line.ts';
import { indentWidth, parseMarker } from './source-line.ts';
import { isStopWord, wordsOf } from './words.ts';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;
const ODD_SPACE = /[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g;
const BOOKMARK = /\[bookmark:[^\]\n]{0,200}\]/gi;
const INLINE_MARKUP =
  /<\/?(?:u|b|i|em|strong|span|font|sup|sub|br|p|div|s|strike|mark|ins|del)\b[^<>\n]{0,200}>|\*\*|[\u2610\u2611\u2612]/gi;
const MD_HEADING = /^(#{1,6})[\t ]+(.+?)(?:[\t ]+#+)?$/;
const RULE = /^([-=_*~])(?:[\t ]*\1){2,}$/;
const PAGE_NUMBER =
  /^(?:page[\t ]+)?\d{1,3}(?:[\t ]*(?:of|\/)[\t ]*\d{1,3})?$|^[-–][\t ]*\d{1,3}[\t ]*[-–]$/i;
const PLACEHOLDER = /\[[^\]\n]{2,60}\]|<<[^>\n]{1,60}>>|\bX{3,}\b/g;
/** Letters outside what English and the usual names use: a sign of a misread scan. */
const OCR_LETTERS =
  /[\u0100-\u017f\u0180-\u024f\u0250-\u02af](?=[\t ]|$)|\p{L}[\u0138\u0140\u0149\u017f]/u;
/** The longest line read: as long as the longest clause a PolicyDocument holds. */
const MAX_LINE_CHARS = 10_000;
/** A header or footer is short and not a sentence. */
const MAX_HEADER_WORDS = 12;

interface Working {
  raw: RawLine;
  /** The line's content without its indentation; '' when blank or removed. */
  content: string;
  indent: number;
  blank: boolean;
  removed: boolean;
  /** Removed as page furniture (a running header or footer, a page number): a page break. */
  furniture?: boolean;
  headingLevel?: number;
  form?: ReturnType<typeof parseFormLine>;
}

/** Strips debris inside a line, noting each piece removed. */
function stripInline(line: RawLine, report: ReportCollector): string {
  let text = line.text.replace(ODD_SPACE, ' ');
  const invisible = text.match(INVISIBLE);
  if (invisible) {
    report.remove('invisible-character', line.lineNo, invisible.join(''));
    text = text.replace(INVISIBLE, '');
  }
  text = text.replace(BOOKMARK, (m) => {
    report.remove('bookmark', line.lineNo, m);
    return '';
  });
  text = text.replace(INLINE_MARKUP, (m) => {
    report.remove('markup', line.lineNo, m);
    return '';
  });
  return unbracketLinks(text);
}

function headerKey(text: string): string {
  return text.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
}

function couldBeHeader(text: string): boolean {
  const words = text.split(/\s+/).filter(Boolean);
  return (
    words.length > 0 &&
    words.length <= MAX_HEADER_WORDS &&
    /\p{L}/u.test(text) &&
    !/[.,;]$/.test(text) &&
    !/^I\b/.test(text) &&
    !isLinkLine(text) &&
    parseMarker(text) === null
  );
}

/**
 * Marks page headers and footers: a short line printed again and again. A header that is also the
 * document's first line is kept there once (it is the title); every other copy goes.
 */
function removeRunningHeaders(lines: Working[], report: ReportCollector): Set<string> {
  const live = lines.filter((l) => !l.blank && !l.removed && !l.form);
  const seen = new Map<string, Working[]>();
  for (const line of live) {
    if (line.raw.list || line.headingLevel !== undefined || !couldBeHeader(line.content)) continue;
    const key = headerKey(line.content);
    const copies = seen.get(key);
    if (copies) copies.push(line);
    else seen.set(key, [line]);
  }
  const edges = new Set([...live.slice(0, 3), ...live.slice(-3)]);
  const headers = new Set<string>();
  for (const [key, copies] of seen) {
    const [first] = copies;
    if (first === undefined || copies.length < 2) continue;
    if (copies.length < 3 && !copies.some((c) => edges.has(c))) continue;
    headers.add(key);
    // The first line of the document stays: it is the title, printed again as the header.
    const removed = copies.filter((copy) => !(copy === first && first === live[0]));
    // Reported once for each wording, with every line it was removed from.
    const byText = new Map<string, Working[]>();
    for (const copy of removed) {
      copy.removed = true;
      copy.furniture = true;
      byText.set(copy.content, [...(byText.get(copy.content) ?? []), copy]);
    }
    for (const [text, same] of byText) {
      const [head, ...rest] = same;
      if (head)
        report.remove(
          'running-header',
          head.raw.lineNo,
          text,
          rest.map((r) => r.raw.lineNo),
        );
    }
  }
  return headers;
}

/** Word counts over the document, leaving out the halves of words an OCR tab split apart. */
function vocabulary(lines: Working[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    if (line.blank || line.removed || line.form) continue;
    // Tokens touching a tab inside the line may be halves of a split word: not evidence.
    const tokens = line.content.split(/ +/).filter((token) => !token.includes('\t'));
    for (const word of wordsOf(tokens.join(' '))) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/**
 * An OCR tab inside a word ("desi<tab>gnated", "Us<tab>ing"): joined when the joined word is
 * used elsewhere in the document and one of the halves is not a word of its own.
 */
function mendTabSplits(
  text: string,
  lineNo: number,
  vocab: Map<string, number>,
  report: ReportCollector,
): string {
  if (!text.includes('\t')) return text;
  return text.replace(/([\p{L}'’]+)\t+([\p{L}'’]+)/gu, (whole, left: string, right: string) => {
    const joined = (left + right).toLowerCase();
    const isWord = (w: string): boolean => vocab.has(w.toLowerCase()) || isStopWord(w);
    if ((vocab.get(joined) ?? 0) > 0 && !(isWord(left) && isWord(right))) {
      report.repair(lineNo, whole, left + right);
      return left + right;
    }
    return `${left} ${right}`;
  });
}

/** "162<tab>phoneigning": digits among unknown lower-case non-words, or mostly symbols. */
function isNoise(text: string, vocab: Map<string, number>): boolean {
  if (!/[\p{L}\p{N}]/u.test(text)) return true;
  const tokens = text.split(/\s+/).filter(Boolean);
  const visible = text.replace(/\s+/g, '');
  if (visible.length >= 3) {
    const alnum = visible.replace(/[^\p{L}\p{N}]/gu, '').length;
    if (alnum / visible.length < 0.4) return true;
  }
  if (tokens.length === 0 || tokens.length > 4) return false;
  if (!tokens.some((t) => /^\d+$/.test(t))) return false;
  return tokens
    .filter((t) => /\p{L}/u.test(t))
    .every((t) => {
      const word = t.toLowerCase();
      return t === word && (vocab.get(word) ?? 0) <= 1 && !isStopWord(word);
    });
}

/**
 * "…detailed in the school's Online Safety Policy. Online Safety Policy": a running header fused
 * onto the end of a line, either a known header or a Title Case repeat of the words just before.
 */
function fusedHeader(text: string, headers: Set<string>): string | null {
  const match = /^(.*[.!?]['"’”)]*)\s+(\p{Lu}[^.!?:;,]{2,80})$/u.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const before = match[1];
  const tail = match[2].trim();
  if (headers.has(headerKey(tail))) return tail;
  const tailWords = tail.split(/\s+/);
  if (tailWords.length < 2 || tailWords.length > 6) return null;
  const beforeWords = before.replace(/[.!?'"’”)]+$/, '').split(/\s+/);
  const previous = beforeWords.slice(-tailWords.length).join(' ');
  return previous.toLowerCase() === tail.toLowerCase() ? tail : null;
}

function markerFromHint(raw: RawLine): Marker | undefined {
  if (!raw.list) return undefined;
  const { label } = raw.list;
  if (raw.list.ordered && label !== undefined) {
    // Word's own number: "7." → 7, "b)" → b, "2.1" → 2.1.
    const parsed = parseMarker(`${label} x`);
    if (parsed && parsed.rest === 'x') return parsed.marker;
    const bare = label.replace(/^[(\s]+|[.):\s]+$/g, '');
    if (bare !== '') return { kind: 'number', label: bare.slice(0, 20) };
  }
  return raw.list.ordered
    ? { kind: 'number', label: String(raw.list.index) }
    : { kind: 'bullet', label: '•' };
}

/**
 * Removes the debris of a real-world AUP (bookmarks, headers, page numbers, signature lines,
 * scanner noise, stray markup), mends OCR splits and reads each line's indentation and list
 * marker. Every removal and repair is noted in the report.
 */
export function cleanLines(rawLines: readonly RawLine[], report: ReportCollector): CleanLine[] {
  const lines: Working[] = [];
  for (const raw of rawLines) {
    // Checked before any pattern runs: no clause is this long, and it keeps every step linear.
    if (raw.text.length > MAX_LINE_CHARS) {
      throw new CountersignError(
        'validation',
        `line ${raw.lineNo} is ${raw.text.length} characters long (a clause holds at most ${MAX_LINE_CHARS}): this does not look like a policy`,
      );
    }
    const text = stripInline(raw, report);
    const leading = /^[\t ]*/.exec(text)?.[0] ?? '';
    const content = text.slice(leading.length).replace(/[\t ]+$/, '');
    const line: Working = {
      raw,
      content,
      indent: raw.list ? raw.list.depth * 4 : indentWidth(leading),
      blank: content === '' && raw.text.trim() === '',
      removed: false,
      ...(raw.headingLevel === undefined ? {} : { headingLevel: raw.headingLevel }),
    };
    lines.push(line);
    if (content === '') {
      // A line that held only debris is gone; it does not break a paragraph.
      line.removed = !line.blank;
      continue;
    }
    const heading = MD_HEADING.exec(content);
    if (heading?.[1] && heading[2] && raw.headingLevel === undefined && !raw.list) {
      report.remove('markup', raw.lineNo, heading[1]);
      line.content = heading[2];
      line.headingLevel = heading[1].length;
      continue;
    }
    const rule = RULE.exec(content);
    if (rule) {
      const previous = lines.at(-2);
      const underline = rule[1] === '=' || rule[1] === '-';
      if (underline && previous && !previous.blank && !previous.removed && !previous.form) {
        previous.headingLevel ??= rule[1] === '=' ? 1 : 2;
      }
      report.remove(rule[1] === '_' ? 'signature-line' : 'markup', raw.lineNo, content);
      line.removed = true;
      continue;
    }
    if (PAGE_NUMBER.test(content)) {
      report.remove('page-number', raw.lineNo, content);
      line.removed = true;
      line.furniture = true;
      continue;
    }
    const form = parseFormLine(content);
    if (form) {
      line.form = form;
      const filled = form.some((f) => f.value !== undefined);
      report.remove(filled ? 'form-field' : 'signature-line', raw.lineNo, content);
    }
  }

  const headers = removeRunningHeaders(lines, report);
  const vocab = vocabulary(lines);
  const clean: CleanLine[] = [];
  let blankBefore = false;
  let pageBreak = false;
  for (const line of lines) {
    if (line.blank) {
      blankBefore = true;
      continue;
    }
    if (line.removed) {
      if (line.furniture === true) pageBreak = true;
      continue;
    }
    const { raw } = line;
    const base = {
      lineNo: raw.lineNo,
      indent: line.indent,
      hard: raw.hard === true,
      bold: raw.bold === true,
      // Blank lines around a page's header and footer are the page's, not a paragraph break.
      blankBefore: blankBefore && !pageBreak,
      ...(pageBreak ? { pageBreak: true } : {}),
      width: raw.text.replace(/\s+$/, '').length,
    };
    blankBefore = false;
    pageBreak = false;
    if (line.form) {
      clean.push({ ...base, kind: 'form', text: '', fields: line.form });
      continue;
    }
    let text = line.content;
    // A number in its own table cell or before a tab ("3<tab>I will…") numbers the clause.
    const tabNumber = /^(\d{1,3})\t+(?=\S)/.exec(text);
    const stray = /^_{1,2}(?=[\t ]+\p{L})/u.exec(text);
    if (stray) {
      report.remove('ocr-noise', raw.lineNo, stray[0]);
      text = text.slice(stray[0].length).trimStart();
    }
    text = mendTabSplits(text, raw.lineNo, vocab, report).replace(/\s+/g, ' ').trim();
    if (isNoise(text, vocab)) {
      report.remove('ocr-noise', raw.lineNo, line.content);
      continue;
    }
    const fused = fusedHeader(text, headers);
    if (fused !== null) {
      report.remove('running-header', raw.lineNo, fused);
      text = text.slice(0, text.length - fused.length).trimEnd();
    }
    for (const placeholder of text.match(PLACEHOLDER) ?? []) {
      report.warn(`a placeholder was left in the text: ${placeholder}`, raw.lineNo);
    }
    if (OCR_LETTERS.test(text)) {
      report.warn(
        `possible scanning (OCR) error, check the wording: "${text.slice(0, 60)}"`,
        raw.lineNo,
      );
    }
    let marker = markerFromHint(raw);
    if (!marker && line.headingLevel === undefined) {
      const parsed = parseMarker(text);
      if (parsed) {
        marker = parsed.marker;
        text = parsed.rest.trim();
      } else if (tabNumber?.[1] !== undefined && text.startsWith(`${tabNumber[1]} `)) {
        marker = { kind: 'number', label: tabNumber[1] };
        text = text.slice(tabNumber[1].length).trim();
      }
    }
    clean.push({
      ...base,
      kind: 'text',
      text,
      ...(marker ? { marker } : {}),
      ...(line.headingLevel === undefined ? {} : { headingLevel: line.headingLevel }),
    });
  }
  return clean;
}
