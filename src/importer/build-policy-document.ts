import { CountersignError } from '../domain/errors.ts';
import type { ApprovalBlock, Consent, PolicyDocument } from '../domain/policy-document.ts';
import { policyDocumentSchema, UNPLACED_SECTION_HEADING } from '../domain/policy-document.ts';
import { extractAudienceNote, standaloneAudienceNote } from './audience-note.ts';
import {
  APPROVAL_WORDING,
  approvalLabel,
  consentKeyFor,
  DECLARATION_WORDING,
  isConsentLabel,
  isDeclarationLabel,
  namingLine,
  partyFromField,
} from './block-signals.ts';
import type { Party } from './block-signals.ts';
import type { ReportCollector } from './import-report.ts';
import { isLinkLine } from './links.ts';
import type { CleanLine, MarkerKind } from './source-line.ts';
import { endsMidPhrase, endsSentence, startsLowerCase, titleCaseRatio } from './words.ts';

type Kind = MarkerKind | 'none';

interface ClauseDraft {
  number?: string;
  text: string;
  items: string[];
  lineNo: number;
  indent: number;
  kind: Kind;
  /** Where the items sit, once there are any. */
  list?: { indent: number; kind: Kind };
  /** Its text runs over more than one line. */
  wrapped?: boolean;
  /** The printed number or letter of its last numbered sub-item. */
  lastItemLabel?: string;
}

interface SectionDraft {
  heading: string;
  lineNo: number;
  clauses: ClauseDraft[];
  /** Headed like a consent block ("Photograph consent"): its consents are lifted out. */
  consent?: boolean;
}

