import { describe, expect, it } from 'vitest';
import {
  policyDocumentSchema,
  UNPLACED_SECTION_HEADING,
} from '../../src/domain/policy-document.ts';
import { parsePolicyText } from '../../src/importer/parse-policy-text.ts';
import { missingWords, sourceLines } from './word-coverage.ts';

/** Parses, checks the result against the schema and that no word was dropped silently. */
function parse(text: string) {
  const result = parsePolicyText(text);
  expect(policyDocumentSchema.safeParse(result.document).success).toBe(true);
  expect(missingWords(sourceLines(text), result)).toEqual([]);
  return result;
}

// Written to imitate what real schools' AUPs contain, in shapes the shared fixtures do not have.
const NUMBERED = [
  'Oakfield Primary School Staff Acceptable Use Policy',
  '',
  'Oakfield Primary School',
  '1. Purpose',
  '1.1 This policy sets out how staff use school technology.',
  '1.2 It applies on and off the school site.',
  '2. Expectations',
  'I will:',
  'a) keep my passwords private;',
  'b) lock my screen when I leave my desk;',
  'c) report any concerns to the DSL, including:',
  '   i. messages from pupils on personal accounts;',
  '   ii. suspected data breaches.',
  'Page 1 of 2',
  'Oakfield Primary School',
  '3. Devices',
  '• I will only use school-approved devices for school data.',
  '• I will not install software without permission:',
  '    o\tthis includes browser extensions',
  '    o\tand mobile apps',
  '- I will encrypt any USB key.',
  '2',
  'Oakfield Primary School',
  'Declaration',
  'I confirm that I have read and agree to follow this policy.',
  'Signed: ________________   Date: ___________',
  'Approved by: Emma Bonnin / Headteacher',
].join('\n');

const SCANNED = [
  'Staff Code of Conduct for ICT',
  '',
  '[bookmark: _Toc1234]Using the network',
  '\tI will respect copyright and licensing when I use resources from the internet.',
  '\tI will keep personal and school accounts separate, e.g.',
  '\t not using school email for personal shopping',
  '\t not using personal email for school business,',
  '\tespecially for pupil data.',
  '\tI will check that the sessions I run with pupils are planned in advance and that',
  '\tmy line manager knows about them.',
  '(Governors only) I will use my governor email for governing body business.',
  'I will report concerns promptly (this point for staff and volunteers).',
  '37\tqwxzt',
  'I will store data on the school network and not on personal devices.',
  '',
  'Staff signature',
  'I have read and understood this code and agree to abide by it.',
  'Name:\t\t____________  Date:\t__________',
  'I give permission for the school to use my photograph on the school website.  Yes / No',
  'Please return this form to the school office by Friday.',
  'To be completed by the Business Manager',
  'I authorise network access for this member of staff.',
  'Name:\t\tJo Patel______________',
].join('\r\n');

describe('parsePolicyText: numbered clauses, sub-items, running headers', () => {
  const { document, report } = parse(NUMBERED);

  it('takes the title from the first line and keeps numbered headings and clause numbers', () => {
    expect(document.title).toBe('Oakfield Primary School Staff Acceptable Use Policy');
    expect(document.sections.map((s) => s.heading)).toEqual([
      '1. Purpose',
      '2. Expectations',
      '3. Devices',
    ]);
    expect(document.sections[0]?.clauses.map((c) => [c.number, c.text])).toEqual([
      ['1.1', 'This policy sets out how staff use school technology.'],
      ['1.2', 'It applies on and off the school site.'],
    ]);
  });

  it('puts a/b/c and i/ii under the clause that introduces them', () => {
    expect(document.sections[1]?.clauses).toEqual([
      {
        text: 'I will:',
        items: [
          'keep my passwords private;',
          'lock my screen when I leave my desk;',
          'report any concerns to the DSL, including:',
          'messages from pupils on personal accounts;',
          'suspected data breaches.',
        ],
      },
    ]);
  });

  it('nests "o" bullets under a "•" clause and keeps "-" bullets level with it', () => {
    expect(document.sections[2]?.clauses).toEqual([
      { text: 'I will only use school-approved devices for school data.', items: [] },
      {
        text: 'I will not install software without permission:',
        items: ['this includes browser extensions', 'and mobile apps'],
      },
      { text: 'I will encrypt any USB key.', items: [] },
    ]);
  });

  it('removes the repeated school name and page numbers and says so', () => {
    const removed = report.removed.map((r) => [r.kind, r.text]);
    // Reported once, with the other lines it was removed from.
    expect(report.removed.filter((r) => r.kind === 'running-header')).toEqual([
      { kind: 'running-header', line: 3, text: 'Oakfield Primary School', repeats: [15, 23] },
    ]);
    expect(removed).toContainEqual(['page-number', 'Page 1 of 2']);
    expect(removed).toContainEqual(['page-number', '2']);
  });

  it('reads the declaration and an approval line naming the approver and role', () => {
    expect(document.declaration).toBe(
      'I confirm that I have read and agree to follow this policy.',
    );
    expect(document.approval).toEqual({
      statement: 'Approved by: Emma Bonnin / Headteacher',
      approverName: 'Emma Bonnin',
      approverRole: 'Headteacher',
    });
  });
});

