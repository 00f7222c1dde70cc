import { Document, Packer, Paragraph } from 'docx';
import { describe, expect, it } from 'vitest';
import { policyDocumentSchema } from '../../src/domain/policy-document.ts';
import { importPolicyFile } from '../../src/importer/read-policy-file.ts';
import { makeAupDocx, makeTableAupDocx } from './make-docx.ts';

describe('importPolicyFile: a .docx made with the docx package, end to end through mammoth', () => {
  it('reads headings, numbered clauses with sub-items, bullets, declaration, approval, consent', async () => {
    const bytes = new Uint8Array(await makeAupDocx());
    const { document, report } = await importPolicyFile(bytes, 'Riverside AUP.docx');
    expect(policyDocumentSchema.parse(document)).toEqual(document);
    expect(report.source).toBe('docx');
    expect(document.title).toBe('Riverside Academy Staff Acceptable Use Policy');
    expect(document.sections).toEqual([
      {
        heading: 'Why we have this policy',
        clauses: [
          {
            text: 'Technology supports teaching and learning, and everyone who uses it here shares the responsibility for using it safely.',
            items: [],
          },
        ],
      },
      {
        heading: 'What I agree to',
        clauses: [
          {
            number: '1',
            text: 'I will keep my passwords secret and change them when asked.',
            items: [],
          },
          {
            number: '2',
            text: 'I will protect personal data, including:',
            items: ['pupil records and reports;', 'photographs of pupils.'],
          },
          {
            number: '3',
            text: 'I will use my governor email account.',
            audience: ['governor'],
            items: [],
          },
        ],
      },
      {
        heading: 'Using devices',
        clauses: [
          { text: 'I will lock devices when I leave them.', items: [] },
          { text: 'I will not connect personal devices to the curriculum network.', items: [] },
        ],
      },
    ]);
    expect(document.declaration).toBe('I have read, understood and agree to follow this policy.');
    expect(document.approval).toEqual({
      statement: 'I approve this member of staff for access to school systems.',
      approverName: 'Emma Bonnin',
      approverRole: 'Headteacher',
    });
    expect(document.consents).toEqual([
      {
        key: 'photo',
        text: 'I give permission for the school to use my photograph in the staff newsletter.',
      },
    ]);
    expect(report.removed.filter((r) => r.kind === 'signature-line')).toHaveLength(2);
  });

  it('reads a policy laid out in a table, prose cells line by line', async () => {
    const bytes = new Uint8Array(await makeTableAupDocx());
    const { document } = await importPolicyFile(bytes, 'visitor.docx');
    expect(document.title).toBe('Visitor Acceptable Use Agreement');
    expect(document.sections).toEqual([
      {
        heading: '',
        clauses: [
          {
            number: '1',
            text: 'I will only use the visitor wireless network that the school office gives me.',
            items: [],
          },
          { number: '2', text: 'I will not take photographs of pupils.', items: [] },
        ],
      },
    ]);
    expect(document.declaration).toBe(
      'I have read and understood this agreement and I will follow it while I am in school.',
    );
  });

  it('joins Word paragraphs cut mid-sentence (a document converted from PDF)', async () => {
    const document = new Document({
      sections: [
        {
          children: [
            new Paragraph('Governor Acceptable Use Policy'),
            new Paragraph('I will not share my password with anyone, including'),
            new Paragraph('colleagues and members of my family.'),
            new Paragraph('I will use the governor portal for board papers.'),
          ],
        },
      ],
    });
    const bytes = new Uint8Array(await Packer.toBuffer(document));
    const { document: policy } = await importPolicyFile(bytes, 'governors.docx');
    expect(policy.sections[0]?.clauses.map((c) => c.text)).toEqual([
      'I will not share my password with anyone, including colleagues and members of my family.',
      'I will use the governor portal for board papers.',
    ]);
  });

  it('refuses a Word document with no text', async () => {
    const empty = new Document({ sections: [{ children: [new Paragraph('')] }] });
    const bytes = new Uint8Array(await Packer.toBuffer(empty));
    await expect(importPolicyFile(bytes, 'empty.docx')).rejects.toMatchObject({
      code: 'validation',
      message: 'the Word document has no text',
    });
  });
});
