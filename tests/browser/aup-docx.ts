import { Document, HeadingLevel, Packer, Paragraph } from 'docx';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';

/**
 * A Word document written the way schools write their AUP: a title, headed sections, numbered
 * clauses with bullet sub-items, and the declaration at the end.
 */
export async function policyDocx(document: PolicyDocument): Promise<Buffer> {
  const children: Paragraph[] = [
    new Paragraph({ text: document.title, heading: HeadingLevel.TITLE }),
  ];
  for (const section of document.sections) {
    if (section.heading !== '') {
      children.push(new Paragraph({ text: section.heading, heading: HeadingLevel.HEADING_1 }));
    }
    for (const clause of section.clauses) {
      children.push(
        new Paragraph({
          text: clause.number === undefined ? clause.text : `${clause.number}. ${clause.text}`,
        }),
      );
      for (const item of clause.items) {
        children.push(new Paragraph({ text: item, bullet: { level: 0 } }));
      }
    }
  }
  children.push(new Paragraph({ text: 'Declaration', heading: HeadingLevel.HEADING_1 }));
  children.push(new Paragraph({ text: document.declaration }));
  children.push(new Paragraph({ text: 'Signature: ____________________   Date: ___________' }));
  return Packer.toBuffer(new Document({ sections: [{ children }] }));
}
