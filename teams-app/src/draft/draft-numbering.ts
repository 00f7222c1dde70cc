import type { DraftDocument } from './draft-document.ts';

/**
 * How clause numbers follow the clauses when they move, split, merge or change level. Only
 * clauses that have a number are numbered (an unnumbered introduction stays unnumbered), and
 * the section of text the importer could not place is never counted.
 */
export type Numbering =
  /** 1, 2, 3… through the whole policy, as Word numbers a list that continues. */
  | 'continuous'
  /** 1, 2, 3… starting again in each section. */
  | 'restart'
  /** 2.1, 2.2… after the section's own number (its heading's, or its place). */
  | 'dotted'
  /** Numbers stay as typed. */
  | 'as-typed';

export const NUMBERINGS: readonly { value: Numbering; label: string }[] = [
  { value: 'continuous', label: '1, 2, 3… through the whole policy' },
  { value: 'restart', label: '1, 2, 3… again in each section' },
  { value: 'dotted', label: '1.1, 1.2… by section' },
  { value: 'as-typed', label: 'As typed (no automatic numbering)' },
];

/** The heading of the section that holds text the importer could not place. */
const UNPLACED = 'Unplaced';

function sectionNumber(heading: string, ordinal: number): string {
  return /^(\d+)[.)]?\s/.exec(heading)?.[1] ?? String(ordinal);
}

function numbersFor(draft: DraftDocument, numbering: Exclude<Numbering, 'as-typed'>): string[][] {
  let running = 0;
  let ordinal = 0;
  return draft.sections.map((section) => {
    if (section.heading === UNPLACED) return section.clauses.map((c) => c.number ?? '');
    const numbered = section.clauses.some((c) => c.number !== undefined);
    if (numbered) ordinal++;
    let inSection = 0;
    return section.clauses.map((clause) => {
      if (clause.number === undefined) return '';
      running++;
      inSection++;
      switch (numbering) {
        case 'continuous':
          return String(running);
        case 'restart':
          return String(inSection);
        case 'dotted':
          return `${sectionNumber(section.heading, ordinal)}.${inSection}`;
      }
    });
  });
}

/** Numbers the numbered clauses afresh; the same draft back when nothing changes. */
export function renumber(draft: DraftDocument, numbering: Numbering): DraftDocument {
  if (numbering === 'as-typed') return draft;
  const numbers = numbersFor(draft, numbering);
  let changed = false;
  const sections = draft.sections.map((section, s) => {
    let sectionChanged = false;
    const clauses = section.clauses.map((clause, c) => {
      const number = numbers[s]?.[c] ?? '';
      if (clause.number === undefined || number === '' || number === clause.number) return clause;
      sectionChanged = true;
      return { ...clause, number };
    });
    if (!sectionChanged) return section;
    changed = true;
    return { ...section, clauses };
  });
  return changed ? { ...draft, sections } : draft;
}

/**
 * The numbering the draft already follows, so opening a draft changes no number: the first
 * scheme that reproduces every number; otherwise continuous when every number is a whole
 * number, dotted when every number is "n.m", and as typed for anything else (letters, roman).
 */
export function detectNumbering(draft: DraftDocument): Numbering {
  const typed = draft.sections
    .filter((s) => s.heading !== UNPLACED)
    .flatMap((s) => s.clauses.flatMap((c) => (c.number === undefined ? [] : [c.number])));
  if (typed.length === 0) return 'continuous';
  for (const scheme of ['continuous', 'restart', 'dotted'] as const) {
    if (renumber(draft, scheme) === draft) return scheme;
  }
  if (typed.every((n) => /^\d+$/.test(n))) return 'continuous';
  if (typed.every((n) => /^\d+\.\d+$/.test(n))) return 'dotted';
  return 'as-typed';
}
