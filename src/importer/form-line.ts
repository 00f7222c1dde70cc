import { isDeclarationLabel } from './block-signals.ts';
import type { FormField } from './source-line.ts';

/** A fill-in blank: a run of underscores or dots. */
const BLANK = /_{3,}|\.{4,}|…{2,}/;
const BLANKS = /_{3,}|\.{4,}|…{2,}/g;
/** A value written between the underscores of a blank (two or more on each side). */
const FILLED_BLANK = /(?<=:[\t ]*)_{2,}[\t ]*([\p{L}'’.][^_\t:]*?)[\t ]*_{2,}/gu;
/** Words that make up the labels of a signature block. */
const LABEL_WORDS = new Set([
  'signature',
  'signed',
  'sign',
  'date',
  'dated',
  'name',
  'names',
  'full',
  'print',
  'printed',
  'role',
  'job',
  'title',
  'position',
  'post',
  'department',
  'class',
  'of',
  'in',
  'capitals',
  'block',
  'here',
  'staff',
  'member',
  'user',
  'employee',
  'your',
  'please',
  'and',
  'initials',
  'witness',
  'volunteer',
  'governor',
  'trustee',
  'visitor',
  'contractor',
  'number',
  'email',
  // Policy metadata: "Date approved: …", "Review date: …", "Version: …".
  'approved',
  'adopted',
  'ratified',
  'review',
  'reviewed',
  'next',
  'last',
  'updated',
  'issued',
  'version',
  'author',
]);
/** At least one of these makes a line of label words a signature block rather than a heading. */
const KEY_WORDS = new Set([
  'signature',
  'signed',
  'sign',
  'date',
  'dated',
  'name',
  'initials',
  'version',
]);
/** Longest stretch of words a form line may carry besides its blanks. */
const MAX_FORM_WORDS = 10;

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .split(/[^\p{L}]+/u)
    .filter((word) => word !== '');
}

function isLabel(text: string): boolean {
  const list = words(text);
  return list.length > 0 && list.every((word) => LABEL_WORDS.has(word));
}

function hasKeyWord(text: string): boolean {
  return words(text).some((word) => KEY_WORDS.has(word));
}

/** "Name:<tabs>Darren Rubin" → label and value; "Signature" → label only. */
function splitField(segment: string): FormField | null {
  const text = segment.trim();
  if (text === '') return null;
  const colon = text.indexOf(':');
  if (colon > 0) {
    const label = text.slice(0, colon).trim();
    const value = text
      .slice(colon + 1)
      .replace(/\s+/g, ' ')
      .trim();
    return value === '' ? { label } : { label, value };
  }
  const parts = text.split(/\t+| {2,}/).filter((part) => part.trim() !== '');
  const [first, ...rest] = parts;
  if (first !== undefined && rest.length > 0 && isLabel(first)) {
    return { label: first.trim(), value: rest.join(' ').replace(/\s+/g, ' ').trim() };
  }
  return { label: text.replace(/\s+/g, ' ') };
}

/**
 * Recognises a line of a signature block: "Signature:<tab>______", "Name: Darren Rubin____",
 * "Signature<tab>Date", "Additional permissions (e.g. admin) ____". Returns its fields, or null
 * for ordinary text (a sentence with a blank in it, "I, ______, agree…", stays text).
 */
export function parseFormLine(text: string): FormField[] | null {
  // "Name: ____Jane Smith____", "Role: __Headteacher__": the value written into the blank is
  // read as the value after the label, followed by the blank.
  const trimmed = text.trim().replace(FILLED_BLANK, (_whole, value: string) => ` ${value} ____`);
  if (trimmed === '') return null;
  if (BLANK.test(trimmed)) {
    const segments = trimmed.split(BLANKS);
    const wordCount = segments.reduce((n, s) => n + s.split(/\s+/).filter(Boolean).length, 0);
    if (wordCount > MAX_FORM_WORDS) return null;
    // A bare blank or a labelled one; a sentence ending in a blank ("I will tell ____.") is text.
    if (/[.!?]$/.test(trimmed.replace(BLANKS, '').trim())) return null;
    const fields = segments.map(splitField).filter((f): f is FormField => f !== null);
    return fields.length > 0 ? fields : [{ label: '' }];
  }
  // Labels alone, e.g. "Signature<tab>Date" or "Full Name<tab>(printed) Job title".
  if (
    !/\d/.test(trimmed) &&
    isLabel(trimmed) &&
    hasKeyWord(trimmed) &&
    words(trimmed).length <= 8 &&
    // "User Signature" heads a declaration; "Signature<tab>Date" is a form.
    !(isDeclarationLabel(trimmed) && words(trimmed).length >= 2 && !/\t| {2}/.test(trimmed))
  ) {
    return trimmed
      .split(/\t+| {2,}/)
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((label) => ({ label }));
  }
  // A filled field without a blank: "Signed: Emma Bonnin", "Date: 1 September 2024".
  const filled = /^([^:]{1,30}):\s*(\S.{0,80})$/.exec(trimmed);
  if (filled?.[1] !== undefined && filled[2] !== undefined) {
    const label = filled[1];
    const value = filled[2].replace(/\s+/g, ' ').trim();
    if (isLabel(label) && hasKeyWord(label) && !/[.!?]$/.test(value) && words(value).length <= 6) {
      return [{ label: label.trim(), value }];
    }
  }
  return null;
}
