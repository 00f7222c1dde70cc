import {
  AlignmentType,
  Document,
  ExternalHyperlink,
  Footer,
  Header,
  HeadingLevel,
  LevelFormat,
  Packer,
  Paragraph,
  TextRun,
} from 'docx';
import { describe, expect, it } from 'vitest';
import { labelNumberedParagraphs } from '../../src/importer/docx-parts.ts';
import { wordNumbers } from '../../src/importer/docx-numbering.ts';
import { ReportCollector } from '../../src/importer/import-report.ts';
import { importPolicyFile } from '../../src/importer/read-policy-file.ts';

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

function level(ilvl: number, format: string, text: string, extra = ''): string {
  return `<w:lvl w:ilvl="${ilvl}"><w:start w:val="1"/>${extra}<w:numFmt w:val="${format}"/><w:lvlText w:val="${text}"/></w:lvl>`;
}

const NUMBERING = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering ${W}>
  <w:abstractNum w:abstractNumId="0">${level(0, 'decimal', '%1.')}${level(1, 'lowerLetter', '%2)')}</w:abstractNum>
  <w:abstractNum w:abstractNumId="1">${level(0, 'bullet', '•')}</w:abstractNum>
  <w:abstractNum w:abstractNumId="2">${level(0, 'decimal', '%1.')}${level(1, 'decimal', '%1.%2')}${level(2, 'lowerRoman', '(%3)', '<w:lvlRestart w:val="0"/>')}</w:abstractNum>
  <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
  <w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>
  <w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>
  <w:num w:numId="4"><w:abstractNumId w:val="1"/></w:num>
  <w:num w:numId="5"><w:abstractNumId w:val="2"/></w:num>
</w:numbering>`;

const STYLES = `<w:styles ${W}>
  <w:style w:type="paragraph" w:styleId="PolicyClause"><w:name w:val="Policy clause"/><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:style>
  <w:style w:type="paragraph" w:styleId="PolicyClauseBold"><w:basedOn w:val="PolicyClause"/></w:style>