describe('parsePolicyText: scanned text, tab bullets, audience notes, consents', () => {
  const { document, report } = parse(SCANNED);
  const clauses = document.sections.flatMap((s) => s.clauses);

  it('removes the bookmark and the noise line, joins wrapped lines', () => {
    expect(document.sections[0]?.heading).toBe('Using the network');
    expect(report.removed).toContainEqual({
      kind: 'bookmark',
      line: 3,
      text: '[bookmark: _Toc1234]',
    });
    expect(report.removed).toContainEqual({ kind: 'ocr-noise', line: 13, text: '37\tqwxzt' });
    expect(clauses.map((c) => c.text)).toContain(
      'I will check that the sessions I run with pupils are planned in advance and that my line manager knows about them.',
    );
  });

  it('reads tab-and-space sub-bullets under an "e.g." clause, joining their wrapped lines', () => {
    expect(clauses[1]).toEqual({
      text: 'I will keep personal and school accounts separate, e.g.',
      items: [
        'not using school email for personal shopping',
        'not using personal email for school business, especially for pupil data.',
      ],
    });
  });

  it('turns audience notes at the start or end of a clause into clause.audience', () => {
    expect(clauses.find((c) => c.text.startsWith('I will use my governor email'))).toEqual({
      text: 'I will use my governor email for governing body business.',
      audience: ['governor'],
      items: [],
    });
    expect(clauses.find((c) => c.text.startsWith('I will report concerns'))).toEqual({
      text: 'I will report concerns promptly.',
      audience: ['staff', 'volunteer'],
      items: [],
    });
    expect(report.removed.filter((r) => r.kind === 'audience-note')).toHaveLength(2);
  });

  it('finds the declaration, the photo consent and the approver from a filled field', () => {
    expect(document.declaration).toBe(
      'I have read and understood this code and agree to abide by it.',
    );
    expect(document.consents).toEqual([
      {
        key: 'photo',
        text: 'I give permission for the school to use my photograph on the school website. Yes / No',
      },
    ]);
    expect(document.approval).toEqual({
      statement: 'I authorise network access for this member of staff.',
      approverName: 'Jo Patel',
      approverRole: 'Business Manager',
    });
  });

  it('puts what it cannot place in the Unplaced section and warns', () => {
    expect(document.sections.at(-1)).toEqual({
      heading: UNPLACED_SECTION_HEADING,
      clauses: [{ text: 'Please return this form to the school office by Friday.', items: [] }],
    });
    expect(report.warnings.map((w) => w.message).join('\n')).toMatch(/could not be placed/);
  });
});

