import type { Clause, PolicyDocument } from '../api/api-types.ts';

/**
 * The draft as the editor holds it: the policy document with a stable key on each clause (so
 * focus, drag and React keep following a clause while others move round it) and, for an imported
 * draft, the source line each clause began on (so the import report's "line 33" can lead to it).
 * Neither is part of the policy: `toPolicyDocument` drops both before saving.
 */
export interface DraftClause extends Clause {
  readonly key: string;
  /** 1-based line of the imported text the clause began on, when the importer said. */
  readonly line?: number;
}

export interface DraftSection {
  readonly heading: string;
  readonly clauses: readonly DraftClause[];
}

export interface DraftDocument extends Omit<PolicyDocument, 'sections'> {
  readonly sections: readonly DraftSection[];
  /** The next clause key to hand out: keys stay unique without a clock or randomness. */
  readonly nextKey: number;
}

/** Where a clause is: its section's index and its index in that section. */
export interface ClauseRef {
  readonly section: number;
  readonly clause: number;
}

/** Where the importer found each clause of the document it returned. */
export interface ClausePlace {
  readonly section: number;
  readonly clause: number;
  readonly line: number;
}

function plainClause(clause: DraftClause): Clause {
  const out: Clause = { text: clause.text, items: [...clause.items] };
  if (clause.number !== undefined) out.number = clause.number;
  if (clause.audience !== undefined) out.audience = [...clause.audience];
  return out;
}

export function fromPolicyDocument(
  document: PolicyDocument,
  places: readonly ClausePlace[] = [],
): DraftDocument {
  let next = 1;
  const lineOf = new Map(places.map((p) => [`${p.section}:${p.clause}`, p.line]));
  const sections = document.sections.map((section, s) => ({
    heading: section.heading,
    clauses: section.clauses.map((clause, c): DraftClause => {
      const line = lineOf.get(`${s}:${c}`);
      return { ...clause, key: `c${next++}`, ...(line === undefined ? {} : { line }) };
    }),
  }));
  return {
    title: document.title,
    sections,
    declaration: document.declaration,
    consents: document.consents,
    approval: document.approval,
    nextKey: next,
  };
}

export function toPolicyDocument(draft: DraftDocument): PolicyDocument {
  return {
    title: draft.title,
    sections: draft.sections.map((s) => ({
      heading: s.heading,
      clauses: s.clauses.map(plainClause),
    })),
    declaration: draft.declaration,
    consents: [...draft.consents],
    approval: draft.approval,
  };
}

export function findClause(draft: DraftDocument, key: string): ClauseRef | undefined {
  for (const [s, section] of draft.sections.entries()) {
    const c = section.clauses.findIndex((clause) => clause.key === key);
    if (c >= 0) return { section: s, clause: c };
  }
  return undefined;
}

/**
 * The clause a line of the imported text belongs to: the one that began on the last line at or
 * before it (a clause runs on until the next begins). Follows the clause wherever it was moved.
 */
export function clauseForLine(draft: DraftDocument, line: number): string | undefined {
  let best: DraftClause | undefined;
  for (const section of draft.sections) {
    for (const clause of section.clauses) {
      if (clause.line === undefined || clause.line > line) continue;
      if (best?.line === undefined || clause.line > best.line) best = clause;
    }
  }
  return best?.key;
}
