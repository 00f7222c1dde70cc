import type { PolicyDocument } from '../policy-document.ts';

/**
 * A version's text as a person reads it: title, sections, numbered clauses and their items, the
 * declaration, the consents and the approval statement. A rendering for reading; what was signed
 * is the stored JSON beside it, whose content hash the version's signed record names.
 */
export function policyText(document: PolicyDocument): string {
  const lines: string[] = [document.title, '='.repeat(Math.min(document.title.length, 80)), ''];
  for (const section of document.sections) {
    if (section.heading !== '')
      lines.push(section.heading, '-'.repeat(Math.min(section.heading.length, 80)));
    for (const clause of section.clauses) {
      const audience = clause.audience === undefined ? '' : ` [for: ${clause.audience.join(', ')}]`;
      lines.push(
        `${clause.number === undefined ? '' : `${clause.number}. `}${clause.text}${audience}`,
      );
      for (const item of clause.items) lines.push(`    - ${item}`);
    }
    lines.push('');
  }
  if (document.declaration !== '') lines.push('Declaration', document.declaration, '');
  if (document.consents.length > 0) {
    lines.push('Consents (each answered yes or no)');
    for (const consent of document.consents) lines.push(`  [${consent.key}] ${consent.text}`);
    lines.push('');
  }
  if (document.approval !== null) {
    const by = [document.approval.approverName, document.approval.approverRole]
      .filter((s) => s !== undefined)
      .join(', ');
    lines.push('Approval', document.approval.statement + (by === '' ? '' : ` (${by})`), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
