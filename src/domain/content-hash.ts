import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import type { AudienceKey, Clause, PolicyDocument, Section } from './policy-document.ts';

/**
 * One spelling for text that differs only in white space or Unicode composition: NFC, every run
 * of white space (spaces, tabs, newlines, no-break spaces) made one space, trimmed.
 */
export function normaliseText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

function normaliseAudience(
  audience: readonly AudienceKey[] | undefined,
): AudienceKey[] | undefined {
  if (audience === undefined) return undefined;
  // A restriction is a set: ["staff", "governors"] and ["governors", "staff"] say the same.
  return [...new Set(audience.map(normaliseText))].sort();
}

function normaliseClause(clause: Clause): Clause {
  const number = clause.number === undefined ? undefined : normaliseText(clause.number);
  const audience = normaliseAudience(clause.audience);
  return {
    ...(number === undefined || number === '' ? {} : { number }),
    text: normaliseText(clause.text),
    ...(audience === undefined ? {} : { audience }),
    items: clause.items.map(normaliseText),
  };
}

/**
 * The document with every whitespace-only and composition-only difference removed. Only the
 * fields of the schema are kept, so an extra property picked up on the way cannot change a hash.
 */
export function normaliseDocument(doc: PolicyDocument): PolicyDocument {
  return {
    title: normaliseText(doc.title),
    sections: doc.sections.map((section): Section => ({
      heading: normaliseText(section.heading),
      clauses: section.clauses.map(normaliseClause),
    })),
    declaration: normaliseText(doc.declaration),
    consents: doc.consents.map((consent) => ({
      key: consent.key,
      text: normaliseText(consent.text),
    })),
    approval:
      doc.approval === null
        ? null
        : {
            statement: normaliseText(doc.approval.statement),
            ...(doc.approval.approverName === undefined
              ? {}
              : { approverName: normaliseText(doc.approval.approverName) }),
            ...(doc.approval.approverRole === undefined
              ? {}
              : { approverRole: normaliseText(doc.approval.approverRole) }),
          },
  };
}

/**
 * What a person signs: SHA-256 (hex) of the canonical JSON of the normalised document. The same
 * whatever the key order or white space; different after any change of wording.
 */
export function contentHash(doc: PolicyDocument): string {
  return createHash('sha256')
    .update(canonicalJson(normaliseDocument(doc)), 'utf8')
    .digest('hex');
}

/** True when a clause applies to someone in at least one of these audiences. */
export function clauseAppliesTo(clause: Clause, audiences: readonly AudienceKey[]): boolean {
  return clause.audience === undefined || clause.audience.some((key) => audiences.includes(key));
}

/**
 * The document as someone in these audiences sees it: clauses restricted to other audiences are
 * dropped, and so is a section left with no clauses by that (a section that had none to begin
 * with stays, it is part of everyone's text).
 */
export function audienceView(
  doc: PolicyDocument,
  audiences: readonly AudienceKey[],
): PolicyDocument {
  const sections: Section[] = [];
  for (const section of doc.sections) {
    const clauses = section.clauses.filter((clause) => clauseAppliesTo(clause, audiences));
    if (clauses.length === 0 && section.clauses.length > 0) continue;
    sections.push({ ...section, clauses });
  }
  return { ...doc, sections };
}

/**
 * The content hash of one audience's view: a change outside it leaves this hash alone. The
 * clauses' audience markers are left out of it, so widening a clause to another audience does
 * not change the text the people who already saw it read.
 */
export function audienceContentHash(
  doc: PolicyDocument,
  audiences: readonly AudienceKey[],
): string {
  const view = audienceView(doc, audiences);
  return contentHash({
    ...view,
    sections: view.sections.map((section) => ({
      heading: section.heading,
      // canonicalJson drops undefined properties.
      clauses: section.clauses.map((clause) => ({ ...clause, audience: undefined })),
    })),
  });
}
