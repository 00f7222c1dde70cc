/**
 * The numbers Word shows beside numbered paragraphs, worked out from word/numbering.xml, the
 * paragraph styles and each paragraph's w:numPr. mammoth turns every run of list paragraphs into
 * its own HTML list, so a list continued after a heading would count from 1 again; Word counts on.
 *
 * How Word counts (ISO/IEC 29500-1 §17.9, as Word implements it):
 * - a paragraph's list is w:numPr (w:numId, w:ilvl) or its style's; w:numId 0 means none;
 * - each w:num refers to a w:abstractNum; w:num elements without a w:lvlOverride share the
 *   abstract definition's counters, so separate lists over one definition continue each other,
 *   while a w:num with a w:startOverride is a list of its own that starts at that value
 *   (§17.9.27 startOverride, https://learn.microsoft.com/en-us/previous-versions/office/developer/office-2010/cc862340(v=office.14));
 * - a level restarts when a higher level is used, unless w:lvlRestart says 0 ("Word restarts a
 *   numbering level when an instance of the specified numbering level or any higher level is
 *   used", MS-OI29500 on §17.9.11,
 *   https://learn.microsoft.com/en-us/openspecs/office_standards/ms-oi29500/140a2cd9-2f26-456d-9760-ae6ecef4e8b5);
 * - w:lvlText ("%1.%2)") is filled with each level's number in its w:numFmt; w:start is the first
 *   number (0 when absent, §17.9.26).
 */

interface Level {
  start?: number;
  format: string;
  text: string;
  /** w:lvlRestart: 0 never restarts; n restarts after level n-1 (1-based) is used. */
  restart?: number;
  style?: string;
}

interface AbstractNum {
  levels: Map<number, Level>;
  /** w:numStyleLink: the definition lives with the numbering style of this id. */
  styleLink?: string;
}

interface Num {
  abstractId: string;
  starts: Map<number, number>;
  levels: Map<number, Level>;
}

/** A numbered paragraph's label as Word prints it, or a bullet. */
export interface WordNumber {
  label: string;
  bullet: boolean;
  level: number;
}

const TAG =
  /<(\/?)([A-Za-z][\w.-]*:[\w.-]+|[A-Za-z][\w.-]*)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attributes);
  return match ? (match[1] ?? match[2]) : undefined;
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d{1,7});/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&');
}

function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}

/** Reads w:lvl elements in order from a run of tags starting inside one. */
function readLevel(tags: Array<{ name: string; attributes: string; close: boolean }>): Level {
  const level: Level = { format: 'decimal', text: '' };
  for (const tag of tags) {
    if (tag.close) continue;
    const value = attribute(tag.attributes, 'w:val');
    switch (tag.name) {
      case 'w:start': {
        const start = integer(value);
        if (start !== undefined) level.start = start;
        break;
      }
      case 'w:numFmt':
        level.format = value ?? 'decimal';
        break;
      case 'w:lvlText':
        level.text = decodeXml(value ?? '');
        break;
      case 'w:lvlRestart': {
        const restart = integer(value);
        if (restart !== undefined) level.restart = restart;
        break;
      }
      case 'w:pStyle':
        if (value !== undefined) level.style = value;
        break;
      default:
        break;
    }
  }
  return level;
}

interface Tag {
  name: string;
  attributes: string;
  close: boolean;
  selfClosing: boolean;
}

function* tags(xml: string): Generator<Tag> {
  for (const match of xml.matchAll(TAG)) {
    yield {
      close: match[1] === '/',
      name: match[2] ?? '',
      attributes: match[3] ?? '',
      selfClosing: match[4] === '/',
    };
  }
}

/** Collects the tags of one element (from just inside its start tag to its end tag). */
function collect(iterator: Generator<Tag>, name: string): Tag[] {
  const inside: Tag[] = [];
  let depth = 0;
  for (let next = iterator.next(); !next.done; next = iterator.next()) {
    const tag = next.value;
    if (tag.name === name && !tag.selfClosing) {
      if (tag.close) {
        if (depth === 0) return inside;
        depth--;
      } else {
        depth++;
      }
    }
    inside.push(tag);
  }
  return inside;
}

function levelsOf(inside: Tag[]): Map<number, Level> {
  const levels = new Map<number, Level>();
  let current: Tag[] | null = null;
  let ilvl = 0;
  for (const tag of inside) {
    if (tag.name === 'w:lvl' && !tag.close) {
      current = [];
      ilvl = integer(attribute(tag.attributes, 'w:ilvl')) ?? 0;
      if (tag.selfClosing) {
        levels.set(ilvl, readLevel(current));
        current = null;
      }
      continue;
    }
    if (tag.name === 'w:lvl' && tag.close && current) {
      levels.set(ilvl, readLevel(current));
      current = null;
      continue;
    }
    current?.push(tag);
  }
  return levels;
}

interface NumberingPart {
  abstracts: Map<string, AbstractNum>;
  nums: Map<string, Num>;
}

