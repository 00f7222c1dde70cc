import { describe, expect, it } from 'vitest';
import {
  audienceContentHash,
  audienceView,
  contentHash,
  normaliseDocument,
} from '../../src/domain/content-hash.ts';
import { policyDocumentSchema, type PolicyDocument } from '../../src/domain/policy-document.ts';
import { aupV1, aupV2, aupV3 } from './aup-versions.ts';

/** The same object with every object's keys written in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, member]) => [key, reverseKeys(member)]),
    );
  }
  return value;
}

/** Replaces one clause's text (first section whose clause matches). */
function withClauseText(doc: PolicyDocument, from: string, to: string): PolicyDocument {
  return {
    ...doc,
    sections: doc.sections.map((section) => ({
      ...section,
      clauses: section.clauses.map((clause) =>
        clause.text.includes(from) ? { ...clause, text: clause.text.replace(from, to) } : clause,
      ),
    })),
  };
}

describe('contentHash', () => {
  const hash = contentHash(aupV1);

  it('is SHA-256 hex and valid for the schema of a version', () => {
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(policyDocumentSchema.parse(aupV1)).toEqual(aupV1);
  });

  it('does not change with key order', () => {
    expect(contentHash(reverseKeys(aupV1) as PolicyDocument)).toBe(hash);
  });

  it('does not change with white space: runs, newlines, tabs, no-break spaces, ends', () => {
    const spaced = withClauseText(
      withClauseText(
        aupV1,
        'I will leave my phone in my pocket',
        '  I will leave my\n\n phone\tin my  pocket',
      ),
      'turned off when',
      'turned\u00a0off   when',
    );
    const padded = {
      ...spaced,
      title: `\n${spaced.title}   `,
      declaration: `${spaced.declaration}\r\n`,
    };
    expect(contentHash(padded)).toBe(hash);
  });

  it('does not change with Unicode composition (NFC)', () => {
    const composed = { ...aupV1, title: 'Caf\u00e9 staff AUP' };
    const decomposed = { ...aupV1, title: 'Cafe\u0301 staff AUP' };
    expect(contentHash(decomposed)).toBe(contentHash(composed));
  });

  it('ignores properties outside the schema', () => {
    const extra = { ...aupV1, importedFrom: 'aup.docx' } as PolicyDocument;
    expect(contentHash(extra)).toBe(hash);
  });

  it('changes when one word changes', () => {
    expect(contentHash(withClauseText(aupV1, 'in my pocket', 'in my bag'))).not.toBe(hash);
  });

  it('changes when a sub-item, the declaration, a number or a consent changes', () => {
    const item = {
      ...aupV1,
      sections: aupV1.sections.map((section) => ({
        ...section,
        clauses: section.clauses.map((clause) => ({
          ...clause,
          items: clause.items.map((text) => text.replace('anyone', 'any person')),
        })),
      })),
    };
    expect(contentHash(item)).not.toBe(hash);
    expect(contentHash({ ...aupV1, declaration: `${aupV1.declaration} ` })).toBe(hash);
    expect(
      contentHash({ ...aupV1, declaration: aupV1.declaration.replace('read,', 'read') }),
    ).not.toBe(hash);
    expect(
      contentHash({ ...aupV1, consents: [{ key: 'photo', text: 'You may use my photograph.' }] }),
    ).not.toBe(hash);
  });

  it('is case-sensitive: a change of capitals is a change of wording', () => {
    expect(contentHash({ ...aupV1, title: aupV1.title.toUpperCase() })).not.toBe(hash);
  });
});

describe('normaliseDocument', () => {
  it('collapses white space, sorts audience keys and keeps absent fields absent', () => {
    const doc: PolicyDocument = {
      title: '  Staff  AUP ',
      sections: [
        {
          heading: 'What am I\nagreeing to?',
          clauses: [
            {
              text: ' I  will\n report ',
              audience: ['staff', 'governors', 'staff'],
              items: [' a  b '],
            },
          ],
        },
      ],
      declaration: 'I agree.',
      consents: [{ key: 'photo', text: ' Photos\tOK ' }],
      approval: { statement: ' I approve ' },
    };
    expect(normaliseDocument(doc)).toEqual({
      title: 'Staff AUP',
      sections: [
        {
          heading: 'What am I agreeing to?',
          clauses: [{ text: 'I will report', audience: ['governors', 'staff'], items: ['a b'] }],
        },
      ],
      declaration: 'I agree.',
      consents: [{ key: 'photo', text: 'Photos OK' }],
      approval: { statement: 'I approve' },
    });
  });
});

describe('audienceView and audienceContentHash', () => {
  it('drops clauses restricted to other audiences and keeps the rest', () => {
    const governors = audienceView(aupV1, ['governors']);
    const texts = governors.sections.flatMap((section) => section.clauses.map((c) => c.text));
    expect(texts.some((text) => text.includes('new platform or app'))).toBe(false);
    expect(texts.some((text) => text.includes('Online Safety Policy and agree'))).toBe(true);
    expect(texts).toHaveLength(9);
    const staff = audienceView(aupV1, ['staff']);
    expect(staff.sections.flatMap((section) => section.clauses)).toHaveLength(10);
    const volunteers = audienceView(aupV1, ['volunteers']);
    expect(volunteers.sections.flatMap((section) => section.clauses)).toHaveLength(8);
  });

  it('drops a section emptied by the audience, keeps one that was empty anyway', () => {
    const doc: PolicyDocument = {
      ...aupV1,
      sections: [
        {
          heading: 'For staff',
          clauses: [{ text: 'Staff only.', audience: ['staff'], items: [] }],
        },
        { heading: 'Signature', clauses: [] },
      ],
    };
    expect(audienceView(doc, ['governors']).sections.map((s) => s.heading)).toEqual(['Signature']);
  });

  it('a change to a staff-only clause leaves the governors’ hash alone but not the staff’s', () => {
    expect(audienceContentHash(aupV3, ['governors'])).toBe(
      audienceContentHash(aupV2, ['governors']),
    );
    expect(audienceContentHash(aupV3, ['staff'])).not.toBe(audienceContentHash(aupV2, ['staff']));
    expect(contentHash(aupV3)).not.toBe(contentHash(aupV2));
  });

  it('a change to a clause for everyone changes every audience’s hash', () => {
    for (const audience of ['staff', 'governors', 'volunteers']) {
      expect(audienceContentHash(aupV2, [audience])).not.toBe(
        audienceContentHash(aupV1, [audience]),
      );
    }
  });

  it('widening a clause to another audience does not change the view of those who saw it', () => {
    const widened = {
      ...aupV2,
      sections: aupV2.sections.map((section) => ({
        ...section,
        clauses: section.clauses.map((clause) =>
          clause.audience?.includes('staff') === true && !clause.audience.includes('governors')
            ? { ...clause, audience: ['staff', 'volunteers'] }
            : clause,
        ),
      })),
    };
    expect(audienceContentHash(widened, ['staff'])).toBe(audienceContentHash(aupV2, ['staff']));
    expect(audienceContentHash(widened, ['volunteers'])).not.toBe(
      audienceContentHash(aupV2, ['volunteers']),
    );
  });
});
