import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { SharePointRecordStore } from '../../src/adapters/graph/sharepoint-record-store.ts';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { School } from '../../src/domain/school.ts';
import type { Actor } from '../../src/services/actor.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { assembleEvidencePack } from '../../src/services/evidence-pack.ts';
import type { TrustContext } from '../../src/services/service-context.ts';
import { provisionedRecordStore } from '../api/support/provisioned-site.ts';

/**
 * Trust-wide policies with school variants (issue 14, item 3) over the real service and the
 * SharePoint record store on the Graph emulator: one site, two schools each served as the
 * service serves a school, one trust lead.
 */
const oakfield: School = {
  id: 'oakfield',
  name: 'Oakfield Primary',
  timeZone: 'Europe/London',
  audiences: [{ key: 'staff', label: 'Staff', groupIds: ['g-oak'] }],
  approverIds: [],
  adminIds: ['u-oak-admin'],
  contacts: [{ key: 'dsl', name: 'Ruth Ainsley', role: 'Designated Safeguarding Lead' }],
};
// Riverside has no DSL contact at first: the first publish must stop on it.
const riverside: School = {
  id: 'riverside',
  name: 'Riverside Academy',
  timeZone: 'Europe/London',
  audiences: [{ key: 'staff', label: 'Staff', groupIds: ['g-river'] }],
  approverIds: [],
  adminIds: ['u-river-admin'],
};
const schools = { oakfield, riverside };

const PEOPLE = [
  { id: 'u-lead', displayName: 'Lena Trust', userPrincipalName: 'lena@trust.example' },
  { id: 'u-oak-admin', displayName: 'Omar Admin', userPrincipalName: 'omar@oak.example' },
  { id: 'u-oak-staff', displayName: 'Olive Staff', userPrincipalName: 'olive@oak.example' },
  { id: 'u-river-admin', displayName: 'Rita Admin', userPrincipalName: 'rita@river.example' },
  { id: 'u-river-staff', displayName: 'Rob Staff', userPrincipalName: 'rob@river.example' },
];

const actor = (id: string, roles: Actor['roles'] = []): Actor => {
  const person = PEOPLE.find((p) => p.id === id);
  if (person === undefined) throw new Error(id);
  return { id, displayName: person.displayName, upn: person.userPrincipalName, roles };
};
const lead = actor('u-lead');
const oakAdmin = actor('u-oak-admin', ['Policy.Admin']);
const riverAdmin = actor('u-river-admin', ['Policy.Admin']);
const olive = actor('u-oak-staff');
const rob = actor('u-river-staff');

function master(concern: string): PolicyDocument {
  return {
    title: 'Northfield Learning Trust Acceptable Use Policy',
    sections: [
      {
        heading: 'Safeguarding',
        clauses: [
          { number: '1', text: `${concern} Speak to {{contact:dsl}}.`, items: [] },
          { number: '2', text: 'I keep my passwords private.', items: [] },
        ],
      },
    ],
    declaration: 'I have read and agree to the Acceptable Use Policy of {{school}}.',
    consents: [],
    approval: null,
  };
}

