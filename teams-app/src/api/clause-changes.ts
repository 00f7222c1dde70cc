import type { Clause, PolicyDiff } from './api-types.ts';

/**
 * The domain's clause-level diff (src/domain/policy-diff.ts), flattened for the views: each
 * clause added, removed or reworded, with its wording before and after.
 */
export type ClauseChangeKind = 'added' | 'removed' | 'reworded';

export interface ClauseChange {
  kind: ClauseChangeKind;
  /** The clause number as printed in the newer version (or the older, when removed). */
  number?: string;
  section: string;
  /** The newer wording, sub-items included (absent when removed). */
  text?: string;
  /** The older wording (absent when added). */
  previousText?: string;
}

interface DiffClauseLike {
  sectionHeading: string;
  number?: string;
  text: string;
  items: string[];
}

function wording(clause: { text: string; items: readonly string[] }): string {
  return [clause.text, ...clause.items].join(' ');
}

function numbered(clause: DiffClauseLike): { number?: string } {
  return clause.number === undefined ? {} : { number: clause.number };
}

export function readClauseChanges(diff: PolicyDiff): ClauseChange[] {
  return [
    ...diff.added.map((c): ClauseChange => ({
      kind: 'added',
      ...numbered(c),
      section: c.sectionHeading,
      text: wording(c),
    })),
    ...diff.reworded.map((r): ClauseChange => ({
      kind: 'reworded',
      ...numbered(r.after),
      section: r.after.sectionHeading,
      text: wording(r.after),
      previousText: wording(r.before),
    })),
    ...diff.removed.map((c): ClauseChange => ({
      kind: 'removed',
      ...numbered(c),
      section: c.sectionHeading,
      previousText: wording(c),
    })),
  ];
}

/** The diff's own normalisation (white space, composition), so its text matches the document's. */
function normalise(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** Which change (if any) a clause of the current document is: matched on its wording. */
export function changeForClause(
  clause: Clause,
  changes: readonly ClauseChange[],
): ClauseChange | undefined {
  const own = normalise(wording(clause));
  return changes.find((change) => change.text !== undefined && normalise(change.text) === own);
}
