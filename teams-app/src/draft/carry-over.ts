import type { PolicyDocument } from '../api/api-types.ts';

export interface CarriedOver {
  document: PolicyDocument;
  /** Keys of the current version's consents added to the imported document. */
  consents: string[];
  /** The current version's approval block was kept (the import had none). */
  approval: boolean;
}

/**
 * A document imported as a new version of a policy keeps the current version's consents and
 * approval block unless the admin removes them: a Word file that leaves out the photograph
 * consent, or the head's sign-off, should not quietly stop asking for them. Consents the import
 * has (by key) are the import's; the rest are added after them.
 */
export function carryOver(
  imported: PolicyDocument,
  current: PolicyDocument | undefined,
): CarriedOver {
  if (current === undefined) return { document: imported, consents: [], approval: false };
  const have = new Set(imported.consents.map((c) => c.key));
  const added = current.consents.filter((c) => !have.has(c.key));
  const approval = imported.approval === null && current.approval !== null;
  return {
    document: {
      ...imported,
      consents: [...imported.consents, ...added],
      approval: approval ? current.approval : imported.approval,
    },
    consents: added.map((c) => c.key),
    approval,
  };
}
