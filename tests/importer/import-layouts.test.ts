import { describe, expect, it } from 'vitest';
import { parsePolicyText } from '../../src/importer/parse-policy-text.ts';
import { missingWords, sourceLines } from './word-coverage.ts';

// The layouts of issue 11 ("Import that gets a real document right"), each in text written for
// this test: what a PDF-to-text export or a copy out of Word leaves of a school's AUP.

function clauses(text: string): Array<[string | undefined, string]> {
  return parsePolicyText(text).document.sections.flatMap((s) =>
    s.clauses.map((c): [string | undefined, string] => [c.number, c.text]),
  );
}

describe('clause numbers indented after a page break', () => {
  const before = [
    'Staff Acceptable Use Policy',
    '',
    'What I agree to',
    '',
    '8. I will keep my password private.',
    '',
    '9. I will lock my screen when I leave my desk.',
    '',
    'Page 1 of 2',
    '\fStaff Acceptable Use Policy',
    '',
  ];
  const after = (indent: string): string[] => [
    `${indent}10. I will report a lost laptop on the day I notice it is gone.`,
    '',
    `${indent}11. I will only use school email for school business.`,
    '',
    `${indent}12. I will not install software on school laptops.`,
    '',
    'Page 2 of 2',
  ];

  for (const [name, indent] of [
    ['spaces', '    '],
    ['a tab', '\t'],
  ] as const) {
    it(`keeps clauses 10–12 as clauses when ${name} indent them (not sub-items of 9)`, () => {
      const text = [...before, ...after(indent)].join('\n');
      expect(clauses(text)).toEqual([
        ['8', 'I will keep my password private.'],
        ['9', 'I will lock my screen when I leave my desk.'],
        ['10', 'I will report a lost laptop on the day I notice it is gone.'],
        ['11', 'I will only use school email for school business.'],
        ['12', 'I will not install software on school laptops.'],
      ]);
    });
  }

  it('still nests a numbered list that is not the next clause number', () => {
    const text = [
      'Staff Acceptable Use Policy',
      '',
      'Rules',
      '',
      '3. I will report these to the DSL:',
      '    1. messages from pupils on personal accounts;',
      '    2. images shared without consent;',
      '    3. anything that worries me.',
      '4. I will keep records safe.',
    ].join('\n');
    const { document } = parsePolicyText(text);
    expect(document.sections[0]?.clauses.map((c) => [c.number, c.items.length])).toEqual([
      ['3', 3],
      ['4', 0],
    ]);
  });
});

describe('a running header or footer repeated at each page', () => {
  const text = [
    'Governor Acceptable Use Agreement',
    '',
    'Our agreement',
    '1. I will use my governor email account for all board business.',
    '2. I will keep confidential board papers in the secure area and will not',
    '',
    'Hollybrook School – Governor AUP – Spring 2026',
    '\fGovernor Acceptable Use Agreement',
    '',
    '   print them at home or leave them where others can read them.',
    '3. I will declare any interest in an ICT contract before the board discusses it.',
    '',
    'Hollybrook School – Governor AUP – Spring 2026',
    '\fGovernor Acceptable Use Agreement',
    '',
    '4. I will report a lost device to the clerk on the same day.',
    '',
    'Hollybrook School – Governor AUP – Spring 2026',
  ].join('\n');

  it('removes it everywhere, even between a clause and its continuation', () => {
    const { document } = parsePolicyText(text);
    expect(document.title).toBe('Governor Acceptable Use Agreement');
    expect(document.sections.flatMap((s) => s.clauses.map((c) => [c.number, c.text]))).toEqual([
      ['1', 'I will use my governor email account for all board business.'],
      [
        '2',
        'I will keep confidential board papers in the secure area and will not print them at home or leave them where others can read them.',
      ],
      ['3', 'I will declare any interest in an ICT contract before the board discusses it.'],
      ['4', 'I will report a lost device to the clerk on the same day.'],
    ]);
  });

  it('reports each header once, with every line it was removed from', () => {
    const result = parsePolicyText(text);
    const headers = result.report.removed.filter((r) => r.kind === 'running-header');
    expect(headers).toEqual([
      { kind: 'running-header', line: 9, text: 'Governor Acceptable Use Agreement', repeats: [16] },
      {
        kind: 'running-header',
        line: 7,
        text: 'Hollybrook School – Governor AUP – Spring 2026',
        repeats: [14, 20],
      },
    ]);
    expect(missingWords(sourceLines(text), result)).toEqual([]);
  });
});

