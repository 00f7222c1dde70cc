import type { ReportCollector } from './import-report.ts';
import { NUMBER_MARK } from './docx-parts.ts';
import { hyperlinkText } from './links.ts';
import type { RawLine } from './source-line.ts';

const TOKEN = /<!--[\s\S]*?-->|<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>|([^<]+)/g;
const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos|nbsp));/g;
const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

function decode(text: string): string {
  return text.replace(ENTITY, (_m, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return NAMED[name] ?? '';
    const code = dec !== undefined ? Number(dec) : Number.parseInt(hex ?? '0', 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

interface Pending {
  text: string;
  headingLevel?: number;
  list?: RawLine['list'];
  boldText: boolean;
  plainText: boolean;
  /** A table row: how many cells it has had so far. */
  cells?: number;
}

const LEADING_NUMBER = new RegExp(
  `^\\s*${NUMBER_MARK.open}([^${NUMBER_MARK.close}]{0,40})${NUMBER_MARK.close}\\s*`,
);
const ANY_NUMBER = new RegExp(
  `${NUMBER_MARK.open}([^${NUMBER_MARK.close}]{0,40})${NUMBER_MARK.close}\\s*`,
  'g',
);

/**
 * Word's number, marked by docx-parts.ts: a list item's becomes its label; elsewhere (a numbered
 * heading, a list inside a table) it is printed before the text, as Word prints it.
 */
function readWordNumber(pending: Pending): void {
  const lead = LEADING_NUMBER.exec(pending.text);
  if (lead && pending.list) {
    if (lead[1] !== undefined && lead[1] !== '') pending.list.label = lead[1];
    pending.text = pending.text.slice(lead[0].length);
  }
  pending.text = pending.text.replace(ANY_NUMBER, (_m, label: string) =>
    label === '' ? '' : `${label} `,
  );
}

/** A cell this long holds prose, not a form label: its row is read cell by cell. */
const PROSE_CELL_WORDS = 10;

/**
 * Flattens the HTML mammoth makes of a .docx (p, h1–h6, nested ol/ul/li, tables, br, strong) into
 * the importer's lines, keeping what Word knew for certain: headings, list depth and order, bold
 * paragraphs. A table row becomes one line with its cells separated by tabs, as a signature
 * table reads in text; a row with prose in a cell becomes one line per cell.
 */
export function htmlToLines(html: string, report: ReportCollector): RawLine[] {
  const lines: RawLine[] = [];
  const lists: Array<{ ordered: boolean; count: number }> = [];
  let current = null as Pending | null;
  let tableDepth = 0;
  let bold = 0;
  let images = 0;
  let link: { href: string; from: number; in: Pending } | null = null;

  const flush = (): void => {
    if (current) readWordNumber(current);
    const cells = current?.cells !== undefined ? current.text.split('\t') : [];
    if (cells.some((cell) => cell.split(/\s+/).filter(Boolean).length > PROSE_CELL_WORDS)) {
      // A number column stays with the text beside it: "1<tab>I will…".
      if (cells.length > 1 && /^\s*\(?[0-9a-z]{1,4}[.)]?\s*$/i.test(cells[0] ?? '')) {
        cells.splice(0, 2, `${(cells[0] ?? '').trim()}\t${cells[1] ?? ''}`);
      }
      for (const cell of cells) {
        if (cell.trim() !== '') lines.push({ text: cell, lineNo: lines.length + 1, hard: true });
      }
    } else if (current && current.text.trim() !== '') {
      lines.push({
        text: current.text,
        lineNo: lines.length + 1,
        hard: true,
        ...(current.boldText && !current.plainText ? { bold: true } : {}),
        ...(current.headingLevel === undefined ? {} : { headingLevel: current.headingLevel }),
        ...(current.list ? { list: current.list } : {}),
      });
    }
    current = null;
  };
  const open = (extra: Partial<Pending> = {}): Pending => {
    current = { text: '', boldText: false, plainText: false, ...extra };
    return current;
  };

  for (const match of html.matchAll(TOKEN)) {
    const [, closing, rawTag, attributes, text] = match;
    if (text !== undefined) {
      const decoded = decode(text);
      const target: Pending = current ?? open();
      target.text += decoded;
      if (decoded.trim() !== '') {
        if (bold > 0) target.boldText = true;
        else target.plainText = true;
      }
      continue;
    }
    const tag = rawTag?.toLowerCase();
    if (tag === undefined) continue;
    const isClose = closing === '/';
    switch (tag) {
      case 'p':
      case 'h1':
      case 'h2':
      case 'h3':
      case 'h4':
      case 'h5':
      case 'h6':
        if (tableDepth > 0) {
          if (!isClose && current && /\S$/.test(current.text)) current.text += ' ';
          break;
        }
        // A paragraph inside a list item continues the item's line.
        if (!isClose && current?.list && current.text.trim() === '') break;
        flush();
        if (!isClose && tag !== 'p') open({ headingLevel: Number(tag.slice(1)) });
        break;
      case 'ul':
      case 'ol':
        flush();
        if (isClose) lists.pop();
        else lists.push({ ordered: tag === 'ol', count: 0 });
        break;
      case 'li': {
        flush();
        const list = lists.at(-1);
        if (!isClose && list) {
          list.count++;
          open({ list: { ordered: list.ordered, depth: lists.length - 1, index: list.count } });
        }
        break;
      }
      case 'table':
        flush();
        tableDepth += isClose ? -1 : 1;
        tableDepth = Math.max(tableDepth, 0);
        break;
      case 'tr':
        flush();
        break;
      case 'td':
      case 'th':
        if (!isClose) {
          const row: Pending = current ?? open();
          if (row.cells !== undefined && row.cells > 0) row.text += '\t';
          row.cells = (row.cells ?? 0) + 1;
        }
        break;
      case 'br':
        if (tableDepth > 0) {
          if (current) current.text += ' ';
        } else {
          flush();
        }
        break;
      case 'strong':
      case 'b':
        bold = Math.max(0, bold + (isClose ? -1 : 1));
        break;
      case 'a': {
        const id = /\bid="([^"]*)"/.exec(attributes ?? '')?.[1];
        if (!isClose && id !== undefined) report.remove('bookmark', lines.length + 1, `#${id}`);
        const href = /\bhref="([^"]*)"/.exec(attributes ?? '')?.[1];
        if (!isClose && href !== undefined) {
          const target: Pending = current ?? open();
          link = { href: decode(href), from: target.text.length, in: target };
        } else if (isClose && link) {
          // The link's words, then its address: the clause keeps the link (links.ts).
          const { in: target, from, href: address } = link;
          if (target === current) {
            target.text =
              target.text.slice(0, from) + hyperlinkText(target.text.slice(from), address);
          }
          link = null;
        }
        break;
      }
      case 'img':
        images++;
        break;
      default:
        break;
    }
  }
  flush();
  if (images > 0) report.warn(`${images} image(s) in the document were left out`);
  return lines;
}
