import { describe, expect, it } from 'vitest';
import { audienceView, contentHash } from '../../src/domain/content-hash.ts';
import {
  currentVariant,
  effectiveLabel,
  nextEffectiveVersion,
  schoolCopyOf,
} from '../../src/domain/effective-version.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { Policy, PolicyVersion } from '../../src/domain/policy.ts';
import { resolveVariantAudiences } from '../../src/domain/audience-keys.ts';
import {
  composeEffective,
  effectivePolicyKey,
  fillPlaceholders,
  numberSchoolClauses,
  placeholderContacts,
  schoolsAskedToSignAgain,
  type SchoolVariant,
  type TrustPolicyChange,
  type VariantSchool,
} from '../../src/domain/policy-variant.ts';
import { computeStatus } from '../../src/domain/status.ts';
import { acknowledge } from './builders.ts';

const trustAup: Policy = {
  key: 'trust-aup',
  schoolId: 'northfield-trust',
  scope: 'trust',
  title: 'Northfield Learning Trust AUP',
  audiences: ['staff'],
  renewal: { kind: 'fixed-date', month: 9, day: 1 },
  approvalMode: 'none',
};

function masterDoc(concern: string): PolicyDocument {
  return {
    title: 'Northfield Learning Trust — Acceptable Use Policy ({{school}})',
    sections: [
      {
        heading: 'Safeguarding',
        clauses: [
          { number: '1', text: `${concern} Speak to {{contact:dsl}}.`, items: [] },
          { number: '2', text: 'Passwords stay private.', items: ['Lock your screen.'] },
        ],
      },
    ],
    declaration: 'I have read and agree to the policy of {{school}}.',
    consents: [],
    approval: null,
  };
}

const oakfield: VariantSchool = {
  id: 'oakfield',
  name: 'Oakfield Primary',
  contacts: [
    {
      key: 'dsl',
      name: 'Ruth Ainsley',
      role: 'Designated Safeguarding Lead',
      detail: 'ext. 214',
    },
  ],
};
const riverside: VariantSchool = {
  id: 'riverside',
  name: 'Riverside Academy',
  contacts: [{ key: 'dsl', name: 'Tom Kerr', role: 'Designated Safeguarding Lead' }],
};

const oakfieldClauses: SchoolVariant = {
  sections: [
    {
      heading: 'Oakfield Primary: our own rules',
      clauses: [{ text: 'Forest school tablets stay in the blue box.', items: [] }],
    },
  ],
};

function published(
  policyKey: string,
  number: number,
  document: PolicyDocument,
  changeKind: 'material' | 'minor' = 'material',
): PolicyVersion {
  return {
    policyKey,
    number,
    label: `2026-27 r${number}`,
    status: 'published',
    changeKind,
    publishedAt: `2026-09-0${number}T08:00:00.000Z`,
    document,
    contentHash: contentHash(document),
  };
}

/** What the publish does with a draft (the service stores it): published, older ones retired. */
function publish(versions: PolicyVersion[], draft: PolicyVersion, at: string): PolicyVersion[] {
  return [
    ...versions.map((v) => (v.status === 'published' ? { ...v, status: 'retired' as const } : v)),
    { ...draft, status: 'published', publishedAt: at },
  ];
}

