import type { DiffClause, PolicyDiff } from '../../domain/policy-diff.ts';

/** One line of "what changed since you signed", as a card lists it. */
export interface PolicyChangeLine {
  kind: 'added' | 'removed' | 'reworded' | 'other';
  /** "Clause 4.2" or the section heading for unnumbered clauses. */
  where?: string;
  text: string;
}

function where(clause: DiffClause): string | undefined {
  if (clause.number !== undefined) return `Clause ${clause.number}`;
  return clause.sectionHeading === '' ? undefined : clause.sectionHeading;
}

function clauseText(clause: DiffClause): string {
  return clause.items.length === 0 ? clause.text : `${clause.text} ${clause.items.join('; ')}`;
}

function line(kind: PolicyChangeLine['kind'], clause: DiffClause): PolicyChangeLine {
  const at = where(clause);
  return at === undefined
    ? { kind, text: clauseText(clause) }
    : { kind, where: at, text: clauseText(clause) };
}

/** The parts of a PolicyDiff a card lists. */
export type ListedDiff = Pick<
  PolicyDiff,
  'added' | 'removed' | 'reworded' | 'audienceChanged' | 'declaration' | 'consents'
>;

/** The changes a signer should read, most important first: new and reworded clauses, then the rest. */
export function policyChangeLines(diff: ListedDiff): PolicyChangeLine[] {
  const lines: PolicyChangeLine[] = [
    ...diff.added.map((c) => line('added', c)),
    ...diff.reworded.map((r) => line('reworded', r.after)),
    ...diff.removed.map((c) => line('removed', c)),
  ];
  if (diff.declaration !== null) {
    lines.push({ kind: 'other', where: 'Declaration', text: diff.declaration.after });
  }
  for (const consent of diff.consents.added) {
    lines.push({ kind: 'added', where: 'Consent', text: consent.text });
  }
  for (const consent of diff.consents.reworded) {
    lines.push({ kind: 'reworded', where: 'Consent', text: consent.after });
  }
  for (const consent of diff.consents.removed) {
    lines.push({ kind: 'removed', where: 'Consent', text: consent.text });
  }
  for (const change of diff.audienceChanged) {
    lines.push({ ...line('other', change.after), kind: 'other' });
  }
  return lines;
}