/** The signer's own consent ("I give permission…", "I (do not) consent to…"). */
const CONSENT_STATEMENT = /^I (?:do not |don['’]t )?(?:give|grant|consent|agree to the school)\b/i;

/**
 * Adds a consent; the negative form of the one before ("I do not give consent…") is its other
 * answer, kept with it rather than made a second consent.
 */
function addConsent(consents: Consent[], key: string, text: string): void {
  const last = consents.at(-1);
  if (last && last.key.startsWith(key) && /\b(?:do not|don['’]t|not)\b/i.test(text)) {
    last.text = `${last.text} / ${text}`;
    return;
  }
  let unique = key;
  for (let n = 2; consents.some((c) => c.key === unique); n++) unique = `${key}-${n}`;
  consents.push({ key: unique, text });
}

const FALLBACK_TITLE = 'Acceptable Use Policy';
const TITLE_WORDS =
  /\b(?:acceptable use|aup|polic(?:y|ies)|agreement|code of conduct|charter|rules|guidelines|protocol)\b/i;
/** Headings that open a body, never a document's title. */
const GENERIC_HEADINGS =
  /^(?:introduction|contents|purpose|scope|background|overview|summary|agreement|declaration|aims?|rationale|definitions|what is an? .*)$/i;
const MAX_HEADING_WORDS = 12;
const MAX_HEADING_CHARS = 100;
/** A clause that ends like this announces sub-items. */
const EXPECTS_ITEMS =
  /(?::|\be\.g\.?|\bi\.e\.?|\bsuch as|\bincluding|\bby|\bas follows|\bthe following|\bbelow)\s*:?$/i;

function kindOf(line: CleanLine): Kind {
  return line.marker?.kind ?? 'none';
}

function isAllCaps(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, '');
  return letters.length >= 2 && letters === letters.toUpperCase();
}

function nextText(lines: readonly CleanLine[], from: number, end: number): CleanLine | undefined {
  for (let i = from; i < end; i++) {
    const line = lines[i];
    if (line?.kind === 'text') return line;
  }
  return undefined;
}

function looksLikeTitle(line: CleanLine): boolean {
  const words = line.text.split(/\s+/).length;
  return (
    line.kind === 'text' &&
    (line.marker === undefined || line.headingLevel !== undefined) &&
    words <= 16 &&
    !/[.,;?:]$/.test(line.text) &&
    !/^I\b/.test(line.text) &&
    !GENERIC_HEADINGS.test(line.text) &&
    (line.headingLevel === 1 || TITLE_WORDS.test(line.text))
  );
}

/** A short line that can stand before the title: the school's name. */
function isTitlePrefix(line: CleanLine): boolean {
  return (
    line.kind === 'text' &&
    line.marker === undefined &&
    line.text.split(/\s+/).length <= 8 &&
    !/[.,;:?]$/.test(line.text) &&
    !/^I\b/.test(line.text) &&
    !GENERIC_HEADINGS.test(line.text) &&
    titleCaseRatio(line.text) >= 0.6
  );
}

/**
 * The width a hard-wrapped text (a PDF or e-mail export) was wrapped at, if it was: most long
 * lines then end near the same column. Undefined for text with one paragraph per line.
 */
function wrapWidth(lines: readonly CleanLine[]): number | undefined {
  const widths = lines
    .filter((l) => l.kind === 'text' && !l.hard)
    .map((l) => l.width)
    .sort((a, b) => a - b);
  if (widths.length < 8) return undefined;
  const width = widths[Math.floor(widths.length * 0.9)] ?? 0;
  if (width > 130 || width < 40) return undefined;
  const near = widths.filter((w) => w >= width * 0.85 && w <= width * 1.05).length;
  return near >= widths.length * 0.3 ? width : undefined;
}

/** A heading of the body: short, not a sentence, shaped like a heading. */
function isHeading(line: CleanLine, next: CleanLine | undefined): boolean {
  if (line.headingLevel !== undefined) return true;
  if (isLinkLine(line.text)) return false;
  if (next === undefined || line.kind !== 'text') return false;
  const { text, marker } = line;
  if (marker && marker.kind !== 'number') return false;
  const words = text.split(/\s+/).length;
  // "For my professional and personal safety:" over bullets that are sentences of their own.
  const leadsStatements =
    text.endsWith(':') && next.marker?.kind === 'bullet' && /^I\b/.test(next.text);
  const maxWords = leadsStatements ? MAX_HEADING_WORDS + 4 : MAX_HEADING_WORDS;
  if (words > maxWords || text.length > MAX_HEADING_CHARS + 20) return false;
  if (line.indent >= 4 && !line.bold) return false;
  if (/^I\b/.test(text) || /[.,;]$/.test(text) || /^\(.*\)$/.test(text)) return false;
  // A link is lower-case but never carries a heading's words on.
  const nextIsLink = next.marker === undefined && isLinkLine(next.text);
  const nextCarriesOn = startsLowerCase(next.text) && next.marker === undefined && !nextIsLink;
  if (marker?.kind === 'number') {
    if (words > 8 || nextCarriesOn || /[:?]$/.test(text)) return false;
    // "2. Use of school systems" over "2.1 …", or a Title Case "1. Introduction".
    const subNumbered =
      next.marker?.kind === 'number' && next.marker.label.startsWith(`${marker.label}.`);
    return subNumbered || titleCaseRatio(text) >= 0.75;
  }
  if (line.bold) return !nextCarriesOn;
  if (text.endsWith('?')) return true;
  if (text.endsWith(':')) {
    // A lead-in to lower-case items ("…is intended to ensure:" / "• that staff…") is a clause.
    if (startsLowerCase(next.text)) return false;
    return (
      (next.marker === undefined && words <= MAX_HEADING_WORDS) ||
      leadsStatements ||
      titleCaseRatio(text) >= 0.6
    );
  }
  if (words > MAX_HEADING_WORDS || text.length > MAX_HEADING_CHARS) return false;
  if (nextCarriesOn || startsLowerCase(text)) return false;
  if (titleCaseRatio(text) >= 0.6 || isAllCaps(text)) return true;
  // Sentence case ("Using the network"): short, and what follows reads as body text.
  return words <= 8 && (next.marker !== undefined || endsSentence(next.text) || nextIsLink);
}

/** Whether a line carries on the text of the clause or item before it (a wrapped line). */
function continues(
  line: CleanLine,
  previous: CleanLine | undefined,
  clause: ClauseDraft | undefined,
  onItem: boolean,
  wrap: number | undefined,
  headingShaped: () => boolean,
): boolean {
  if (!clause || !previous || previous.kind !== 'text') return false;
  if (line.marker || line.headingLevel !== undefined) return false;
  const before = onItem ? (clause.items.at(-1) ?? clause.text) : clause.text;
  if (endsSentence(before)) return false;
  const lower = startsLowerCase(line.text);
  // Word paragraphs stand apart, except one cut mid-sentence (a document converted from PDF).
  if (line.hard || previous.hard) return lower && !previous.marker && !line.bold;
  const midPhrase = endsMidPhrase(before);
  // Across a page break the text carries on where it stopped: a clause cut short by the page's
  // header and footer goes on after them, whatever the new page's indentation, unless what
  // follows is a heading or a new "I will…" statement.
  if (
    line.pageBreak === true &&
    (lower || midPhrase || (!/^I\b/.test(line.text) && !headingShaped()))
  ) {
    return true;
  }
  if (line.blankBefore && !(lower && midPhrase)) return false;
  // A lower-case line level with the items before it starts an item whose bullet was lost.
  if (onItem && clause.list?.kind === 'none' && line.indent === clause.list.indent && !midPhrase) {
    return false;
  }
  if (lower || midPhrase) return true;
  // Hard-wrapped text: a line that ran to the margin carries on even before a capital.
  return (
    wrap !== undefined &&
    previous.width >= wrap * 0.85 &&
    !line.blankBefore &&
    !/^I\b/.test(line.text) &&
    line.indent <= previous.indent + 4
  );
}

function resolveKind(line: CleanLine, lastLetter: string | undefined): Kind {
  const kind = kindOf(line);
  // "i", "v", "x" after "h", "u", "w" are letters, not Roman numerals.
  if (kind === 'roman' && line.marker && line.marker.label.length === 1 && lastLetter) {
    const expected = String.fromCharCode(lastLetter.charCodeAt(0) + 1);
    if (expected === line.marker.label) return 'letter';
  }
  return kind;
}

/** The number or letter that follows a label: "9" → "10", "2.4" → "2.5", "b" → "c". */
function successor(label: string): string | undefined {
  const number = /^(.*?)(\d+)$/.exec(label);
  if (number) return `${number[1] ?? ''}${Number(number[2]) + 1}`;
  if (/^[a-y]$/i.test(label)) return String.fromCharCode(label.charCodeAt(0) + 1);
  return undefined;
}

function isItemOf(line: CleanLine, kind: Kind, clause: ClauseDraft): boolean {
  const deeper = line.indent > clause.indent;
  if (clause.list) {
    const sameAsItems =
      kind === clause.list.kind &&
      (kind === 'none'
        ? line.indent === clause.list.indent
        : deeper || kind !== clause.kind || line.indent >= clause.list.indent);
    if (sameAsItems) return true;
  }
  if (kind === clause.kind && !deeper) return false;
  const expects = EXPECTS_ITEMS.test(clause.text);
  const lower = startsLowerCase(line.text);
  switch (kind) {
    case 'letter':
    case 'roman':
      return clause.kind !== kind && (expects || deeper || clause.kind === 'number');
    case 'bullet':
      return clause.kind === 'bullet' ? deeper : expects || deeper || lower;
    case 'number': {
      const label = line.marker?.label ?? '';
      // The next number after the clause's own is the next clause, however far a page break
      // indented it ("   11." after "10."), unless it also carries on the clause's own items.
      const nextClause = clause.number !== undefined && label === successor(clause.number);
      const nextItem =
        clause.lastItemLabel !== undefined && label === successor(clause.lastItemLabel);
      if (nextClause && !nextItem) return false;
      // "4.2" under "4" is a clause of its own; a plain number nested deeper is a sub-item.
      return deeper && !label.includes('.');
    }
    case 'none':
      return (deeper && (expects || lower)) || (expects && lower);
  }
}

/** Adds a line's words to a clause, or to its last sub-item. */
function appendTo(clause: ClauseDraft, onItem: boolean, text: string): void {
  if (onItem && clause.items.length > 0) {
    clause.items[clause.items.length - 1] = `${clause.items.at(-1) ?? ''} ${text}`;
  } else {
    clause.text = `${clause.text} ${text}`;
    clause.wrapped = true;
  }
}

/**
 * Final clauses of a section, with audience notes read: on a clause itself, standing alone before
 * the clauses they restrict, or on the section's heading.
 */
function finishSection(
  draft: SectionDraft,
  report: ReportCollector,
  lines: number[] = [],
): PolicyDocument['sections'][number] {
  let heading = draft.heading;
  let sectionAudience: string[] | undefined;
  const headingNote = extractAudienceNote(heading);
  if (headingNote) {
    report.remove('audience-note', draft.lineNo, headingNote.note);
    heading = headingNote.text;
    sectionAudience = headingNote.audience;
  } else {
    sectionAudience = standaloneAudienceNote(heading) ?? undefined;
  }
  const clauses: PolicyDocument['sections'][number]['clauses'] = [];
  for (const clause of draft.clauses) {
    const alone = clause.items.length === 0 && clause.wrapped !== true;
    const standalone = alone ? standaloneAudienceNote(clause.text) : null;
    if (standalone) {
      report.remove('audience-note', clause.lineNo, clause.text);
      sectionAudience = standalone;
      continue;
    }
    const note = extractAudienceNote(clause.text);
    if (note) report.remove('audience-note', clause.lineNo, note.note);
    const audience = note?.audience ?? sectionAudience;
    lines.push(clause.lineNo);
    clauses.push({
      ...(clause.number === undefined ? {} : { number: clause.number }),
      text: note ? note.text : clause.text,
      ...(audience ? { audience } : {}),
      items: clause.items,
    });
  }
  return { heading, clauses };
}

/** A new list of lines, kept in `all`. */
function lineList(all: number[][]): number[] {
  const lines: number[] = [];
  all.push(lines);
  return lines;
}

/**
 * A declaration's label near the top ("Staff ICT Agreement Form" as a heading) with the whole
 * policy after it is not where the declaration begins.
 */
function bodyFollows(textAfter: readonly number[], at: number): boolean {
  const after = textAfter[at] ?? 0;
  return after > 12 && after > (textAfter[0] ?? 0) * 0.4;
}

interface Tail {
  start: number;
  /** The tail starts with a declaration that has no label of its own. */
  unlabelled: boolean;
}

/** Where the declaration and approval blocks begin: everything before is the policy's body. */
function findTail(lines: readonly CleanLine[], start: number): Tail {
  // textAfter[i]: how many text lines there are from i to the end.
  const textAfter = new Array<number>(lines.length + 1).fill(0);
  for (let i = lines.length - 1; i >= 0; i--) {
    textAfter[i] = (textAfter[i + 1] ?? 0) + (lines[i]?.kind === 'text' ? 1 : 0);
  }
  for (let i = start; i < lines.length; i++) {
    const line = lines[i];
    if (line?.kind !== 'text' || line.marker) continue;
    if (isDeclarationLabel(line.text) && !bodyFollows(textAfter, i)) {
      return { start: i, unlabelled: false };
    }
    // An approval block at the very top is the policy's own sign-off, handled in the body.
    const approval = approvalLabel(line.text);
    const opensApproval = (approval && !approval.inline) || APPROVAL_WORDING.test(line.text);
    if (i - start > 5 && opensApproval && !bodyFollows(textAfter, i)) {
      return { start: i, unlabelled: false };
    }
  }
  // No label: the last paragraph in a declaration's words, followed closely by a signature line.
  for (let i = lines.length - 1; i >= start; i--) {
    const line = lines[i];
    if (line?.kind !== 'text' || !DECLARATION_WORDING.test(line.text)) continue;
    const after = lines.slice(i + 1, i + 4);
    if (!after.some((l) => l.kind === 'form')) continue;
    let first = i;
    while (first > start) {
      const previous = lines[first - 1];
      const current = lines[first];
      if (!previous || !current || previous.kind !== 'text' || current.blankBefore) break;
      if (current.marker || endsSentence(previous.text)) break;
      first--;
    }
    return { start: first, unlabelled: true };
  }
  return { start: lines.length, unlabelled: false };
}

interface TailResult {
  declaration: string;
  approval: ApprovalBlock | null;
  unplaced: ClauseDraft[];
}

/** A line of the tail, or several wrapped lines joined. */
type Paragraph = CleanLine & { merged?: boolean };

function isBlockLabel(text: string): boolean {
  return isDeclarationLabel(text) || approvalLabel(text) !== null || isConsentLabel(text);
}

/** Joins a tail's wrapped lines into paragraphs (form lines and block labels stand alone). */
function paragraphs(lines: readonly CleanLine[]): Paragraph[] {
  const out: Paragraph[] = [];
  for (const line of lines) {
    const previous = out.at(-1);
    if (
      previous?.kind === 'text' &&
      line.kind === 'text' &&
      !line.blankBefore &&
      !line.hard &&
      !line.marker &&
      !endsSentence(previous.text) &&
      (startsLowerCase(line.text) || endsMidPhrase(previous.text)) &&
      !isBlockLabel(previous.text)
    ) {
      out[out.length - 1] = { ...previous, text: `${previous.text} ${line.text}`, merged: true };
    } else {
      out.push(line);
    }
  }
  return out;
}

/** Past the body there are no clauses to number: a number stays in the text, as printed. */
function withPrintedNumber(line: Paragraph): Paragraph {
  const { marker } = line;
  if (!marker || marker.kind === 'bullet') return line;
  const label =
    marker.kind === 'number'
      ? marker.label.includes('.')
        ? marker.label
        : `${marker.label}.`
      : `${marker.label})`;
  return { ...line, text: `${label} ${line.text}` };
}

function mergeParty(into: Party, from: Party): void {
  if (from.name !== undefined) into.name = from.name;
  if (from.role !== undefined) into.role = from.role;
}

function readTail(
  lines: readonly CleanLine[],
  unlabelled: boolean,
  consents: Consent[],
  report: ReportCollector,
): TailResult {
  let state: 'declaration' | 'approval' | 'consent' | 'none' = unlabelled ? 'declaration' : 'none';
  const declaration: string[] = [];
  let formAfterDeclaration = false;
  const unplaced: ClauseDraft[] = [];
  let approval: { statement: string[]; party: Party; label?: CleanLine } | null = null;

  const unplace = (line: CleanLine): void => {
    unplaced.push({ text: line.text, items: [], lineNo: line.lineNo, indent: 0, kind: 'none' });
  };

  for (const paragraph of paragraphs(lines)) {
    const line = withPrintedNumber(paragraph);
    if (line.kind === 'form') {
      if (state === 'declaration' && declaration.length > 0) formAfterDeclaration = true;
      if (state === 'approval' && approval) {
        for (const field of line.fields ?? []) {
          mergeParty(approval.party, partyFromField(field.label, field.value));
        }
      }
      continue;
    }
    const { text } = line;
    if (isDeclarationLabel(text)) {
      report.remove('block-label', line.lineNo, text);
      state = 'declaration';
      continue;
    }
    const label = approvalLabel(text);
    if (label) {
      state = 'approval';
      if (approval) report.remove('block-label', line.lineNo, text);
      else approval = { statement: [], party: {}, label: line };
      mergeParty(approval.party, label.party);
      continue;
    }
    const consentKey = consentKeyFor(text);
    if (consentKey && state !== 'approval') {
      addConsent(consents, consentKey, text);
      continue;
    }
    if (isConsentLabel(text)) {
      report.remove('block-label', line.lineNo, text);
      state = 'consent';
      continue;
    }
    if (APPROVAL_WORDING.test(text)) {
      state = 'approval';
      approval ??= { statement: [], party: {} };
    }
    switch (state) {
      case 'declaration':
        if (formAfterDeclaration) unplace(line);
        else declaration.push(text);
        break;
      case 'approval': {
        const party = line.merged ? {} : namingLine(text);
        if (approval && (party.name !== undefined || party.role !== undefined)) {
          report.remove('block-label', line.lineNo, text);
          mergeParty(approval.party, party);
        } else {
          approval?.statement.push(text);
        }
        break;
      }
      case 'consent':
        addConsent(consents, consentKeyFor(text) ?? 'consent', text);
        break;
      case 'none':
        unplace(line);
        break;
    }
  }

  let block: ApprovalBlock | null = null;
  if (approval) {
    const { label } = approval;
    if (approval.statement.length > 0 && label) {
      report.remove('block-label', label.lineNo, label.text);
    }
    const statement = approval.statement.join('\n') || label?.text || 'Approved';
    block = {
      statement,
      ...(approval.party.name === undefined ? {} : { approverName: approval.party.name }),
      ...(approval.party.role === undefined ? {} : { approverRole: approval.party.role }),
    };
  }
  return { declaration: declaration.join('\n'), approval: block, unplaced };
}

/**
 * Builds the PolicyDocument from cleaned lines: the title, the body's sections and clauses (with
 * their sub-items and audience notes), then the declaration, consents and approval at the end.
 * Text that fits nowhere goes to the "Unplaced" section, never away.
 */
export function buildPolicyDocument(
  lines: readonly CleanLine[],
  report: ReportCollector,
): PolicyDocument {
  let start = 0;
  while (lines[start]?.kind === 'form') start++;
  const first = lines[start];
  let title = FALLBACK_TITLE;
  const second = nextText(lines, start + 1, lines.length);
  if (first && looksLikeTitle(first)) {
    title = first.text;
    start++;
  } else if (first && second && isTitlePrefix(first) && looksLikeTitle(second)) {
    // The school's name above the policy's title.
    title = `${first.text} – ${second.text}`;
    start = lines.indexOf(second) + 1;
  } else {
    report.warn(
      `no title line was found: "${FALLBACK_TITLE}" is used, change it before publishing`,
    );
  }

  const { start: tail, unlabelled } = findTail(lines, start);
  const sections: SectionDraft[] = [{ heading: '', lineNo: first?.lineNo ?? 1, clauses: [] }];
  let bodyApproval: { statement: string; party: Party; lineNo: number } | null = null;
  const consents: Consent[] = [];
  let previous: CleanLine | undefined;
  let onItem = false;
  let lastLetter: string | undefined;
  const wrap = wrapWidth(lines.slice(start, tail));
  /** After a link line: whether the clause's words before the link were unfinished. */
  let afterLink: boolean | null = null;
  let headingLine: CleanLine | undefined;

  for (let i = start; i < tail; i++) {
    const line = lines[i];
    if (!line) continue;
    const section = sections[sections.length - 1] ?? { heading: '', lineNo: 1, clauses: [] };
    const clause = section.clauses.at(-1);
    if (line.kind === 'form') {
      previous = line;
      continue;
    }
    const approved = approvalLabel(line.text);
    if (
      approved &&
      !bodyApproval &&
      /^(?:approved|authori[sz]ed|ratified|adopted|signed off)/i.test(line.text)
    ) {
      bodyApproval = { statement: line.text, party: approved.party, lineNo: line.lineNo };
      previous = line;
      continue;
    }
    if (section.consent && (CONSENT_STATEMENT.test(line.text) || consentKeyFor(line.text))) {
      addConsent(consents, consentKeyFor(line.text) ?? 'consent', line.text);
      previous = undefined;
      continue;
    }
    // A link on a line of its own belongs to the clause before it (never a heading), and what
    // follows it carries on that clause when the words before the link had not finished.
    const linkLine = !line.marker && line.headingLevel === undefined && isLinkLine(line.text);
    if (clause && !line.marker && line.headingLevel === undefined && previous?.kind === 'text') {
      if (linkLine && !isLinkLine(clause.text) && previous !== headingLine) {
        const before = onItem ? (clause.items.at(-1) ?? clause.text) : clause.text;
        afterLink = !endsSentence(before);
        appendTo(clause, onItem, line.text);
        previous = line;
        continue;
      }
      if (afterLink !== null && (afterLink || startsLowerCase(line.text)) && !linkLine) {
        appendTo(clause, onItem, line.text);
        afterLink = null;
        previous = line;
        continue;
      }
    }
    afterLink = null;
    // A list of links stays a list: one clause each.
    const headingShaped = (): boolean => isHeading(line, nextText(lines, i + 1, tail));
    if (!linkLine && continues(line, previous, clause, onItem, wrap, headingShaped) && clause) {
      if (onItem)
        clause.items[clause.items.length - 1] = `${clause.items.at(-1) ?? ''} ${line.text}`;
      else {
        clause.text = `${clause.text} ${line.text}`;
        clause.wrapped = true;
      }
      previous = line;
      continue;
    }
    if (isHeading(line, nextText(lines, i + 1, tail))) {
      const heading = line.marker ? `${line.marker.label}. ${line.text}` : line.text;
      headingLine = line;
      sections.push({
        heading: heading.replace(/:$/, ''),
        lineNo: line.lineNo,
        clauses: [],
        ...(isConsentLabel(line.text) ? { consent: true } : {}),
      });
      previous = line;
      onItem = false;
      continue;
    }
    const kind = resolveKind(line, lastLetter);
    if (kind === 'letter' && line.marker) lastLetter = line.marker.label.toLowerCase();
    if (clause && isItemOf(line, kind, clause)) {
      clause.items.push(line.text);
      clause.list ??= { indent: line.indent, kind };
      if (line.marker && line.marker.kind !== 'bullet') clause.lastItemLabel = line.marker.label;
      onItem = true;
    } else {
      section.clauses.push({
        ...(line.marker && line.marker.kind !== 'bullet' ? { number: line.marker.label } : {}),
        text: line.text,
        items: [],
        lineNo: line.lineNo,
        indent: line.indent,
        kind,
      });
      onItem = false;
    }
    previous = line;
  }

  const end = readTail(lines.slice(tail), unlabelled, consents, report);
  if (end.declaration === '') {
    report.warn('no declaration was found: write the statement people sign before publishing');
  }
  let approval = end.approval;
  if (bodyApproval && approval) {
    // Two sign-offs: the approver's block at the end is the one people's signatures go to.
    report.remove('block-label', bodyApproval.lineNo, bodyApproval.statement);
    report.warn(
      `"${bodyApproval.statement}" was left out: the approval block at the end is used instead`,
      bodyApproval.lineNo,
    );
  } else if (bodyApproval) {
    approval = {
      statement: bodyApproval.statement,
      ...(bodyApproval.party.name === undefined ? {} : { approverName: bodyApproval.party.name }),
      ...(bodyApproval.party.role === undefined ? {} : { approverRole: bodyApproval.party.role }),
    };
  }

  // Each kept clause's first line, by section, for the report's places.
  const placed: number[][] = [];
  const built = sections
    .filter((s) => {
      if (s.clauses.length > 0) return true;
      // A consent block's heading, its consents lifted out into document.consents.
      if (s.consent) report.remove('block-label', s.lineNo, s.heading);
      return s.heading !== '' && !s.consent;
    })
    .map((s) => finishSection(s, report, lineList(placed)));
  if (end.unplaced.length > 0) {
    report.warn(
      `${end.unplaced.length} paragraph(s) could not be placed: see the "${UNPLACED_SECTION_HEADING}" section`,
    );
    built.push(
      finishSection(
        { heading: UNPLACED_SECTION_HEADING, lineNo: 1, clauses: end.unplaced },
        report,
        lineList(placed),
      ),
    );
  }
  placed.forEach((lines, s) => lines.forEach((line, c) => report.place(s, c, line)));
  const document = {
    title,
    sections: built,
    declaration: end.declaration,
    consents,
    approval,
  };
  const checked = policyDocumentSchema.safeParse(document);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new CountersignError(
      'validation',
      `the document does not fit a policy (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`,
      {
        issues: checked.error.issues.slice(0, 5).map((i) => ({ path: i.path, message: i.message })),
      },
    );
  }
  return checked.data;
}
