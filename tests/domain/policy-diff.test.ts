import { describe, expect, it } from 'vitest';
import { diffDocuments, summariseDiff, type PolicyDiff } from '../../src/domain/policy-diff.ts';
import type { Clause, PolicyDocument } from '../../src/domain/policy-document.ts';
import { aupV1, aupV2, aupV3 } from './aup-versions.ts';

function mapClauses(doc: PolicyDocument, change: (clause: Clause) => Clause): PolicyDocument {
  return {
    ...doc,
    sections: doc.sections.map((section) => ({ ...section, clauses: section.clauses.map(change) })),
  };
}

describe('diffDocuments on two versions of a real-style AUP', () => {
  const diff = diffDocuments(aupV1, aupV2);

  it('finds the one added, one removed and one reworded clause, and nothing else', () => {
    expect(diff.added).toHaveLength(1);
    expect(diff.added[0]).toMatchObject({
      sectionHeading: 'What am I agreeing to?',
      number: '8',
    });
    expect(diff.added[0]?.text).toMatch(/^I will not enter pupils’ personal information/);

    expect(diff.removed).toHaveLength(1);
    expect(diff.removed[0]).toMatchObject({
      sectionHeading: 'What am I agreeing to?',
      number: '5',
    });
    expect(diff.removed[0]?.text).toMatch(/USB memory sticks/);

    expect(diff.reworded).toHaveLength(1);
    const [reworded] = diff.reworded;
    expect(reworded?.before.number).toBe('4');
    expect(reworded?.after.number).toBe('4');
    expect(reworded?.before.text).toContain('in my pocket and turned off');
    expect(reworded?.after.text).toContain('in my bag and switched off');
    expect(reworded?.similarity).toBeGreaterThan(0.5);
    expect(reworded?.similarity).toBeLessThan(1);
  });

  it('does not count renumbering as a change', () => {
    // Intro + clauses 1–3 + data protection, apps, role model, breach are the same words.
    expect(diff.unchanged).toBe(8);
    // Data protection 6→5, apps 7→6, role model 8→7; breach stays 9 (a clause was added too).
    expect(diff.renumbered).toBe(3);
    expect(diff.declaration).toBeNull();
    expect(diff.title).toBeNull();
    expect(diff.changed).toBe(true);
  });

  it('summarises for a card', () => {
    expect(summariseDiff(diff)).toBe('1 new clause, 1 reworded, 1 removed');
  });

  it('reads backwards as the mirror image', () => {
    const back = diffDocuments(aupV2, aupV1);
    expect(back.added.map((c) => c.text)).toEqual(diff.removed.map((c) => c.text));
    expect(back.removed.map((c) => c.text)).toEqual(diff.added.map((c) => c.text));
    expect(back.reworded[0]?.after.text).toBe(diff.reworded[0]?.before.text);
  });

  it('is empty between a document and itself, or a renumbered copy of it', () => {
    expect(summariseDiff(diffDocuments(aupV2, aupV2))).toBe('No changes to the text');
    const renumbered = mapClauses(aupV2, (clause) =>
      clause.number === undefined ? clause : { ...clause, number: `4.${clause.number}` },
    );
    const same = diffDocuments(aupV2, renumbered);
    expect(same.changed).toBe(false);
    expect(same.renumbered).toBe(9);
    expect(summariseDiff(same)).toBe('No changes to the text');
  });

  it('ignores white space and key order, as the content hash does', () => {
    const spaced = mapClauses(aupV2, (clause) => ({
      ...clause,
      text: `  ${clause.text.replaceAll(' ', '  ')}\n`,
    }));
    expect(diffDocuments(aupV2, spaced).changed).toBe(false);
  });
});

describe('diffDocuments for an audience', () => {
  it('a governor sees no change when only a staff-only clause was reworded', () => {
    expect(summariseDiff(diffDocuments(aupV2, aupV3, ['governors']))).toBe(
      'No changes to the text',
    );
    const staff = diffDocuments(aupV2, aupV3, ['staff']);
    expect(summariseDiff(staff)).toBe('1 reworded');
    expect(staff.reworded[0]?.before.audience).toEqual(['staff']);
    expect(staff.reworded[0]?.after.text).toContain('Computing Lead');
  });

  it('without audiences shows every clause', () => {
    expect(diffDocuments(aupV2, aupV3).reworded).toHaveLength(1);
  });
});