function readNumbering(xml: string): NumberingPart {
  const abstracts = new Map<string, AbstractNum>();
  const nums = new Map<string, Num>();
  const iterator = tags(xml);
  for (let next = iterator.next(); !next.done; next = iterator.next()) {
    const tag = next.value;
    if (tag.close || tag.selfClosing) continue;
    if (tag.name === 'w:abstractNum') {
      const id = attribute(tag.attributes, 'w:abstractNumId') ?? '';
      const inside = collect(iterator, 'w:abstractNum');
      const link = inside.find((t) => t.name === 'w:numStyleLink' && !t.close);
      const styleLink = link ? attribute(link.attributes, 'w:val') : undefined;
      abstracts.set(id, {
        levels: levelsOf(inside),
        ...(styleLink === undefined ? {} : { styleLink }),
      });
    } else if (tag.name === 'w:num') {
      const id = attribute(tag.attributes, 'w:numId') ?? '';
      const inside = collect(iterator, 'w:num');
      const abstract = inside.find((t) => t.name === 'w:abstractNumId' && !t.close);
      const starts = new Map<number, number>();
      const levels = new Map<number, Level>();
      let override = 0;
      let overrideTags: Tag[] = [];
      for (const t of inside) {
        if (t.name === 'w:lvlOverride' && !t.close) {
          override = integer(attribute(t.attributes, 'w:ilvl')) ?? 0;
          overrideTags = [];
        } else if (t.name === 'w:lvlOverride' && t.close) {
          const replaced = levelsOf(overrideTags).get(override);
          if (replaced) levels.set(override, replaced);
        } else if (t.name === 'w:startOverride' && !t.close) {
          const start = integer(attribute(t.attributes, 'w:val'));
          if (start !== undefined) starts.set(override, start);
        } else {
          overrideTags.push(t);
        }
      }
      nums.set(id, {
        abstractId: abstract ? (attribute(abstract.attributes, 'w:val') ?? '') : '',
        starts,
        levels,
      });
    }
  }
  return { abstracts, nums };
}

interface StyleNumbering {
  numId?: string;
  ilvl?: number;
  basedOn?: string;
}

/** Each paragraph style's own w:numPr and the style it is based on. */
function readStyles(xml: string | null): Map<string, StyleNumbering> {
  const styles = new Map<string, StyleNumbering>();
  if (xml === null) return styles;
  const iterator = tags(xml);
  for (let next = iterator.next(); !next.done; next = iterator.next()) {
    const tag = next.value;
    if (tag.close || tag.selfClosing || tag.name !== 'w:style') continue;
    const id = attribute(tag.attributes, 'w:styleId') ?? '';
    const style: StyleNumbering = {};
    for (const t of collect(iterator, 'w:style')) {
      if (t.close) continue;
      const value = attribute(t.attributes, 'w:val');
      if (t.name === 'w:basedOn' && value !== undefined) style.basedOn = value;
      if (t.name === 'w:numId' && value !== undefined) style.numId = value;
      if (t.name === 'w:ilvl') {
        const ilvl = integer(value);
        if (ilvl !== undefined) style.ilvl = ilvl;
      }
    }
    styles.set(id, style);
  }
  return styles;
}

const ROMAN: ReadonlyArray<readonly [number, string]> = [
  [1000, 'm'],
  [900, 'cm'],
  [500, 'd'],
  [400, 'cd'],
  [100, 'c'],
  [90, 'xc'],
  [50, 'l'],
  [40, 'xl'],
  [10, 'x'],
  [9, 'ix'],
  [5, 'v'],
  [4, 'iv'],
  [1, 'i'],
];

function roman(value: number): string {
  let rest = value;
  let out = '';
  for (const [amount, letters] of ROMAN) {
    while (rest >= amount) {
      out += letters;
      rest -= amount;
    }
  }
  return out;
}

/** Word's letters: a…z, then aa…zz, aaa… (the letter repeated). */
function letters(value: number): string {
  if (value < 1) return String(value);
  const letter = String.fromCharCode(97 + ((value - 1) % 26));
  return letter.repeat(Math.floor((value - 1) / 26) + 1);
}

function formatNumber(value: number, format: string): string {
  switch (format) {
    case 'lowerLetter':
      return letters(value);
    case 'upperLetter':
      return letters(value).toUpperCase();
    case 'lowerRoman':
      return value > 0 ? roman(value) : String(value);
    case 'upperRoman':
      return value > 0 ? roman(value).toUpperCase() : String(value);
    case 'decimalZero':
      return value < 10 && value >= 0 ? `0${value}` : String(value);
    case 'none':
      return '';
    default:
      return String(value);
  }
}

interface Paragraph {
  numId?: string;
  ilvl?: number;
  style?: string;
}

