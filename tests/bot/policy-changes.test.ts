import { describe, expect, test } from 'vitest';
import { policyChangeLines } from '../../src/bot/cards/index.ts';
import { diffDocuments } from '../../src/domain/policy-diff.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';

const base: PolicyDocument = {
  title: 'Staff AUP',
  sections: [
    {
      heading: 'Email',
      clauses: [
        {
          number: '1',
          text: 'I will use my school email account for school business only.',
          items: [],
        },
        { text: 'Unnumbered guidance about passwords and how often to change them.', items: [] },
      ],
    },
  ],
  declaration: 'I have read and agree to this policy.',
  consents: [{ key: 'photo', text: 'You may use my photograph on the website.' }],
  approval: null,
};

describe('policyChangeLines', () => {
  test('lists new, reworded and removed clauses, then the declaration and consents', () => {
    const next: PolicyDocument = {
      ...base,
      sections: [
        {
          heading: 'Email',
          clauses: [
            {
              number: '1',
              text: 'I will use my school email account for school business only, including Teams.',
              items: [],
            },
            {
              number: '2',
              text: 'I will not forward chain letters.',
              items: ['No jokes', 'No scams'],
            },
          ],
        },
      ],
      declaration: 'I have read, understood and agree to this policy.',
      consents: [{ key: 'newsletter', text: 'You may name me in the newsletter.' }],
    };
    expect(policyChangeLines(diffDocuments(base, next))).toEqual([
      {
        kind: 'added',
        where: 'Clause 2',
        text: 'I will not forward chain letters. No jokes; No scams',
      },
      {
        kind: 'reworded',
        where: 'Clause 1',
        text: 'I will use my school email account for school business only, including Teams.',
      },
      {
        kind: 'removed',
        where: 'Email',
        text: 'Unnumbered guidance about passwords and how often to change them.',
      },
      {
        kind: 'other',
        where: 'Declaration',
        text: 'I have read, understood and agree to this policy.',
      },
      { kind: 'added', where: 'Consent', text: 'You may name me in the newsletter.' },
      { kind: 'removed', where: 'Consent', text: 'You may use my photograph on the website.' },
    ]);
  });

  test('no changes, no lines', () => {
    expect(policyChangeLines(diffDocuments(base, base))).toEqual([]);
  });
});