describe('diffDocuments in detail', () => {
  it('treats a changed sub-item as a reworded clause', () => {
    const changed = mapClauses(aupV2, (clause) => ({
      ...clause,
      items: clause.items.map((item) => item.replace('anyone', 'anyone, including colleagues')),
    }));
    const diff = diffDocuments(aupV2, changed);
    expect(diff.reworded).toHaveLength(1);
    expect(diff.reworded[0]?.after.items[0]).toBe(
      'not sharing my passwords or login details with anyone, including colleagues',
    );
    expect(diff.added).toHaveLength(0);
  });

  it('matches a clause moved to another section and reworded', () => {
    const moved: PolicyDocument = {
      ...aupV2,
      sections: [
        ...aupV2.sections.map((section) => ({
          ...section,
          clauses: section.clauses.filter((clause) => !clause.text.includes('role model')),
        })),
        {
          heading: 'Social media',
          clauses: [
            {
              text: 'I understand that I am a role model and will model safe, responsible and kind behaviours in my own use of technology, including social media.',
              items: [],
            },
          ],
        },
      ],
    };
    const diff = diffDocuments(aupV2, moved);
    expect(diff.added).toHaveLength(0);
    expect(diff.removed).toHaveLength(0);
    expect(diff.reworded).toHaveLength(1);
    expect(diff.reworded[0]?.before.sectionHeading).toBe('What am I agreeing to?');
    expect(diff.reworded[0]?.after.sectionHeading).toBe('Social media');
    expect(diff.headings).toEqual({ added: ['Social media'], removed: [] });
    expect(summariseDiff(diff)).toBe('1 reworded, section headings changed');
  });

  it('reports a replaced clause as removed and added, not reworded', () => {
    const replaced = mapClauses(aupV2, (clause) =>
      clause.text.includes('role model')
        ? {
            ...clause,
            text: 'Passwords must be at least twelve characters long and changed each term.',
          }
        : clause,
    );
    const diff = diffDocuments(aupV2, replaced);
    expect(diff.reworded).toHaveLength(0);
    expect(summariseDiff(diff)).toBe('1 new clause, 1 removed');
  });

  it('pairs duplicates one to one', () => {
    const twice: PolicyDocument = {
      ...aupV2,
      sections: [
        {
          heading: 'A',
          clauses: [
            { text: 'Same words.', items: [] },
            { text: 'Same words.', items: [] },
          ],
        },
      ],
    };
    const once: PolicyDocument = {
      ...twice,
      sections: [{ heading: 'A', clauses: [{ text: 'Same words.', items: [] }] }],
    };
    const diff = diffDocuments(twice, once);
    expect(diff.unchanged).toBe(1);
    expect(diff.removed).toHaveLength(1);
  });

  it('reports declaration, consent, audience, title and approval changes', () => {
    const widened = mapClauses(aupV2, (clause) =>
      clause.audience?.length === 1 ? { ...clause, audience: ['staff', 'volunteers'] } : clause,
    );
    const after: PolicyDocument = {
      ...widened,
      title: 'Staff and Volunteer Acceptable Use Policy',
      declaration: `${aupV2.declaration} I will sign it again each September.`,
      consents: [
        {
          key: 'photo',
          text: 'I give permission for my photograph to be used on the school website.',
        },
      ],
      approval: { statement: 'I approve this user.', approverRole: 'Headteacher' },
    };
    const diff = diffDocuments(aupV2, after);
    expect(diff.declaration?.after).toMatch(/each September\.$/);
    expect(diff.consents.added.map((c) => c.key)).toEqual(['photo']);
    expect(diff.audienceChanged).toHaveLength(1);
    expect(diff.title).toEqual({ before: aupV2.title, after: after.title });
    expect(diff.approval?.after).toEqual(after.approval);
    expect(diff.unchanged).toBe(10);
    expect(summariseDiff(diff)).toBe(
      'Declaration reworded, 1 new consent, audience changed on 1 clause, title changed, approval section changed',
    );

    const reworded = diffDocuments(after, {
      ...after,
      consents: [
        { key: 'photo', text: 'I give permission for my photograph to be used in the newsletter.' },
      ],
    });
    expect(reworded.consents.reworded).toEqual([
      {
        key: 'photo',
        before: 'I give permission for my photograph to be used on the school website.',
        after: 'I give permission for my photograph to be used in the newsletter.',
      },
    ]);
    expect(summariseDiff(diffDocuments(after, { ...after, consents: [] }))).toBe(
      '1 consent removed',
    );
  });

  it('pluralises the summary', () => {
    const diff: PolicyDiff = {
      ...diffDocuments(aupV2, aupV2),
      added: [aupV2, aupV2].map(() => ({ sectionHeading: 'A', text: 'x', items: [] })),
      removed: [1, 2, 3].map(() => ({ sectionHeading: 'A', text: 'x', items: [] })),
      reworded: [1, 2, 3].map(() => ({
        before: { sectionHeading: 'A', text: 'x', items: [] },
        after: { sectionHeading: 'A', text: 'y', items: [] },
        similarity: 0.6,
      })),
    };
    expect(summariseDiff(diff)).toBe('2 new clauses, 3 reworded, 3 removed');
  });
});
