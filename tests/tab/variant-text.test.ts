import { describe, expect, it } from 'vitest';
import { textToVariant, variantToText } from '../../teams-app/src/views/trust/variant-text.ts';

describe("a school's own clauses as text", () => {
  it('reads headings, clauses and sub-items, and writes them back the same', () => {
    const text = [
      '## Kingsmead: our own rules',
      'Class iPads are signed out on the sheet.',
      '- Returned charged by 3.30 pm.',
      '- Never taken home.',
      '',
      '## Trips',
      'Photographs on the school camera only.',
    ].join('\n');
    const { variant, problems } = textToVariant(text);
    expect(problems).toEqual([]);
    expect(variant).toEqual({
      sections: [
        {
          heading: 'Kingsmead: our own rules',
          clauses: [
            {
              text: 'Class iPads are signed out on the sheet.',
              items: ['Returned charged by 3.30 pm.', 'Never taken home.'],
            },
          ],
        },
        {
          heading: 'Trips',
          clauses: [{ text: 'Photographs on the school camera only.', items: [] }],
        },
      ],
    });
    expect(variantToText(variant)).toBe(text);
    expect(textToVariant('').variant).toEqual({ sections: [] });
  });

  it('says, line by line, what the API would refuse', () => {
    expect(textToVariant('A clause before any heading.').problems).toEqual([
      'Line 1: start with a heading line, “## Our own rules”.',
    ]);
    expect(textToVariant('## Rules\n- an item with no clause').problems).toEqual([
      'Line 2: a sub-item (“- …”) needs a clause above it.',
      '“Rules” has no clauses under it.',
    ]);
  });

  it('reads a number mark and audiences in brackets, and writes them back the same', () => {
    const text = [
      '## Ours',
      '4. [staff, governors] Laptops go home locked.',
      '- Report a loss at once.',
      '[pupils] Tablets stay in class.',
      '2.1) Chargers stay in school.',
    ].join('\n');
    const { variant, problems } = textToVariant(text);
    expect(problems).toEqual([]);
    expect(variant.sections[0]?.clauses).toEqual([
      {
        number: '4',
        text: 'Laptops go home locked.',
        audience: ['staff', 'governors'],
        items: ['Report a loss at once.'],
      },
      { text: 'Tablets stay in class.', audience: ['pupils'], items: [] },
      { number: '2.1', text: 'Chargers stay in school.', items: [] },
    ]);
    expect(variantToText(variant)).toBe(text.replace('2.1)', '2.1.'));
    expect(textToVariant('## Ours\n1. []  Nobody.').problems).toEqual([
      'Line 2: name at least one audience in the brackets, “[staff]”.',
      '“Ours” has no clauses under it.',
    ]);
    expect(textToVariant('## Ours\n3. [staff]').problems).toEqual([
      'Line 2: the clause has no text.',
      '“Ours” has no clauses under it.',
    ]);
  });
});