/** Every paragraph of the body in document order, with its w:pStyle and w:numPr. */
function readParagraphs(xml: string): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  const stack: Array<Paragraph | null> = [];
  // Names of open elements, to read only a paragraph's own w:pPr (not one inside w:pPrChange).
  const open: string[] = [];
  for (const tag of tags(xml)) {
    if (tag.close) {
      const at = open.lastIndexOf(tag.name);
      if (at >= 0) open.length = at;
      if (tag.name === 'w:p') stack.pop();
      continue;
    }
    if (tag.name === 'w:p') {
      const paragraph: Paragraph = {};
      paragraphs.push(paragraph);
      if (!tag.selfClosing) {
        stack.push(paragraph);
        open.push(tag.name);
      }
      continue;
    }
    const paragraph = stack.at(-1);
    const parent = open.at(-1);
    const grand = open.at(-2);
    const great = open.at(-3);
    if (paragraph && !tag.selfClosing) open.push(tag.name);
    if (!paragraph) {
      if (!tag.selfClosing) open.push(tag.name);
      continue;
    }
    const value = attribute(tag.attributes, 'w:val');
    if (tag.name === 'w:pStyle' && parent === 'w:pPr' && grand === 'w:p' && value !== undefined) {
      paragraph.style = value;
    } else if (parent === 'w:numPr' && grand === 'w:pPr' && great === 'w:p') {
      if (tag.name === 'w:numId' && value !== undefined) paragraph.numId = value;
      if (tag.name === 'w:ilvl') {
        const ilvl = integer(value);
        if (ilvl !== undefined) paragraph.ilvl = ilvl;
      }
    }
  }
  return paragraphs;
}

/**
 * The number Word shows for each numbered paragraph of the body, in document order (the order
 * mammoth meets numbered paragraphs in). Paragraphs without numbering are left out.
 */
export function wordNumbers(
  documentXml: string,
  numberingXml: string,
  stylesXml: string | null,
): WordNumber[] {
  const { abstracts, nums } = readNumbering(numberingXml);
  const styles = readStyles(stylesXml);
  const styleLevels = new Map<string, { abstractId: string; ilvl: number }>();
  for (const [abstractId, abstract] of abstracts) {
    for (const [ilvl, level] of abstract.levels) {
      if (level.style !== undefined) styleLevels.set(level.style, { abstractId, ilvl });
    }
  }
  const styleNumbering = (id: string | undefined): StyleNumbering => {
    const seen = new Set<string>();
    let at = id;
    let found: StyleNumbering = {};
    while (at !== undefined && !seen.has(at)) {
      seen.add(at);
      const style = styles.get(at);
      if (!style) break;
      found = { ...style, ...found };
      at = style.basedOn;
    }
    return found;
  };
  const resolveAbstract = (abstractId: string): AbstractNum | undefined => {
    const seen = new Set<string>();
    let id = abstractId;
    for (;;) {
      const abstract = abstracts.get(id);
      if (abstract?.styleLink === undefined || seen.has(id)) return abstract;
      seen.add(id);
      const linked = styleNumbering(abstract.styleLink).numId;
      const num = linked === undefined ? undefined : nums.get(linked);
      if (!num) return abstract;
      id = num.abstractId;
    }
  };

  const counters = new Map<string, Array<number | undefined>>();
  const out: WordNumber[] = [];
  for (const paragraph of readParagraphs(documentXml)) {
    const fromStyle = styleNumbering(paragraph.style);
    const numId = paragraph.numId ?? fromStyle.numId;
    let ilvl = paragraph.ilvl ?? fromStyle.ilvl ?? 0;
    let num = numId === undefined ? undefined : nums.get(numId);
    let abstractId = num?.abstractId;
    if (numId === '0') continue;
    if (!num && paragraph.style !== undefined) {
      // A level of a definition tied to the paragraph's style (w:lvl/w:pStyle).
      const tied = styleLevels.get(paragraph.style);
      if (!tied) continue;
      abstractId = tied.abstractId;
      ilvl = paragraph.ilvl ?? tied.ilvl;
      num = { abstractId, starts: new Map(), levels: new Map() };
    }
    if (!num || abstractId === undefined) continue;
    const abstract = resolveAbstract(abstractId);
    const levelOf = (at: number): Level | undefined =>
      num.levels.get(at) ?? abstract?.levels.get(at);
    const level = levelOf(ilvl);
    if (!level) continue;
    const own = num.starts.size > 0 || num.levels.size > 0;
    const key = own ? `num:${numId ?? ''}` : `abstract:${abstractId}`;
    const values = counters.get(key) ?? [];
    counters.set(key, values);
    const startOf = (at: number): number => num.starts.get(at) ?? levelOf(at)?.start ?? 0;
    values[ilvl] = values[ilvl] === undefined ? startOf(ilvl) : (values[ilvl] ?? 0) + 1;
    for (let deeper = ilvl + 1; deeper < 9; deeper++) {
      const restart = levelOf(deeper)?.restart;
      // Restarted by this level unless it never restarts or waits for a higher level still.
      if (restart === 0 || (restart !== undefined && restart - 1 < ilvl)) continue;
      values[deeper] = undefined;
    }
    if (level.format === 'bullet') {
      out.push({ label: level.text, bullet: true, level: ilvl });
      continue;
    }
    const label = level.text.replace(/%([1-9])/g, (_m, digit: string) => {
      const at = Number(digit) - 1;
      return formatNumber(values[at] ?? startOf(at), levelOf(at)?.format ?? 'decimal');
    });
    out.push({ label: label.trim(), bullet: false, level: ilvl });
  }
  return out;
}