describe('parsePolicyText: other shapes', () => {
  it('reads Markdown headings, numbered lists with nested bullets and a rule', () => {
    const text = [
      '# Governor Acceptable Use Agreement',
      '',
      '## Using school systems',
      '',
      '1. I will use the governor portal for governing body papers.',
      '2. I will not share papers outside the board:',
      '   - including **drafts**',
      '   - including minutes',
      '3. I will keep my login details private.',
      '',
      '---',
      '',
      '## Declaration',
      '',
      'I have read, understood and agree to this agreement.',
    ].join('\n');
    const { document } = parse(text);
    expect(document.title).toBe('Governor Acceptable Use Agreement');
    expect(document.sections).toEqual([
      {
        heading: 'Using school systems',
        clauses: [
          {
            number: '1',
            text: 'I will use the governor portal for governing body papers.',
            items: [],
          },
          {
            number: '2',
            text: 'I will not share papers outside the board:',
            items: ['including drafts', 'including minutes'],
          },
          { number: '3', text: 'I will keep my login details private.', items: [] },
        ],
      },
    ]);
    expect(document.declaration).toBe('I have read, understood and agree to this agreement.');
    expect(document.approval).toBeNull();
  });

  it('finds an unlabelled declaration by its wording just above the signature lines', () => {
    const text = [
      'Volunteer Acceptable Use Policy',
      'I will only use the guest Wi-Fi.',
      'I will not photograph pupils.',
      '',
      'I have read and understand the above and agree to use the school systems',
      'within these guidelines.',
      'Signature ............   Date ............',
    ].join('\n');
    const { document } = parse(text);
    expect(document.sections).toEqual([
      {
        heading: '',
        clauses: [
          { text: 'I will only use the guest Wi-Fi.', items: [] },
          { text: 'I will not photograph pupils.', items: [] },
        ],
      },
    ]);
    expect(document.declaration).toBe(
      'I have read and understand the above and agree to use the school systems within these guidelines.',
    );
  });

  it('warns, rather than fails, when there is no title or declaration', () => {
    const { document, report } = parse('I will be kind online.\nI will log off when I leave.');
    expect(document.title).toBe('Acceptable Use Policy');
    expect(document.declaration).toBe('');
    expect(document.sections[0]?.clauses).toHaveLength(2);
    expect(report.warnings.map((w) => w.message).join('\n')).toMatch(
      /no title.*\n.*no declaration/s,
    );
  });

  it('reads colon lead-ins: a heading over "I …" bullets, a clause over lower-case items', () => {
    const text = [
      'Staff and Volunteer Acceptable Use Agreement',
      '',
      'This agreement is meant to make sure:',
      '•\tthat staff use school technology responsibly;',
      '•\tthat school systems are protected from misuse.',
      '',
      'When I use the internet for school work or for personal use the school allows:',
      '•\tI will respect the copyright of other people’s work.',
      '•\tI will not download material I am not allowed to share.',
      '',
      'I have read and understand the above and agree to follow it.',
      '',
      'Staff / Volunteer Name',
      'Signed',
      'Date',
    ].join('\n');
    const { document, report } = parse(text);
    expect(document.sections).toEqual([
      {
        heading: '',
        clauses: [
          {
            text: 'This agreement is meant to make sure:',
            items: [
              'that staff use school technology responsibly;',
              'that school systems are protected from misuse.',
            ],
          },
        ],
      },
      {
        heading: 'When I use the internet for school work or for personal use the school allows',
        clauses: [
          { text: 'I will respect the copyright of other people’s work.', items: [] },
          { text: 'I will not download material I am not allowed to share.', items: [] },
        ],
      },
    ]);
    expect(document.declaration).toBe(
      'I have read and understand the above and agree to follow it.',
    );
    expect(report.removed.filter((r) => r.kind === 'signature-line')).toHaveLength(3);
  });

  it('joins hard-wrapped lines, reads sub-numbered sections and a dated approval line', () => {
    const text = [
      "ST JUDE'S PRIMARY SCHOOL",
      'STAFF ICT ACCEPTABLE USE POLICY',
      '',
      '1. Scope of this policy',
      '1.1 Every member of staff reads this policy alongside the school safeguarding',
      'Policy and the Staff Code of Conduct before they use any of the school systems.',
      '1.2 Governors review the policy each summer term and everyone signs it again when',
      'it changes.',
      '2. Passwords and accounts',
      '2.1 I will keep my passwords to myself and will never let another person log in',
      'Using my account, whatever the reason they give me for needing to do that.',
      '',
      'STAFF DECLARATION',
      'I confirm that I have read and understood this policy and agree to abide by it.',
      'Print name: .......................   Signed: .......................',
      'Approved by the Governing Body: Emma Bonnin / Headteacher   Date: July 2025',
    ].join('\n');
    const { document } = parse(text);
    expect(document.title).toBe("ST JUDE'S PRIMARY SCHOOL – STAFF ICT ACCEPTABLE USE POLICY");
    expect(document.sections.map((s) => s.heading)).toEqual([
      '1. Scope of this policy',
      '2. Passwords and accounts',
    ]);
    expect(document.sections.flatMap((s) => s.clauses.map((c) => [c.number, c.text]))).toEqual([
      [
        '1.1',
        'Every member of staff reads this policy alongside the school safeguarding Policy and the Staff Code of Conduct before they use any of the school systems.',
      ],
      [
        '1.2',
        'Governors review the policy each summer term and everyone signs it again when it changes.',
      ],
      [
        '2.1',
        'I will keep my passwords to myself and will never let another person log in Using my account, whatever the reason they give me for needing to do that.',
      ],
    ]);
    expect(document.approval).toMatchObject({
      approverName: 'Emma Bonnin',
      approverRole: 'Headteacher',
    });
  });

  it('numbers clauses from a number before a tab (a numbered table column)', () => {
    const { document } = parse(
      'Pupil Acceptable Use Rules\n1\tI will ask before I go online.\n2\tI will tell an adult if I see something that worries me.',
    );
    expect(document.sections[0]?.clauses.map((c) => c.number)).toEqual(['1', '2']);
  });

  it('applies an audience note on a heading, or standing alone, to the clauses after it', () => {
    const text = [
      'Staff and Governor Acceptable Use Policy',
      'Everyone',
      'I will keep my password private.',
      'Additional responsibilities (governors only)',
      'I will use my governor account for board papers.',
      'Visits to school',
      'I will sign in at reception.',
      '(This section applies to staff and volunteers)',
      'I will wear my lanyard.',
    ].join('\n');
    const { document } = parse(text);
    expect(document.sections).toEqual([
      { heading: 'Everyone', clauses: [{ text: 'I will keep my password private.', items: [] }] },
      {
        heading: 'Additional responsibilities',
        clauses: [
          {
            text: 'I will use my governor account for board papers.',
            audience: ['governor'],
            items: [],
          },
        ],
      },
      {
        heading: 'Visits to school',
        clauses: [
          { text: 'I will sign in at reception.', items: [] },
          { text: 'I will wear my lanyard.', audience: ['staff', 'volunteer'], items: [] },
        ],
      },
    ]);
  });

  it('refuses a line longer than any clause, before running any pattern over it', () => {
    expect(() => parsePolicyText(`Staff AUP\n${'word '.repeat(3000)}`)).toThrow(
      /line 2 is 15000 characters long/,
    );
  });

  it('reads policy metadata, Wingdings bullets and a consent block before the declaration', () => {
    const text = [
      'Acceptable Use Policy – Support Staff',
      'Approved by: Emma Bonnin / Headteacher',
      'Date approved: 01/09/2024',
      'Review date: 01/09/2025',
      '',
      'SECTION 1: MY RESPONSIBILITIES',
      '1.\tI will keep data secure:',
      '\tØ\tencrypt memory sticks;',
      '\tØ\tlock my screen.',
      '2.\tI will report faults to the IT technician.',
      '',
      'Photograph consent',
      '☐ I give consent for my photograph to be used on the school website.',
      '☐ I do not give consent for my photograph to be used.',
      '',
      'Declaration',
      'I have read, understood and accept this policy.',
      'Signed: ______________   Date: __________',
    ].join('\n');
    const { document, report } = parse(text);
    expect(document.sections).toEqual([
      {
        heading: 'SECTION 1: MY RESPONSIBILITIES',
        clauses: [
          {
            number: '1',
            text: 'I will keep data secure:',
            items: ['encrypt memory sticks;', 'lock my screen.'],
          },
          { number: '2', text: 'I will report faults to the IT technician.', items: [] },
        ],
      },
    ]);
    expect(document.consents).toEqual([
      {
        key: 'photo',
        text: 'I give consent for my photograph to be used on the school website. / I do not give consent for my photograph to be used.',
      },
    ]);
    expect(document.approval).toEqual({
      statement: 'Approved by: Emma Bonnin / Headteacher',
      approverName: 'Emma Bonnin',
      approverRole: 'Headteacher',
    });
    expect(report.removed.filter((r) => r.kind === 'form-field').map((r) => r.text)).toEqual([
      'Date approved: 01/09/2024',
      'Review date: 01/09/2025',
    ]);
  });

  it('is deterministic', () => {
    expect(parsePolicyText(SCANNED)).toEqual(parsePolicyText(SCANNED));
  });
});

describe('parsePolicyText: where each clause began', () => {
  it('reports the first line of every clause kept, a wrapped clause by its first line', () => {
    const { document, report } = parse(
      [
        'Staff Acceptable Use Policy',
        '',
        'Using school systems',
        '1. I will only use school systems for school work and I will keep',
        'my password private.',
        '2. I will lock my screen when I leave it.',
        '',
        'Email',
        '3. I will use my school email for school business.',
        '',
        'I have read, understood and agree to comply with the Staff Acceptable Use Policy.',
      ].join('\n'),
    );
    expect(document.sections.map((s) => s.clauses.length)).toEqual([2, 2]);
    expect(report.places).toEqual([
      { section: 0, clause: 0, line: 4 },
      { section: 0, clause: 1, line: 6 },
      { section: 1, clause: 0, line: 9 },
      { section: 1, clause: 1, line: 11 },
    ]);
  });
});