describe('a clause cut by a page break before a capital letter', () => {
  const text = (after: string[]): string =>
    [
      'Staff Acceptable Use Policy',
      '',
      'Data',
      '4. I will report any loss of data to the Data',
      '',
      'Page 1 of 2',
      '\fStaff Acceptable Use Policy',
      '',
      ...after,
    ].join('\n');

  it('carries the clause on after the header', () => {
    const { document } = parsePolicyText(
      text(['    Protection Officer on the same day.', '    5. I will lock my screen.']),
    );
    expect(document.sections[0]?.clauses.map((c) => [c.number, c.text])).toEqual([
      ['4', 'I will report any loss of data to the Data Protection Officer on the same day.'],
      ['5', 'I will lock my screen.'],
    ]);
  });

  it('starts a new section when what follows the break is a heading', () => {
    const { document } = parsePolicyText(
      text(['Devices', '', '5. I will lock my screen when I leave my desk.']),
    );
    expect(document.sections.map((s) => [s.heading, s.clauses.map((c) => c.number)])).toEqual([
      ['Data', ['4']],
      ['Devices', ['5']],
    ]);
  });
});

describe('links', () => {
  it('keeps a link line in the clause it belongs to, and the clause going on after it', () => {
    const text = [
      'Staff Acceptable Use Policy',
      '',
      'Online safety',
      '',
      "5. I have read the school's Online Safety Policy, which is published at",
      '   <https://www.hollybrook.example.sch.uk/policies/online-safety>',
      '   and I will follow it in my work.',
      '',
      "6. I will follow the Department for Education's guidance.",
      '   <https://www.gov.uk/government/publications/keeping-children-safe-in-education--2>',
      '',
      '7. I will report concerns to the Designated Safeguarding Lead.',
    ].join('\n');
    const { document } = parsePolicyText(text);
    expect(document.sections.map((s) => s.heading)).toEqual(['Online safety']);
    expect(document.sections[0]?.clauses.map((c) => [c.number, c.text])).toEqual([
      [
        '5',
        "I have read the school's Online Safety Policy, which is published at https://www.hollybrook.example.sch.uk/policies/online-safety and I will follow it in my work.",
      ],
      [
        '6',
        "I will follow the Department for Education's guidance. https://www.gov.uk/government/publications/keeping-children-safe-in-education--2",
      ],
      ['7', 'I will report concerns to the Designated Safeguarding Lead.'],
    ]);
  });

  it('never makes a bare link line a heading, and keeps inline links without brackets', () => {
    const text = [
      'Volunteer Acceptable Use Agreement',
      '',
      'Useful links',
      '<https://www.hollybrook.example.sch.uk/safeguarding>',
      '<https://www.hollybrook.example.sch.uk/data-protection>',
      '',
      'While I am in school',
      'I will follow the Safeguarding Policy <https://www.hollybrook.example.sch.uk/safeguarding> at all times.',
    ].join('\n');
    const { document } = parsePolicyText(text);
    expect(document.sections.map((s) => [s.heading, s.clauses.map((c) => c.text)])).toEqual([
      [
        'Useful links',
        [
          'https://www.hollybrook.example.sch.uk/safeguarding',
          'https://www.hollybrook.example.sch.uk/data-protection',
        ],
      ],
      [
        'While I am in school',
        [
          'I will follow the Safeguarding Policy (https://www.hollybrook.example.sch.uk/safeguarding) at all times.',
        ],
      ],
    ]);
  });
});

describe('form lines with the value written into the blank', () => {
  it('reads the approver from "Name: ____Jane Smith____" and "Role: __Headteacher__"', () => {
    const text = [
      'Staff Acceptable Use Policy',
      '',
      '1. I will keep my password private.',
      '',
      'Declaration',
      'I have read and agree to follow this policy.',
      'Signature: ________________',
      '',
      'Approval',
      'I approve this member of staff for access to school systems.',
      'Name: ____Jane Smith____',
      'Role: __Headteacher__',
      'Date: ________________',
    ].join('\n');
    const result = parsePolicyText(text);
    expect(result.document.approval).toEqual({
      statement: 'I approve this member of staff for access to school systems.',
      approverName: 'Jane Smith',
      approverRole: 'Headteacher',
    });
    expect(result.report.removed).toContainEqual({
      kind: 'form-field',
      line: 11,
      text: 'Name: ____Jane Smith____',
    });
    expect(missingWords(sourceLines(text), result)).toEqual([]);
  });
});

describe('the title on the first line', () => {
  it('is the title even when the same line repeats as the running header', () => {
    const text = [
      'Staff Acceptable Use Policy',
      '',
      'Staff Acceptable Use Policy',
      '',
      'Using systems',
      '1. I will keep my password private.',
      '',
      '\fStaff Acceptable Use Policy',
      '',
      '2. I will lock my screen.',
      '',
      '\fStaff Acceptable Use Policy',
      '',
      '3. I will report lost devices.',
    ].join('\n');
    const { document, report } = parsePolicyText(text);
    expect(document.title).toBe('Staff Acceptable Use Policy');
    expect(document.sections).toEqual([
      {
        heading: 'Using systems',
        clauses: [
          { number: '1', text: 'I will keep my password private.', items: [] },
          { number: '2', text: 'I will lock my screen.', items: [] },
          { number: '3', text: 'I will report lost devices.', items: [] },
        ],
      },
    ]);
    expect(report.removed.filter((r) => r.kind === 'running-header')).toEqual([
      { kind: 'running-header', line: 3, text: 'Staff Acceptable Use Policy', repeats: [9, 14] },
    ]);
  });
});