async function refusal(promise: Promise<unknown>): Promise<CountersignError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CountersignError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('trust policies with school variants (real service, Graph emulator)', () => {
  let emulator: GraphEmulator;
  let records: SharePointRecordStore;
  let atOak: CountersignService;
  let atRiver: CountersignService;
  let now = new Date('2026-09-01T08:00:00.000Z');
  const keys = memoryEvidenceKeys();
  const directory = new MemoryDirectory({
    people: PEOPLE,
    groups: [
      { id: 'g-oak', members: ['u-oak-admin', 'u-oak-staff'] },
      { id: 'g-river', members: ['u-river-admin', 'u-river-staff'] },
    ],
  });
  const trust: TrustContext = {
    id: '@trust',
    read: () =>
      Promise.resolve({
        name: 'Northfield Learning Trust',
        leadIds: ['u-lead'],
        schools: [schools.oakfield, schools.riverside],
      }),
  };
  const statusOf = async (service: CountersignService, who: Actor) => {
    const views = await service.myPolicies(who);
    return views.find((v) => v.policy.masterPolicyKey === 'trust-aup');
  };
  const sign = (service: CountersignService, who: Actor, versionNumber: number) =>
    service.sign(who, {
      policyKey: `trust-aup--${service === atOak ? 'oakfield' : 'riverside'}`,
      versionNumber,
      declarationAccepted: true,
      typedName: who.displayName,
      statedRole: 'Teacher',
      consents: {},
      channel: 'tab',
    });

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    records = await provisionedRecordStore(emulator);
    const serve = (school: School) =>
      createCountersignService({
        records,
        directory,
        clock: { now: () => now },
        sealKey: 'trust-tests-seal-key-0123456789abcdef0123456',
        evidence: keys,
        school,
        trust,
        readCache: false,
      });
    atOak = serve(oakfield);
    atRiver = serve(riverside);
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('only the trust lead creates, drafts and publishes the master', async () => {
    const input = {
      key: 'trust-aup',
      title: 'Trust AUP',
      audiences: ['staff'],
      approvalMode: 'none' as const,
    };
    expect((await refusal(atOak.trust.create(oakAdmin, input))).code).toBe('forbidden');
    const policy = await atOak.trust.create(lead, input);
    expect(policy).toMatchObject({ scope: 'trust', schoolId: '@trust' });
    const draft = await atOak.trust.saveMasterDraft(lead, {
      policyKey: 'trust-aup',
      label: '2026-27',
      changeKind: 'material',
      document: master('Report any concern.'),
    });
    expect(
      (await refusal(atOak.trust.publishMaster(oakAdmin, 'trust-aup', draft.number))).code,
    ).toBe('forbidden');
    // A school admin cannot edit or withdraw the master through the school's own calls either.
    expect((await refusal(atOak.withdraw(oakAdmin, 'trust-aup', 1, 'not ours'))).code).toBe(
      'forbidden',
    );
    expect(
      (
        await refusal(
          atOak.saveDraft(oakAdmin, {
            policyKey: 'trust-aup',
            label: 'mine',
            changeKind: 'material',
            document: master('x'),
          }),
        )
      ).code,
    ).toBe('validation');
  });

  it('a school without a contact the master names stops the publish, nothing published', async () => {
    // The lead's confirmation names the school first, and counts the one that can take it.
    const preview = await atOak.trust.masterPublishPreview(lead, 'trust-aup', 1);
    expect(preview).toMatchObject({ versionNumber: 1, label: '2026-27', changeKind: 'material' });
    expect(preview.schools).toEqual([
      {
        schoolId: 'oakfield',
        schoolName: 'Oakfield Primary',
        label: '2026-27 · Oakfield Primary',
        changeKind: 'material',
        audiences: [
          {
            audience: 'staff',
            label: 'Staff',
            people: 2,
            mustSignAgain: 0,
            stillToSign: 2,
            signedAgain: 0,
          },
        ],
      },
      {
        schoolId: 'riverside',
        schoolName: 'Riverside Academy',
        audiences: [],
        problem: expect.stringContaining('Riverside Academy has no contact "dsl"') as string,
      },
    ]);
    expect((await refusal(atOak.trust.masterPublishPreview(oakAdmin, 'trust-aup', 1))).code).toBe(
      'forbidden',
    );
    const error = await refusal(atOak.trust.publishMaster(lead, 'trust-aup', 1));
    expect(error.code).toBe('validation');
    expect(error.details).toMatchObject({ schoolId: 'riverside', contacts: ['dsl'] });
    expect((await records.getVersion('trust-aup', 1))?.value.status).toBe('draft');
    expect(await records.getPolicy('trust-aup--oakfield')).toBeNull();
  });

  it('publishing the master gives each school its effective text, with its own DSL', async () => {
    schools.riverside = {
      ...riverside,
      contacts: [{ key: 'dsl', name: 'Tom Kerr', role: 'Designated Safeguarding Lead' }],
    };
    const result = await atOak.trust.publishMaster(lead, 'trust-aup', 1);
    expect(result.master.status).toBe('published');
    expect(result.schools).toEqual([
      expect.objectContaining({
        schoolId: 'oakfield',
        policyKey: 'trust-aup--oakfield',
        askedToSignAgain: true,
      }),
      expect.objectContaining({
        schoolId: 'riverside',
        policyKey: 'trust-aup--riverside',
        askedToSignAgain: true,
      }),
    ]);
    const oak = await statusOf(atOak, olive);
    const river = await statusOf(atRiver, rob);
    expect(oak?.status.kind).toBe('due');
    expect(oak?.version.document.sections[0]?.clauses[0]?.text).toBe(
      'Report any concern. Speak to Ruth Ainsley (Designated Safeguarding Lead).',
    );
    expect(river?.version.document.sections[0]?.clauses[0]?.text).toContain('Tom Kerr');
    expect(river?.version.document.declaration).toContain('Riverside Academy');
    expect(oak?.version.contentHash).not.toBe(river?.version.contentHash);
    // Nobody signs the master as such, its placeholders unfilled.
    const master = await refusal(
      atOak.sign(olive, {
        policyKey: 'trust-aup',
        versionNumber: 1,
        declarationAccepted: true,
        typedName: olive.displayName,
        statedRole: 'Teacher',
        consents: {},
        channel: 'tab',
      }),
    );
    expect(master.code).toBe('validation');
    // Publishing the current master again changes nothing: every copy is on it.
    const again = await atOak.trust.publishMaster(lead, 'trust-aup', 1);
    expect(again.schools.every((s) => s.published === undefined)).toBe(true);
  });

  it("a school's admin adds its own clauses; only its people sign again, and only when material", async () => {
    const oakClauses = {
      sections: [
        {
          heading: 'Oakfield Primary: our own rules',
          clauses: [{ text: 'Forest school tablets stay in the blue box.', items: [] }],
        },
      ],
    };
    // Riverside's admin cannot touch Oakfield's variant, nor see Oakfield in the trust's list.
    const other = await refusal(
      atRiver.trust.publishVariant(riverAdmin, {
        policyKey: 'trust-aup',
        schoolId: 'oakfield',
        changeKind: 'material',
        variant: oakClauses,
      }),
    );
    expect(other.code).toBe('forbidden');
    const riverView = await atRiver.trust.list(riverAdmin);
    expect(riverView[0]?.schools.map((s) => s.schoolId)).toEqual(['riverside']);

    // The admin sees Oakfield's text with its own clauses before publishing; nobody else may.
    const preview = await atOak.trust.variantPreview(oakAdmin, {
      policyKey: 'trust-aup',
      schoolId: 'oakfield',
      variant: oakClauses,
    });
    expect(preview.label).toBe('2026-27 · Oakfield Primary variant 1');
    expect(preview.masterVersion).toBe(1);
    expect(preview.document.sections.map((s) => s.heading)).toEqual([
      'Safeguarding',
      'Oakfield Primary: our own rules',
    ]);
    expect(preview.document.sections[0]?.clauses[0]?.text).toBe(
      'Report any concern. Speak to Ruth Ainsley (Designated Safeguarding Lead).',
    );
    for (const who of [riverAdmin, lead]) {
      const refused = await refusal(
        atOak.trust.variantPreview(who, {
          policyKey: 'trust-aup',
          schoolId: 'oakfield',
          variant: oakClauses,
        }),
      );
      expect(refused.code).toBe('forbidden');
    }
    expect((await records.listVersions('trust-aup--oakfield')).length).toBe(1);

    // Both sign the effective version 1 (before Oakfield's own clauses).
    await sign(atOak, olive, 1);
    await sign(atRiver, rob, 1);
    const first = await atOak.trust.publishVariant(oakAdmin, {
      policyKey: 'trust-aup',
      schoolId: 'oakfield',
      changeKind: 'material',
      variant: oakClauses,
    });
    expect(first).toMatchObject({
      published: { number: 2, label: '2026-27 · Oakfield Primary variant 1' },
      askedToSignAgain: true,
    });
    expect((await statusOf(atOak, olive))?.status.kind).toBe('due');
    expect((await statusOf(atRiver, rob))?.status.kind).toBe('signed');
    const signed = await sign(atOak, olive, 2);
    expect(signed.kind).toBe('signed');

    now = new Date('2026-09-02T08:00:00.000Z');
    const minor = await atOak.trust.publishVariant(oakAdmin, {
      policyKey: 'trust-aup',
      schoolId: 'oakfield',
      changeKind: 'minor',
      variant: {
        sections: [
          {
            heading: 'Oakfield Primary: our own rules',
            clauses: [{ text: 'Forest School tablets stay in the blue box.', items: [] }],
          },
        ],
      },
    });
    expect(minor).toMatchObject({
      published: { number: 3, changeKind: 'minor' },
      askedToSignAgain: false,
    });
    expect((await statusOf(atOak, olive))?.status.kind).toBe('signed');
  });

  it('a material master change makes everyone in every school due, each keeping its clauses', async () => {
    now = new Date('2026-09-03T08:00:00.000Z');
    const draft = await atOak.trust.saveMasterDraft(lead, {
      policyKey: 'trust-aup',
      label: '2026-27 rev',
      changeKind: 'material',
      document: master('Report any concern the same day.'),
    });
    // Counted per school as each school's own confirmation counts: those whose signature stood
    // must sign again (Olive, Rob), the admins still have to sign.
    const preview = await atOak.trust.masterPublishPreview(lead, 'trust-aup', draft.number);
    expect(preview.summary).not.toBe('');
    expect(
      preview.schools.map((s) => [
        s.schoolId,
        s.label,
        s.audiences.map((a) => [a.audience, a.people, a.mustSignAgain, a.stillToSign]),
      ]),
    ).toEqual([
      ['oakfield', '2026-27 rev · Oakfield Primary variant 2', [['staff', 2, 1, 1]]],
      ['riverside', '2026-27 rev · Riverside Academy', [['staff', 2, 1, 1]]],
    ]);
    const result = await atOak.trust.publishMaster(lead, 'trust-aup', draft.number);
    expect(
      result.schools.map((s) => [s.schoolId, s.published?.number, s.askedToSignAgain]),
    ).toEqual([
      ['oakfield', 4, true],
      ['riverside', 2, true],
    ]);
    const oak = await statusOf(atOak, olive);
    expect(oak?.status.kind).toBe('due');
    expect(oak?.version.label).toBe('2026-27 rev · Oakfield Primary variant 2');
    expect(oak?.version.composition).toMatchObject({ masterVersion: 2, variantVersion: 2 });
    expect(oak?.version.document.sections.map((s) => s.heading)).toEqual([
      'Safeguarding',
      'Oakfield Primary: our own rules',
    ]);
    expect((await statusOf(atRiver, rob))?.status.kind).toBe('due');
    // The trust lead sees both schools side by side, on master 2.
    const view = await atOak.trust.list(lead);
    expect(
      view[0]?.schools.map((s) => [
        s.schoolId,
        s.current?.masterVersion,
        s.current?.variantVersion,
        s.behindMaster,
      ]),
    ).toEqual([
      ['oakfield', 2, 2, false],
      ['riverside', 2, 0, false],
    ]);
  });

  it('signatures and the published versions record master and variant; the pack prints the effective text', async () => {
    now = new Date('2026-09-04T08:00:00.000Z');
    const outcome = await sign(atOak, olive, 4);
    expect(outcome.kind).toBe('signed');
    const evidence = await records.readEvidence();
    const ackRecord = evidence.acknowledgements
      .map((row) => row.record as { id?: string; composition?: unknown })
      .find((r) => r.id === 'trust-aup--oakfield:v4:u-oak-staff');
    expect(ackRecord?.composition).toEqual({
      masterPolicyKey: 'trust-aup',
      masterVersion: 2,
      variantVersion: 2,
    });
    const pack = await assembleEvidencePack(
      { records, rows: records, directory, school: oakfield, keyRing: keys.keyRing },
      { policyKey: 'trust-aup--oakfield', version: 4, people: [] },
      now,
    );
    expect(pack.ok).toBe(true);
    const text = JSON.stringify([...pack.documents.values()]);
    expect(text).toContain(
      'Report any concern the same day. Speak to Ruth Ainsley (Designated Safeguarding Lead).',
    );
    expect(text).toContain('Forest School tablets stay in the blue box.');
    expect(text).toContain('The trust policy \\"trust-aup\\" version 2, with Oakfield Primary');
  });
  it('the trust lead withdraws a mistaken master: every school returns to its text from before it', async () => {
    now = new Date('2026-09-05T08:00:00.000Z');
    const reason = 'Published the wrong draft.';
    for (const who of [oakAdmin, olive]) {
      expect((await refusal(atOak.trust.withdrawMaster(who, 'trust-aup', 2, reason))).code).toBe(
        'forbidden',
      );
    }
    expect((await records.getVersion('trust-aup', 2))?.value.status).toBe('published');
    // The lead's confirmation first: per school, what goes and what comes back; nothing written.
    expect(
      (await refusal(atOak.trust.masterWithdrawalPreview(oakAdmin, 'trust-aup', 2))).code,
    ).toBe('forbidden');
    const preview = await atOak.trust.masterWithdrawalPreview(lead, 'trust-aup', 2);
    expect([preview.withdrawn.number, preview.restored.number]).toEqual([2, 1]);
    expect(
      preview.schools.map((s) => [
        s.schoolName,
        s.withdrawn.map((w) => w.number),
        s.restored?.number,
        s.restored?.masterVersion,
        s.problem,
        s.signed,
      ]),
    ).toEqual([
      // Olive signed Oakfield's version 4 (withdrawn) but never its 3; Rob signed Riverside's 1.
      ['Oakfield Primary', [4], 3, 1, undefined, { withdrawn: 1, restored: 0 }],
      ['Riverside Academy', [2], 1, 1, undefined, { withdrawn: 0, restored: 1 }],
    ]);
    expect((await records.getVersion('trust-aup', 2))?.value.status).toBe('published');
    const result = await atOak.trust.withdrawMaster(lead, 'trust-aup', 2, reason);
    expect([result.withdrawn.number, result.withdrawn.status]).toEqual([2, 'withdrawn']);
    expect([result.restored.number, result.restored.status]).toEqual([1, 'published']);
    // Oakfield back on its version 3 (master 1 with its clauses), Riverside on its version 1.
    expect(result.schools).toEqual([
      { schoolId: 'oakfield', policyKey: 'trust-aup--oakfield', withdrawn: [4], restored: 3 },
      { schoolId: 'riverside', policyKey: 'trust-aup--riverside', withdrawn: [2], restored: 1 },
    ]);
    // Each school's own withdrawal: its signed event, its people signed again by the old text.
    const oak = await statusOf(atOak, olive);
    expect([oak?.version.number, oak?.status.kind]).toEqual([3, 'signed']);
    expect(oak?.version.document.sections.map((s) => s.heading)).toEqual([
      'Safeguarding',
      'Oakfield Primary: our own rules',
    ]);
    const river = await statusOf(atRiver, rob);
    expect([river?.version.number, river?.status.kind]).toEqual([1, 'signed']);
    const withdrawals = await records.listAudit({ type: 'version.withdrawn' });
    expect(withdrawals.map((e) => [e.subject, e.actorId, e.details['reason']]).sort()).toEqual([
      ['trust-aup--oakfield:v4', 'u-lead', reason],
      ['trust-aup--riverside:v2', 'u-lead', reason],
      ['trust-aup:v2', 'u-lead', reason],
    ]);
    const view = await atOak.trust.list(lead);
    expect(
      view[0]?.schools.map((s) => [s.schoolId, s.current?.masterVersion, s.behindMaster]),
    ).toEqual([
      ['oakfield', 1, false],
      ['riverside', 1, false],
    ]);
    // The first master has nothing before it: it is replaced by a new one, never withdrawn.
    expect((await refusal(atOak.trust.masterWithdrawalPreview(lead, 'trust-aup', 1))).code).toBe(
      'conflict',
    );
    expect((await refusal(atOak.trust.withdrawMaster(lead, 'trust-aup', 1, reason))).code).toBe(
      'conflict',
    );
  });
  it("a change to a school's contacts marks its copy to be published again; its admin republishes the same clauses", async () => {
    now = new Date('2026-09-06T08:00:00.000Z');
    const before = await atOak.trust.list(lead);
    expect(before[0]?.schools.map((s) => s.needsRepublish)).toEqual([undefined, undefined]);
    schools.oakfield = {
      ...oakfield,
      contacts: [{ key: 'dsl', name: 'Priya Shah', role: 'Designated Safeguarding Lead' }],
    };
    const changed = await atOak.trust.list(lead);
    const oakCopy = changed[0]?.schools.find((s) => s.schoolId === 'oakfield');
    expect(oakCopy?.needsRepublish?.reason).toBe(
      "Oakfield Primary's settings have changed what its text says since version 3 was published.",
    );
    expect(changed[0]?.schools.find((s) => s.schoolId === 'riverside')?.needsRepublish).toBe(
      undefined,
    );
    // Nothing was published by the settings change: Olive still signs the text as it was.
    const unchanged = await statusOf(atOak, olive);
    expect(unchanged?.version.number).toBe(3);
    expect(unchanged?.version.document.sections[0]?.clauses[0]?.text).toContain('Ruth Ainsley');
    // A contact removed: the reason names it, as a publish would refuse it.
    schools.oakfield = { ...oakfield, contacts: [] };
    const removed = (await atOak.trust.list(oakAdmin))[0]?.schools[0]?.needsRepublish?.reason;
    expect(removed).toContain('Oakfield Primary has no contact "dsl"');
    schools.oakfield = {
      ...oakfield,
      contacts: [{ key: 'dsl', name: 'Priya Shah', role: 'Designated Safeguarding Lead' }],
    };
    // The admin publishes the same clauses again, as a minor correction.
    const republished = await atOak.trust.publishVariant(oakAdmin, {
      policyKey: 'trust-aup',
      schoolId: 'oakfield',
      changeKind: 'minor',
      variant: oakCopy?.variant ?? { sections: [] },
    });
    expect(republished.published?.changeKind).toBe('minor');
    const after = await statusOf(atOak, olive);
    expect(after?.version.document.sections[0]?.clauses[0]?.text).toBe(
      'Report any concern. Speak to Priya Shah (Designated Safeguarding Lead).',
    );
    expect(after?.status.kind).toBe('signed');
    const settled = await atOak.trust.list(lead);
    expect(settled[0]?.schools.map((s) => s.needsRepublish)).toEqual([undefined, undefined]);
  });
});