describe('placeholders', () => {
  it("fill the school's name and its contacts, everywhere in the text", () => {
    const filled = fillPlaceholders(masterDoc('Report a concern.'), oakfield);
    expect(filled.title).toBe(
      'Northfield Learning Trust — Acceptable Use Policy (Oakfield Primary)',
    );
    expect(filled.sections[0]?.clauses[0]?.text).toBe(
      'Report a concern. Speak to Ruth Ainsley (Designated Safeguarding Lead), ext. 214.',
    );
    expect(filled.declaration).toBe('I have read and agree to the policy of Oakfield Primary.');
    expect(
      placeholderContacts('{{contact:dsl}} or {{ contact:it-lead }}, {{contact:dsl}}'),
    ).toEqual(['dsl', 'it-lead']);
  });

  it('refuse a school without the contact the master names, naming it', () => {
    const without: VariantSchool = { id: 'hillside', name: 'Hillside School' };
    const refusal = (() => {
      try {
        fillPlaceholders(masterDoc('x'), without);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(CountersignError);
    expect((refusal as CountersignError).code).toBe('validation');
    expect((refusal as CountersignError).details).toEqual({
      schoolId: 'hillside',
      contacts: ['dsl'],
    });
  });
});

describe('the effective document', () => {
  it("is the master's sections then the school's, each school's text and hash its own", () => {
    const master = masterDoc('Report a concern.');
    const a = composeEffective(master, oakfieldClauses, oakfield);
    const b = composeEffective(master, { sections: [] }, riverside);
    expect(a.sections.map((s) => s.heading)).toEqual([
      'Safeguarding',
      'Oakfield Primary: our own rules',
    ]);
    expect(b.sections.map((s) => s.heading)).toEqual(['Safeguarding']);
    expect(b.sections[0]?.clauses[0]?.text).toContain('Tom Kerr');
    expect(contentHash(a)).not.toBe(contentHash(b));
  });

  it('has a key per school that is a policy key, and refuses one that cannot be', () => {
    expect(effectivePolicyKey('trust-aup', 'oakfield')).toBe('trust-aup--oakfield');
    expect(() => effectivePolicyKey('trust-aup', 'Oak Field')).toThrow(CountersignError);
  });

  it('labels name the master, the school and the variant, within 100 characters', () => {
    expect(effectiveLabel('2026-27', 'Oakfield Primary', 0)).toBe('2026-27 · Oakfield Primary');
    expect(effectiveLabel('2026-27', 'Oakfield Primary', 2)).toBe(
      '2026-27 · Oakfield Primary variant 2',
    );
    expect(effectiveLabel('x'.repeat(90), 'Oakfield Primary', 2)).toHaveLength(100);
  });
});

describe('what a person of each school must sign again', () => {
  const copyA = schoolCopyOf(trustAup, oakfield.id);
  const copyB = schoolCopyOf(trustAup, riverside.id);
  const alice = '11111111-1111-4111-8111-111111111111';
  const bob = '22222222-2222-4222-8222-222222222222';

  function statusOf(
    copy: Policy,
    versions: PolicyVersion[],
    signedVersion: PolicyVersion,
    userId: string,
  ) {
    return computeStatus({
      policy: copy,
      versions,
      acknowledgements: [
        acknowledge(signedVersion, '2026-09-10T09:00:00.000Z', 'not-required', { userId }),
      ],
      personAudiences: ['staff'],
      timeZone: 'Europe/London',
      now: new Date('2026-10-01T12:00:00.000Z'),
    }).kind;
  }

  /** Both schools on master 1, Oakfield with its variant 1; Alice (A) and Bob (B) signed. */
  function start() {
    const master1 = published(trustAup.key, 1, masterDoc('Report a concern.'));
    const first = (
      copy: Policy,
      school: VariantSchool,
      variant: { version: number; variant: SchoolVariant } = {
        version: 0,
        variant: { sections: [] },
      },
    ) =>
      nextEffectiveVersion({
        copy,
        copyVersions: [],
        master: master1,
        school,
        variant,
        change: { kind: 'master', changeKind: 'minor' },
      });
    const a1 = first(copyA, oakfield, { version: 1, variant: oakfieldClauses });
    const b1 = first(copyB, riverside);
    const a = publish([], a1, '2026-09-02T08:00:00.000Z');
    const b = publish([], b1, '2026-09-02T08:00:00.000Z');
    return { master1, a, b };
  }

  function next(
    copy: Policy,
    versions: PolicyVersion[],
    master: PolicyVersion,
    school: VariantSchool,
    change: TrustPolicyChange,
    variant = currentVariant(versions),
  ): PolicyVersion[] {
    const draft = nextEffectiveVersion({
      copy,
      copyVersions: versions,
      master,
      school,
      variant,
      change,
    });
    return publish(versions, draft, '2026-09-20T08:00:00.000Z');
  }

  it('a school copy starts at version 1, material, carrying master and variant numbers', () => {
    const { a, b } = start();
    expect(a[0]).toMatchObject({
      policyKey: 'trust-aup--oakfield',
      number: 1,
      changeKind: 'material',
      label: '2026-27 r1 · Oakfield Primary variant 1',
      composition: { masterPolicyKey: 'trust-aup', masterVersion: 1, variantVersion: 1 },
    });
    expect(b[0]?.composition?.variantVersion).toBe(0);
    expect(copyA).toMatchObject({ schoolId: 'oakfield', masterPolicyKey: 'trust-aup' });
    expect(copyA.scope).toBeUndefined();
  });

  it('a material change to the master makes everyone in every school due', () => {
    const { a, b } = start();
    const master2 = published(trustAup.key, 2, masterDoc('Report every concern at once.'));
    const change: TrustPolicyChange = { kind: 'master', changeKind: 'material' };
    const a2 = next(copyA, a, master2, oakfield, change);
    const b2 = next(copyB, b, master2, riverside, change);
    expect(schoolsAskedToSignAgain(change, ['oakfield', 'riverside'])).toEqual([
      'oakfield',
      'riverside',
    ]);
    expect(statusOf(copyA, a2, a[0] as PolicyVersion, alice)).toBe('due');
    expect(statusOf(copyB, b2, b[0] as PolicyVersion, bob)).toBe('due');
    // Oakfield's own clauses are carried onto the new master untouched.
    expect(a2.at(-1)?.composition).toMatchObject({ masterVersion: 2, variantVersion: 1 });
    expect(a2.at(-1)?.document.sections.at(-1)?.heading).toBe('Oakfield Primary: our own rules');
  });

  it("a material change to one school's variant makes only that school's people due", () => {
    const { master1, a, b } = start();
    const change: TrustPolicyChange = {
      kind: 'variant',
      schoolId: 'oakfield',
      changeKind: 'material',
    };
    const variant2: SchoolVariant = {
      sections: [
        {
          heading: 'Oakfield Primary: our own rules',
          clauses: [
            { text: 'Forest school tablets are signed out by the class teacher.', items: [] },
          ],
        },
      ],
    };
    const a2 = next(copyA, a, master1, oakfield, change, { version: 2, variant: variant2 });
    expect(schoolsAskedToSignAgain(change, ['oakfield', 'riverside'])).toEqual(['oakfield']);
    expect(a2.at(-1)).toMatchObject({
      number: 2,
      changeKind: 'material',
      composition: { masterVersion: 1, variantVersion: 2 },
    });
    expect(statusOf(copyA, a2, a[0] as PolicyVersion, alice)).toBe('due');
    // Riverside got no new version: Bob's signature stands.
    expect(statusOf(copyB, b, b[0] as PolicyVersion, bob)).toBe('signed');
  });

  it('a minor change (master or variant) leaves every signature standing', () => {
    const { a, b } = start();
    const master2 = published(trustAup.key, 2, masterDoc('Report a concern, please.'), 'minor');
    const change: TrustPolicyChange = { kind: 'master', changeKind: 'minor' };
    expect(schoolsAskedToSignAgain(change, ['oakfield', 'riverside'])).toEqual([]);
    const a2 = next(copyA, a, master2, oakfield, change);
    const b2 = next(copyB, b, master2, riverside, change);
    expect(a2.at(-1)?.changeKind).toBe('minor');
    expect(statusOf(copyA, a2, a[0] as PolicyVersion, alice)).toBe('signed');
    expect(statusOf(copyB, b2, b[0] as PolicyVersion, bob)).toBe('signed');
  });

  it('refuses to compose from a master that is not published, or a variant for another school', () => {
    const { master1, a } = start();
    const draft = { ...master1, number: 2, status: 'draft' as const };
    expect(() =>
      nextEffectiveVersion({
        copy: copyA,
        copyVersions: a,
        master: draft,
        school: oakfield,
        variant: currentVariant(a),
        change: { kind: 'master', changeKind: 'material' },
      }),
    ).toThrow(/not published/);
    expect(() =>
      nextEffectiveVersion({
        copy: copyA,
        copyVersions: a,
        master: master1,
        school: oakfield,
        variant: currentVariant(a),
        change: { kind: 'variant', schoolId: 'riverside', changeKind: 'material' },
      }),
    ).toThrow(/only its own school/);
    expect(() => schoolCopyOf({ ...trustAup, scope: 'school' }, 'oakfield')).toThrow(
      /not a trust policy/,
    );
  });
});

describe("a school's own clauses: numbered after the master's, for the school's audiences", () => {
  /** Two sections of the school's: numbered clauses (the number typed is only a mark), one not. */
  const ownRules: SchoolVariant = {
    sections: [
      {
        heading: 'Our own rules',
        clauses: [
          { number: '1', text: 'Tablets stay in the blue box.', items: [] },
          { text: 'Ask the office if unsure.', items: [] },
          { number: '9', text: 'Staff laptops go home locked.', audience: ['staff'], items: [] },
        ],
      },
      {
        heading: 'Forest school',
        clauses: [{ number: 'x', text: 'No devices by the pond.', items: [] }],
      },
    ],
  };
  const numbers = (v: SchoolVariant) => v.sections.map((s) => s.clauses.map((c) => c.number));

  it("continue the master's 1, 2, 3… from its last number; unnumbered clauses stay so", () => {
    // masterDoc numbers its clauses 1 and 2.
    const doc = composeEffective(masterDoc('Report a concern.'), ownRules, oakfield);
    expect(doc.sections.map((s) => s.clauses.map((c) => c.number))).toEqual([
      ['1', '2'],
      ['3', undefined, '4'],
      ['5'],
    ]);
    // The restriction is kept as it is: the clause is for staff.
    expect(doc.sections[1]?.clauses[2]?.audience).toEqual(['staff']);
  });

  it('follow a master that restarts in each section, or numbers by section', () => {
    const restart: PolicyDocument = {
      ...masterDoc('x'),
      sections: [
        { heading: 'A', clauses: [{ number: '1', text: 'a', items: [] }] },
        {
          heading: 'B',
          clauses: [
            { number: '1', text: 'b', items: [] },
            { number: '2', text: 'c', items: [] },
          ],
        },
      ],
    };
    expect(numbers(numberSchoolClauses(restart, ownRules))).toEqual([['1', undefined, '2'], ['1']]);
    const dotted: PolicyDocument = {
      ...masterDoc('x'),
      sections: [
        { heading: '1 Use', clauses: [{ number: '1.1', text: 'a', items: [] }] },
        {
          heading: '2 Care',
          clauses: [
            { number: '2.1', text: 'b', items: [] },
            { number: '2.2', text: 'c', items: [] },
          ],
        },
      ],
    };
    expect(numbers(numberSchoolClauses(dotted, ownRules))).toEqual([
      ['3.1', undefined, '3.2'],
      ['4.1'],
    ]);
    // Numbers in no scheme (letters): the school's are kept as typed.
    const lettered: PolicyDocument = {
      ...masterDoc('x'),
      sections: [{ heading: 'A', clauses: [{ number: 'a', text: 'a', items: [] }] }],
    };
    expect(numberSchoolClauses(lettered, ownRules)).toBe(ownRules);
  });

  it('are numbered again after a new master, and kept numbered in the composition', () => {
    const master1 = published(trustAup.key, 1, masterDoc('Report a concern.'));
    const copy = schoolCopyOf(trustAup, oakfield.id);
    const v1 = nextEffectiveVersion({
      copy,
      copyVersions: [],
      master: master1,
      school: oakfield,
      variant: { version: 1, variant: ownRules },
      change: { kind: 'variant', schoolId: oakfield.id, changeKind: 'material' },
    });
    expect(numbers(v1.composition?.variant ?? { sections: [] })).toEqual([
      ['3', undefined, '4'],
      ['5'],
    ]);
    // The master gains a clause: the school's follow it, from the variant as it was kept.
    const longer = masterDoc('Report a concern.');
    longer.sections[0]?.clauses.push({ number: '3', text: 'Report lost devices.', items: [] });
    const versions = publish([], v1, '2026-09-02T08:00:00.000Z');
    const v2 = nextEffectiveVersion({
      copy,
      copyVersions: versions,
      master: published(trustAup.key, 2, longer),
      school: oakfield,
      variant: currentVariant(versions),
      change: { kind: 'master', changeKind: 'material' },
    });
    expect(v2.document.sections.slice(1).map((s) => s.clauses.map((c) => c.number))).toEqual([
      ['4', undefined, '5'],
      ['6'],
    ]);
    // The evidence is the composed text: its hash covers the numbers and the restriction.
    expect(v1.contentHash).toBe(contentHash(v1.document));
    const unnumbered: SchoolVariant = {
      sections: ownRules.sections.map((s) => ({
        ...s,
        clauses: s.clauses.map(({ number: _n, audience: _a, ...c }) => c),
      })),
    };
    expect(contentHash(composeEffective(master1.document, unnumbered, oakfield))).not.toBe(
      v1.contentHash,
    );
    // A pupil reads the text without the staff-only clause; staff read it with it.
    const texts = (audience: string) =>
      audienceView(v1.document, [audience]).sections.flatMap((s) => s.clauses.map((c) => c.text));
    expect(texts('staff')).toContain('Staff laptops go home locked.');
    expect(texts('pupils')).not.toContain('Staff laptops go home locked.');
  });

  it("a school's own material change to its clauses makes only its people due", () => {
    const riversideCopy = schoolCopyOf(trustAup, riverside.id);
    const master1 = published(trustAup.key, 1, masterDoc('Report a concern.'));
    const first = (copy: Policy, school: VariantSchool, variant: SchoolVariant) =>
      publish(
        [],
        nextEffectiveVersion({
          copy,
          copyVersions: [],
          master: master1,
          school,
          variant: { version: 1, variant },
          change: { kind: 'master', changeKind: 'material' },
        }),
        '2026-09-02T08:00:00.000Z',
      );
    const oakCopy = schoolCopyOf(trustAup, oakfield.id);
    const a = first(oakCopy, oakfield, ownRules);
    const b = first(riversideCopy, riverside, { sections: [] });
    const change: TrustPolicyChange = {
      kind: 'variant',
      schoolId: oakfield.id,
      changeKind: 'material',
    };
    const widened: SchoolVariant = {
      sections: [
        {
          heading: 'Our own rules',
          clauses: [
            { number: '1', text: 'Every device is logged.', audience: ['staff'], items: [] },
          ],
        },
      ],
    };
    const a2 = publish(
      a,
      nextEffectiveVersion({
        copy: oakCopy,
        copyVersions: a,
        master: master1,
        school: oakfield,
        variant: { version: 2, variant: widened },
        change,
      }),
      '2026-09-20T08:00:00.000Z',
    );
    const status = (copy: Policy, versions: PolicyVersion[], signed: PolicyVersion) =>
      computeStatus({
        policy: copy,
        versions,
        acknowledgements: [acknowledge(signed, '2026-09-10T09:00:00.000Z', 'not-required')],
        personAudiences: ['staff'],
        timeZone: 'Europe/London',
        now: new Date('2026-10-01T12:00:00.000Z'),
      }).kind;
    expect(schoolsAskedToSignAgain(change, [oakfield.id, riverside.id])).toEqual([oakfield.id]);
    expect(status(oakCopy, a2, a[0] as PolicyVersion)).toBe('due');
    expect(status(riversideCopy, b, b[0] as PolicyVersion)).toBe('signed');
  });

  it("audiences: the school's that the policy applies to, by key or name; any other refused, naming the clause", () => {
    const school = {
      name: 'Oakfield Primary',
      audiences: [
        { key: 'staff', label: 'Staff', groupIds: [] },
        { key: 'governor', label: 'Governors', groupIds: [] },
        { key: 'pupils', label: 'Pupils', groupIds: [] },
      ],
    };
    const asked = (audience: string[]): SchoolVariant => ({
      sections: [
        { heading: 'Ours', clauses: [{ number: '1', text: 'Only some.', audience, items: [] }] },
      ],
    });
    expect(
      resolveVariantAudiences(asked(['governors', 'staff']), school, ['staff', 'governor'])
        .sections[0]?.clauses[0]?.audience,
    ).toEqual(['governor', 'staff']);
    const refused = (() => {
      try {
        resolveVariantAudiences(asked(['volunteers', 'pupils']), school, ['staff', 'governor']);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(CountersignError);
    expect((refused as CountersignError).code).toBe('validation');
    expect((refused as CountersignError).message).toBe(
      "A clause can be for Oakfield Primary's audiences this policy applies to only (staff, governor): “volunteers” on clause 1 (“Only some.”); “pupils” on clause 1 (“Only some.”).",
    );
  });
});
