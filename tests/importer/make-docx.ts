import {
  AlignmentType,
  Document,
  HeadingLevel,
  LevelFormat,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';

function row(...cells: string[]): TableRow {
  return new TableRow({
    children: cells.map(
      (text) =>
        new TableCell({
          width: { size: 4000, type: WidthType.DXA },
          children: [new Paragraph(text)],
        }),
    ),
  });
}

const numbered = (text: string, level = 0): Paragraph =>
  new Paragraph({ text, numbering: { reference: 'aup-clauses', level } });

/** A staff AUP as a school would write it in Word: title, headings, numbered clauses, bullets, signature table. */
export async function makeAupDocx(): Promise<Buffer> {
  const document = new Document({
    numbering: {
      config: [
        {
          reference: 'aup-clauses',
          levels: [
            { level: 0, format: LevelFormat.DECIMAL, text: '%1.', alignment: AlignmentType.START },
            {
              level: 1,
              format: LevelFormat.LOWER_LETTER,
              text: '%2)',
              alignment: AlignmentType.START,
            },
          ],
        },
      ],
    },
    sections: [
      {
        children: [
          new Paragraph({
            text: 'Riverside Academy Staff Acceptable Use Policy',
            heading: HeadingLevel.TITLE,
          }),
          new Paragraph({ text: 'Why we have this policy', heading: HeadingLevel.HEADING_1 }),
          new Paragraph(
            'Technology supports teaching and learning, and everyone who uses it here shares the responsibility for using it safely.',
          ),
          new Paragraph({ text: 'What I agree to', heading: HeadingLevel.HEADING_1 }),
          numbered('I will keep my passwords secret and change them when asked.'),
          numbered('I will protect personal data, including:'),
          numbered('pupil records and reports;', 1),
          numbered('photographs of pupils.', 1),
          numbered('(This point for governors only) I will use my governor email account.'),
          new Paragraph({ text: 'Using devices', heading: HeadingLevel.HEADING_2 }),
          new Paragraph({ text: 'I will lock devices when I leave them.', bullet: { level: 0 } }),
          new Paragraph({
            text: 'I will not connect personal devices to the curriculum network.',
            bullet: { level: 0 },
          }),
          new Paragraph({ text: 'Declaration', heading: HeadingLevel.HEADING_1 }),
          new Paragraph('I have read, understood and agree to follow this policy.'),
          new Table({
            rows: [row('Signature:', '____________________'), row('Date:', '____________________')],
          }),
          new Paragraph({ children: [new TextRun({ text: 'Headteacher approval', bold: true })] }),
          new Paragraph('I approve this member of staff for access to school systems.'),
          new Paragraph('Emma Bonnin / Headteacher'),
          new Paragraph({ children: [new TextRun({ text: 'Photo consent', bold: true })] }),
          new Paragraph(
            'I give permission for the school to use my photograph in the staff newsletter.',
          ),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}

/** An AUP laid out as a table: a number column, a text column, a declaration beside its signature. */
export async function makeTableAupDocx(): Promise<Buffer> {
  const document = new Document({
    sections: [
      {
        children: [
          new Paragraph({
            text: 'Visitor Acceptable Use Agreement',
            heading: HeadingLevel.HEADING_1,
          }),
          new Table({
            rows: [
              row(
                '1',
                'I will only use the visitor wireless network that the school office gives me.',
              ),
              row('2', 'I will not take photographs of pupils.'),
            ],
          }),
          new Table({
            rows: [
              row(
                'I have read and understood this agreement and I will follow it while I am in school.',
                'Signature: ____________',
              ),
            ],
          }),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}