</w:styles>`;

function p(text: string, numId?: number, ilvl = 0, style?: string, extraPPr = ''): string {
  const numPr =
    numId === undefined
      ? ''
      : `<w:numPr><w:ilvl w:val="${ilvl}"/><w:numId w:val="${numId}"/></w:numPr>`;
  const pStyle = style === undefined ? '' : `<w:pStyle w:val="${style}"/>`;
  return `<w:p><w:pPr>${pStyle}${numPr}${extraPPr}</w:pPr><w:r><w:t>${text}</w:t></w:r></w:p>`;
}

describe('wordNumbers: the numbers Word shows, from numbering.xml and each w:numPr', () => {
  it('continues lists over one definition, starts a list with a startOverride on its own, restarts levels', () => {
    const body = [
      p('first clause', 1),
      p('A heading between the lists'),
      p('second clause', 1),
      p('its first item', 1, 1),
      p('its second item', 1, 1),
      p('a second list over the same definition', 2),
      p('an item there', 2, 1),
      p('a list of its own from 5', 3),
      p('and on', 3),
      p('the first list again', 1),
      p('a bullet', 4),
      p('numbering taken off', 0),
      p('numbered by its style', undefined, 0, 'PolicyClause'),
      p('outline level two', 5, 1),
      p('level three', 5, 2),
      p('numbered by a style based on it', undefined, 0, 'PolicyClauseBold'),
      p('level three never restarts', 5, 2),
      p('level two restarts', 5, 1),
      // A tracked change keeps the old numbering inside w:pPrChange: not the paragraph's own.
      p(
        'numbering removed with track changes',
        undefined,
        0,
        undefined,
        `<w:pPrChange w:id="1" w:author="A"><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:pPrChange>`,
      ),
    ].join('');
    const document = `<w:document ${W}><w:body>${body}<w:sectPr/></w:body></w:document>`;
    expect(wordNumbers(document, NUMBERING, STYLES).map((n) => n.label)).toEqual([
      '1.',
      '2.',
      'a)',
      'b)',
      '3.',
      'a)',
      '5.',
      '6.',
      '4.',
      '•',
      '1.',
      '1.1',
      '(i)',
      '2.',
      '(ii)',
      '2.1',
    ]);
  });

  it('marks nothing and says so when mammoth counts the numbered paragraphs differently', () => {
    const report = new ReportCollector();
    const tree = {
      type: 'document',
      children: [{ type: 'paragraph', numbering: { isOrdered: true }, children: [] }],
    };
    const numbers = [
      { label: '1.', bullet: false, level: 0 },
      { label: '2.', bullet: false, level: 0 },
    ];
    expect(labelNumberedParagraphs(tree, numbers, report)).toEqual({
      type: 'document',
      children: [{ type: 'paragraph', numbering: { isOrdered: true }, children: [] }],
    });
    expect(report.warnings[0]?.message).toMatch(/numbering could not be followed/);
  });
});

describe('a .docx with one Word list continued over several headings, end to end', () => {
  async function policy(): Promise<Uint8Array> {
    const clause = (text: string, instance = 1): Paragraph =>
      new Paragraph({ text, numbering: { reference: 'clauses', level: 0, instance } });
    const document = new Document({
      numbering: {
        config: [
          {
            reference: 'clauses',
            levels: [
              {
                level: 0,
                format: LevelFormat.DECIMAL,
                text: '%1.',
                start: 1,
                alignment: AlignmentType.START,
              },
            ],
          },
        ],
      },
      sections: [
        {
          headers: {
            default: new Header({ children: [new Paragraph('Greenway School – Staff AUP')] }),
          },
          footers: { default: new Footer({ children: [new Paragraph('Summer term 2026')] }) },
          children: [
            new Paragraph({ text: 'Greenway School Staff AUP', heading: HeadingLevel.TITLE }),
            new Paragraph({ text: 'Passwords', heading: HeadingLevel.HEADING_1 }),
            clause('I will keep my password private.'),
            clause('I will lock my screen when I leave my desk.'),
            new Paragraph({ text: 'Email', heading: HeadingLevel.HEADING_1 }),
            clause('I will only use school email for school business.'),
            new Paragraph({
              numbering: { reference: 'clauses', level: 0, instance: 1 },
              children: [
                new TextRun('I will follow the '),
                new ExternalHyperlink({
                  link: 'https://www.greenway.example.sch.uk/email-policy',
                  children: [new TextRun({ text: 'Email Policy', style: 'Hyperlink' })],
                }),
                new TextRun('.'),
              ],
            }),
            new Paragraph({ text: 'Visitors', heading: HeadingLevel.HEADING_1 }),
            clause('I will sign visitors in at the office.', 2),
            clause('I will not lend visitors my login.', 2),
          ],
        },
      ],
    });
    return new Uint8Array(await Packer.toBuffer(document));
  }

  it("numbers the clauses as Word shows them, not mammoth's restart per list", async () => {
    const { document } = await importPolicyFile(await policy(), 'greenway.docx');
    expect(document.sections.map((s) => [s.heading, s.clauses.map((c) => c.number)])).toEqual([
      ['Passwords', ['1', '2']],
      ['Email', ['3', '4']],
      // A new w:num with a startOverride: a list of its own, from 1 again, as in Word.
      ['Visitors', ['1', '2']],
    ]);
  });

  it('keeps the hyperlink in its clause and reports the page header and footer once each', async () => {
    const { document, report } = await importPolicyFile(await policy(), 'greenway.docx');
    expect(document.sections[1]?.clauses[1]?.text).toBe(
      'I will follow the Email Policy (https://www.greenway.example.sch.uk/email-policy).',
    );
    expect(report.removed.filter((r) => r.kind === 'running-header')).toEqual([
      { kind: 'running-header', line: 1, text: 'Greenway School – Staff AUP' },
      { kind: 'running-header', line: 1, text: 'Summer term 2026' },
    ]);
    // Word's numbering was followed: the only warning is the missing declaration.
    expect(report.warnings.map((w) => w.message)).toEqual([
      'no declaration was found: write the statement people sign before publishing',
    ]);
  });
});
