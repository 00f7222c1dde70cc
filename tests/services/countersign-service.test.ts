import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { MemoryRecordStore } from '../../src/adapters/memory/memory-record-store.ts';
import { toCsv } from '../../src/api/http/csv.ts';
import { contentHash } from '../../src/domain/content-hash.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import { emptyStatusCounts } from '../../src/domain/status-counts.ts';
import type { Policy, PolicyVersion } from '../../src/domain/policy.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { School } from '../../src/domain/school.ts';
import { verifySeal } from '../../src/domain/seal.ts';
import type { Actor } from '../../src/services/actor.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import {
  acknowledgementRecordSchema,
  approvalDecisionRecordSchema,
  publishedVersionRecordSchema,
} from '../../src/domain/evidence/evidence-record.ts';
import { signRecord } from '../../src/domain/evidence/evidence-signer.ts';
import { prepareKeyRing } from '../../src/domain/evidence/key-ring.ts';
import { checkSignature } from '../../src/domain/evidence/signature-check.ts';
import { recordHash } from '../../src/domain/evidence/signing-payload.ts';
import type { EvidenceKeys } from '../../src/ports/evidence-keys.ts';

/** Every status at zero: the report counts each kind, so an expectation names them all. */
const none = emptyStatusCounts();

const SEAL_KEY = 'test-seal-key-0123456789abcdef0123456789abcdef';

const school: School = {
  id: 'oakfield',
  name: 'Oakfield Primary',
  timeZone: 'Europe/London',
  audiences: [
    { key: 'staff', label: 'Staff', groupIds: ['g-staff'] },
    { key: 'governor', label: 'Governors', groupIds: ['g-governors'] },
    { key: 'volunteer', label: 'Volunteers', groupIds: ['g-volunteers'] },
  ],
  approverIds: ['u-head'],
  adminIds: ['u-dsl'],
};

const doc: PolicyDocument = {
  title: 'Staff and Governor Acceptable Use Policy',
  sections: [
    {
      heading: 'Using school systems',
      clauses: [
        { number: '1', text: 'I will only use school systems for school purposes.', items: [] },
        {
          number: '2',
          text: 'I will keep my password private and change it when asked.',
          items: [],
        },
        {
          number: '3',
          text: 'I will report any safeguarding concern to the DSL the same day.',
          audience: ['staff'],
          items: [],
        },
      ],
    },
  ],
  declaration: 'I have read, understood and agree to this policy.',
  consents: [{ key: 'photo', text: 'The school may use my photograph on its website.' }],
  approval: { statement: 'I approve this user to be allocated credentials.' },
};

function person(id: string, name: string) {
  return { id, displayName: name, userPrincipalName: `${id}@oakfield.example` };
}

function actor(id: string, name: string, roles: Actor['roles'] = []): Actor {
  return { id, displayName: name, upn: `${id}@oakfield.example`, roles };
}

const ana = actor('u-ana', 'Ana Okafor');
const gail = actor('u-gail', 'Gail Governor');
const vic = actor('u-vic', 'Vic Volunteer');
const dsl = actor('u-dsl', 'Dee Safeguard', ['Policy.Admin']);
const head = actor('u-head', 'Helen Head', ['Policy.Approver']);

let now: Date;
let records: MemoryRecordStore;
let evidence: EvidenceKeys;
let service: CountersignService;

async function seedPolicy(policy: Partial<Policy> = {}): Promise<PolicyVersion> {
  await records.putPolicy({
    key: 'staff-aup',
    schoolId: school.id,
    title: doc.title,
    audiences: ['staff', 'governor'],
    renewal: { kind: 'fixed-date', month: 9, day: 1 },
    approvalMode: 'none',
    ...policy,
  });
  const draft = await service.saveDraft(dsl, {
    policyKey: 'staff-aup',
    label: '2026-27',
    changeKind: 'material',
    document: doc,
  });
  return service.publish(dsl, 'staff-aup', draft.number);
}

function signInput(
  version: PolicyVersion,
  extra: Partial<Parameters<CountersignService['sign']>[1]> = {},
) {
  return {
    policyKey: version.policyKey,
    versionNumber: version.number,
    contentHash: version.contentHash,
    declarationAccepted: true as const,
    typedName: 'Ana Okafor',
    statedRole: 'Class teacher',
    consents: { photo: true },
    channel: 'tab' as const,
    ...extra,
  };
}

beforeEach(() => {
  now = new Date('2026-11-23T10:00:00Z');
  records = new MemoryRecordStore();
  evidence = memoryEvidenceKeys();
  const directory = new MemoryDirectory({
    people: [
      person('u-ana', 'Ana Okafor'),
      person('u-ben', 'Ben Walsh'),
      person('u-gail', 'Gail Governor'),
      person('u-vic', 'Vic Volunteer'),
      person('u-dsl', 'Dee Safeguard'),
      person('u-head', 'Helen Head'),
      person('u-eq', '=HYPERLINK("http://evil.example")'),
    ],
    groups: [
      { id: 'g-staff', members: ['g-teaching', 'u-dsl', 'u-head'] },
      { id: 'g-teaching', members: ['u-ana', 'u-ben', 'u-eq'] },
      { id: 'g-governors', members: ['u-gail'] },
      { id: 'g-volunteers', members: ['u-vic'] },
    ],
  });
  let n = 0;
  service = createCountersignService({
    records,
    directory,
    clock: { now: () => now },
    sealKey: SEAL_KEY,
    evidence,
    school,
    newId: () => `evt-${++n}`,
  });
});

describe('signing', () => {
  it('stores one sealed acknowledgement of the current version for the actor', async () => {
    const v1 = await seedPolicy();
    const outcome = await service.sign(ana, signInput(v1));
    expect(outcome.kind).toBe('signed');
    if (outcome.kind !== 'signed') return;
    expect(outcome.created).toBe(true);
    expect(outcome.acknowledgement).toMatchObject({
      userId: 'u-ana',
      versionNumber: 1,
      contentHash: contentHash(doc),
      typedName: 'Ana Okafor',
      consents: { photo: true },
      approvalState: 'not-required',
      signedAt: '2026-11-23T10:00:00.000Z',
    });
    expect(verifySeal(outcome.acknowledgement, SEAL_KEY)).toBe(true);
    expect(await records.listAudit({ type: 'acknowledgement.signed' })).toHaveLength(1);
  });

  it('signs the acknowledgement as evidence, with the approval the policy required then', async () => {
    const v1 = await seedPolicy({ approvalMode: 'first-signature' });
    const outcome = await service.sign(ana, signInput(v1));
    if (outcome.kind !== 'signed') throw new Error('signed expected');
    const stored = records.signedRecord(outcome.acknowledgement.id);
    if (stored === null) throw new Error('no signed record stored');
    const fields: Record<string, unknown> = { ...outcome.acknowledgement };
    delete fields.seal;
    delete fields.approvalState;
    expect(stored.record).toEqual({
      ...fields,
      kind: 'acknowledgement',
      approvalAtSigning: 'pending',
    });
    expect(stored.signature.kid).toBe(evidence.signer.kid);
    const record = acknowledgementRecordSchema.parse(stored.record);
    expect(
      checkSignature(record, stored.signature, prepareKeyRing(evidence.keyRing)),
    ).toMatchObject({ status: 'valid' });
    expect(stored.hash).toBe(recordHash(record));
    // Signed by another key, the same record does not verify with this service's ring.
    const stranger = await signRecord(memoryEvidenceKeys().signer, record);
    expect(
      checkSignature(record, stranger.signature, prepareKeyRing(evidence.keyRing)).status,
    ).toBe('unknown-key');
  });

  it('is idempotent: signing twice leaves one acknowledgement', async () => {
    const v1 = await seedPolicy();
    await service.sign(ana, signInput(v1));
    const again = await service.sign(ana, signInput(v1));
    expect(again).toMatchObject({ kind: 'signed', created: false });
    expect(await records.listAcknowledgements({ userId: 'u-ana' })).toHaveLength(1);
  });

  it('answers outdated with the current version, never signing an old one', async () => {
    const v1 = await seedPolicy();
    const draft = await service.saveDraft(dsl, {
      policyKey: 'staff-aup',
      label: 'Spring 2027',
      changeKind: 'material',
      document: { ...doc, declaration: 'I have read and agree to this policy, as amended.' },
    });
    await service.publish(dsl, 'staff-aup', draft.number);
    const outcome = await service.sign(ana, signInput(v1));
    expect(outcome.kind).toBe('outdated');
    if (outcome.kind === 'outdated') expect(outcome.current.number).toBe(2);
    expect(await records.listAcknowledgements({ userId: 'u-ana' })).toHaveLength(0);
  });

  it('renewal: once the fixed date comes round, the same version is signed again as a new record', async () => {
    const v1 = await seedPolicy();
    await service.sign(ana, signInput(v1));
    now = new Date('2027-09-01T09:00:00Z');
    expect((await service.myPolicies(ana))[0]?.status).toMatchObject({
      kind: 'due',
      reason: 'renewal',
    });
    const again = await service.sign(ana, signInput(v1));
    expect(again).toMatchObject({ kind: 'signed', created: true });
    const acks = await records.listAcknowledgements({ userId: 'u-ana' });
    expect(acks.map((a) => a.id).sort()).toEqual(['staff-aup:v1:u-ana', 'staff-aup:v1:u-ana:r1']);
    expect((await service.myPolicies(ana))[0]?.status.kind).toBe('signed');
    expect(await service.sign(ana, signInput(v1))).toMatchObject({ created: false });
  });

  it('refuses a stale content hash for the right version number', async () => {
    const v1 = await seedPolicy();
    const outcome = await service.sign(ana, signInput(v1, { contentHash: 'f'.repeat(64) }));
    expect(outcome.kind).toBe('outdated');
  });

  it('refuses someone the policy is not for', async () => {
    const v1 = await seedPolicy();
    await expect(service.sign(vic, signInput(v1))).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('validates the typed name and the consents', async () => {
    const v1 = await seedPolicy();
    await expect(service.sign(ana, signInput(v1, { typedName: ' ' }))).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(
      service.sign(ana, signInput(v1, { consents: { biometrics: true } })),
    ).rejects.toMatchObject({ code: 'validation' });
    const outcome = await service.sign(ana, signInput(v1, { consents: {} }));
    expect(outcome.kind === 'signed' && outcome.acknowledgement.consents).toEqual({ photo: false });
  });

  it('refuses a typed name or role with a hidden character, whoever calls (tab or card)', async () => {
    const v1 = await seedPolicy();
    await expect(
      service.sign(ana, signInput(v1, { typedName: 'Ana\u2060Okafor', channel: 'card' })),
    ).rejects.toMatchObject({
      code: 'validation',
      details: { field: 'typedName', character: 'U+2060' },
    });
    // Untrimmed, as the card sends it: a trailing BOM is refused, not trimmed away.
    await expect(
      service.sign(ana, signInput(v1, { statedRole: 'Class teacher\uFEFF' })),
    ).rejects.toMatchObject({
      code: 'validation',
      details: { field: 'statedRole', character: 'U+FEFF' },
    });
    expect(await service.myHistory(ana)).toEqual([]);
  });
});

describe('my policies and what changed', () => {
  it('shows a governor the policy without staff-only clauses', async () => {
    await seedPolicy();
    const [view] = await service.myPolicies(gail);
    expect(view?.status.kind).toBe('due');
    const texts = view?.version.document.sections.flatMap((s) => s.clauses.map((c) => c.text));
    expect(texts).toHaveLength(2);
    expect(texts?.join(' ')).not.toContain('safeguarding');
    expect(await service.myPolicies(vic)).toEqual([]);
  });

  it('a material change makes a signer due, with a one-line summary of the changes', async () => {
    const v1 = await seedPolicy();
    await service.sign(ana, signInput(v1));
    expect((await service.myPolicies(ana))[0]?.status.kind).toBe('signed');
    const changed: PolicyDocument = structuredClone(doc);
    changed.sections[0]!.clauses.push({
      number: '4',
      text: 'I will not use generative AI tools with pupil data.',
      items: [],
    });
    const draft = await service.saveDraft(dsl, {
      policyKey: 'staff-aup',
      label: 'Spring 2027',
      changeKind: 'material',
      document: changed,
    });
    const preview = await service.previewPublish(dsl, 'staff-aup', draft.number);
    expect(preview.summary).toMatch(/1 new clause/);
    await service.publish(dsl, 'staff-aup', draft.number);
    const [view] = await service.myPolicies(ana);
    expect(view?.status).toMatchObject({
      kind: 'due',
      reason: 'material-change',
      versionNumber: 2,
    });
    expect(view?.changesSummary).toMatch(/1 new clause/);
    const changes = await service.whatChanged(ana, 'staff-aup');
    expect(changes).toMatchObject({ fromVersion: 1, toVersion: 2 });
  });

  it('a minor correction leaves signatures standing', async () => {
    const v1 = await seedPolicy();
    await service.sign(ana, signInput(v1));
    const fixed: PolicyDocument = structuredClone(doc);
    fixed.sections[0]!.clauses[1]!.text =
      'I will keep my password private, and change it when asked.';
    const draft = await service.saveDraft(dsl, {
      policyKey: 'staff-aup',
      label: '2026-27 (typo fixed)',
      changeKind: 'minor',
      document: fixed,
    });
    await service.publish(dsl, 'staff-aup', draft.number);
    expect((await service.myPolicies(ana))[0]?.status.kind).toBe('signed');
  });

  it("an imported audience note in other words reaches the school's audience", async () => {
    await seedPolicy();
    const imported: PolicyDocument = structuredClone(doc);
    imported.title = 'Oakfield Staff and Governor AUP 2027';
    imported.sections[0]!.clauses.push({
      text: 'I will keep governance papers on school storage only.',
      audience: ['staff', 'governors'],
      items: [],
    });
    const draft = await service.saveDraft(dsl, {
      policyKey: 'staff-aup',
      label: '2027',
      changeKind: 'material',
      document: imported,
    });
    expect(draft.document.sections[0]!.clauses[3]!.audience).toEqual(['staff', 'governor']);
    await service.publish(dsl, 'staff-aup', draft.number);
    const [view] = await service.myPolicies(gail);
    expect(view?.version.document.sections[0]?.clauses.map((c) => c.text)).toContain(
      'I will keep governance papers on school storage only.',
    );
    // Cards and lists use the policy's title: it follows the published document.
    expect(view?.policy.title).toBe('Oakfield Staff and Governor AUP 2027');
  });

  it('refuses an audience the school does not have, naming the clause', async () => {
    await seedPolicy();
    const odd: PolicyDocument = structuredClone(doc);
    odd.sections[0]!.clauses[0]!.audience = ['parents'];
    await expect(
      service.saveDraft(dsl, {
        policyKey: 'staff-aup',
        label: 'x',
        changeKind: 'minor',
        document: odd,
      }),
    ).rejects.toThrow(/"parents" on clause 1/);
  });

  it('staff never see drafts', async () => {
    await seedPolicy();
    const draft = await service.saveDraft(dsl, {
      policyKey: 'staff-aup',
      label: 'next',
      changeKind: 'material',
      document: doc,
    });
    await expect(service.getVersion(ana, 'staff-aup', draft.number)).rejects.toMatchObject({
      code: 'not-found',
    });
    expect((await service.getVersion(dsl, 'staff-aup', draft.number)).status).toBe('draft');
  });
});

describe('admin', () => {
  it('refuses admin use cases to staff', async () => {
    await seedPolicy();
    await expect(service.listPolicies(ana)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(service.peopleStatus(ana, { policyKey: 'staff-aup' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(service.publish(ana, 'staff-aup', 1)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('reports everyone in the audiences once, with totals, filters and pages', async () => {
    const v1 = await seedPolicy();
    await service.sign(ana, signInput(v1));
    const page = await service.peopleStatus(dsl, { policyKey: 'staff-aup', pageSize: 2 });
    expect(page.total).toBe(6);
    expect(page.totals.staff).toEqual({ ...none, signed: 1, due: 4 });
    expect(page.totals.governor).toEqual({ ...none, due: 1 });
    expect(page.rows).toHaveLength(2);
    const next = await service.peopleStatus(dsl, {
      policyKey: 'staff-aup',
      pageSize: 2,
      ...(page.nextCursor ? { cursor: page.nextCursor } : {}),
    });
    expect(next.rows[0]?.id).not.toBe(page.rows[0]?.id);
    const signed = await service.peopleStatus(dsl, { policyKey: 'staff-aup', status: 'signed' });
    expect(signed.rows.map((r) => r.id)).toEqual(['u-ana']);
    const search = await service.peopleStatus(dsl, { policyKey: 'staff-aup', search: 'walsh' });
    expect(search.rows.map((r) => r.id)).toEqual(['u-ben']);
  });

  it('counts every status, so the chart and the totals add up to the audience', async () => {
    const v1 = await seedPolicy({ approvalMode: 'first-signature' });
    const ben = actor('u-ben', 'Ben Walsh');
    await service.sign(ana, signInput(v1));
    await service.sign(ben, signInput(v1, { typedName: 'Ben Walsh' }));
    await service.sign(gail, signInput(v1, { typedName: 'Gail Governor' }));
    const [benPending] = (await service.pendingApprovals(head)).filter(
      (p) => p.acknowledgement.userId === 'u-ben',
    );
    if (benPending === undefined) throw new Error('Ben should be awaiting approval');
    await service.decide(head, {
      acknowledgementId: benPending.acknowledgement.id,
      decision: 'rejected',
      additionalPermissions: [],
      comment: 'Please use your own name.',
    });
    const page = await service.peopleStatus(dsl, { policyKey: 'staff-aup' });
    // Staff: ana, ben, eq, dsl, head; governors: gail. Six people in the audiences.
    expect(page.people).toBe(6);
    expect(page.overall).toEqual({
      ...none,
      'awaiting-approval': 2,
      rejected: 1,
      due: 3,
    });
    const sum = (counts: Record<string, number>) =>
      Object.values(counts).reduce((a, b) => a + b, 0);
    expect(sum(page.overall)).toBe(page.people);
    expect(sum(page.totals.staff ?? {})).toBe(5);
    expect(sum(page.totals.governor ?? {})).toBe(1);
    // The status filter narrows the rows, never the counts: they still cover everyone.
    const rejected = await service.peopleStatus(dsl, {
      policyKey: 'staff-aup',
      status: 'rejected',
    });
    expect(rejected.total).toBe(1);
    expect(sum(rejected.overall)).toBe(6);
    // An audience filter counts only that audience.
    const governors = await service.peopleStatus(dsl, {
      policyKey: 'staff-aup',
      audience: 'governor',
    });
    expect(governors.people).toBe(1);
    expect(Object.keys(governors.totals)).toEqual(['governor']);
  });

  it('sorts by any column either way, ties by name', async () => {
    const v1 = await seedPolicy();
    const ben = actor('u-ben', 'Ben Walsh');
    now = new Date('2026-11-23T10:00:00Z');
    await service.sign(ben, signInput(v1, { typedName: 'Ben Walsh' }));
    now = new Date('2026-11-24T10:00:00Z');
    await service.sign(ana, signInput(v1));
    const ids = async (sort: {
      by: 'name' | 'status' | 'signed';
      direction: 'ascending' | 'descending';
    }) => (await service.peopleStatus(dsl, { policyKey: 'staff-aup', sort })).rows.map((r) => r.id);
    expect(await ids({ by: 'name', direction: 'ascending' })).toEqual([
      'u-eq',
      'u-ana',
      'u-ben',
      'u-dsl',
      'u-gail',
      'u-head',
    ]);
    expect(await ids({ by: 'name', direction: 'descending' })).toEqual([
      'u-head',
      'u-gail',
      'u-dsl',
      'u-ben',
      'u-ana',
      'u-eq',
    ]);
    // Signed first, then by name within a status.
    expect((await ids({ by: 'status', direction: 'ascending' })).slice(0, 2)).toEqual([
      'u-ana',
      'u-ben',
    ]);
    // By signing time: latest first, people who never signed after them either way.
    expect((await ids({ by: 'signed', direction: 'descending' })).slice(0, 2)).toEqual([
      'u-ana',
      'u-ben',
    ]);
    expect((await ids({ by: 'signed', direction: 'ascending' })).slice(0, 3)).toEqual([
      'u-ben',
      'u-ana',
      'u-eq',
    ]);
  });

  it('exports CSV in words an inspector reads, that a spreadsheet cannot run as a formula', async () => {
    const v1 = await seedPolicy({ approvalMode: 'first-signature' });
    await service.sign(ana, signInput(v1, { typedName: 'Mrs A. Okafor' }));
    const [pending] = await service.pendingApprovals(head);
    if (pending === undefined) throw new Error('Ana should be awaiting approval');
    now = new Date('2026-11-24T16:05:00Z');
    await service.decide(head, {
      acknowledgementId: pending.acknowledgement.id,
      decision: 'approved',
      additionalPermissions: ['Remote access', 'Admin rights'],
    });
    // The service returns the rows as typed; the API writes them as CSV, escaping formulas.
    const rows = await service.exportPeopleRows(dsl, { policyKey: 'staff-aup' });
    expect(rows[0]).toEqual([
      'Name',
      'UPN',
      'Audience',
      'Policy title',
      'Version label',
      'Status',
      'Signed at (school time)',
      'Typed name',
      'Entra name',
      'Role',
      'Consents',
      'Approval',
      'Approver',
      'Permissions',
      'Rejection reason',
    ]);
    expect(rows).toHaveLength(7);
    expect(rows.find((r) => r[0] === 'Ana Okafor')).toEqual([
      'Ana Okafor',
      'u-ana@oakfield.example',
      'Staff',
      'Staff and Governor Acceptable Use Policy',
      '2026-27',
      'Signed 2026-27 on 23 November 2026; valid until 1 September 2027',
      '23 November 2026, 10:00 GMT',
      'Mrs A. Okafor',
      'Ana Okafor',
      'Class teacher',
      'photo: Yes',
      'Approved',
      'Helen Head',
      'Remote access; Admin rights',
      '',
    ]);
    expect(rows.find((r) => r[0] === 'Gail Governor')?.slice(2, 7)).toEqual([
      'Governors',
      'Staff and Governor Acceptable Use Policy',
      '2026-27',
      'Has not signed yet (2026-27 to sign)',
      '',
    ]);
    expect(rows.flat()).toContain('=HYPERLINK("http://evil.example")');
    expect(toCsv(rows)).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
  });

  it('shows each signature with the account it came from, flagging a typed name that is not theirs', async () => {
    const v1 = await seedPolicy();
    const ben = actor('u-ben', 'Ben Walsh');
    await service.sign(ana, signInput(v1, { typedName: 'Mrs A. Okafor' }));
    // Ben signs, typing a colleague's name.
    await service.sign(ben, signInput(v1, { typedName: 'Ana Okafor', statedRole: '=1+1' }));
    const page = await service.peopleStatus(dsl, { policyKey: 'staff-aup', status: 'signed' });
    expect(page.rows.map((r) => [r.id, r.signature])).toEqual([
      [
        'u-ana',
        {
          acknowledgementId: 'staff-aup:v1:u-ana',
          typedName: 'Mrs A. Okafor',
          statedRole: 'Class teacher',
          displayName: 'Ana Okafor',
          upn: 'u-ana@oakfield.example',
          typedNameDiffers: false,
        },
      ],
      [
        'u-ben',
        {
          acknowledgementId: 'staff-aup:v1:u-ben',
          typedName: 'Ana Okafor',
          statedRole: '=1+1',
          displayName: 'Ben Walsh',
          upn: 'u-ben@oakfield.example',
          typedNameDiffers: true,
        },
      ],
    ]);
    const due = await service.peopleStatus(dsl, { policyKey: 'staff-aup', status: 'due' });
    expect(due.rows.every((r) => r.signature === undefined)).toBe(true);

    const rows = await service.exportPeopleRows(dsl, { policyKey: 'staff-aup', status: 'signed' });
    expect(rows[1]?.slice(7, 10)).toEqual(['Mrs A. Okafor', 'Ana Okafor', 'Class teacher']);
    expect(rows[2]?.slice(7, 10)).toEqual(['Ana Okafor', 'Ben Walsh', '=1+1']);
    expect(toCsv(rows).split('\r\n')[2]).toMatch(/,Ana Okafor,Ben Walsh,'=1\+1,photo: Yes,/);
  });
});

describe('past versions and a person’s page', () => {
  async function twoVersionsSignedByAna() {
    const v1 = await seedPolicy({ approvalMode: 'first-signature' });
    await service.sign(ana, signInput(v1));
    const [pending] = await service.pendingApprovals(head);
    if (pending === undefined) throw new Error('Ana should be awaiting approval');
    await service.decide(head, {
      acknowledgementId: pending.acknowledgement.id,
      decision: 'approved',
      additionalPermissions: ['Remote access'],
    });
    const renamed = { ...doc, title: 'Oakfield Acceptable Use Policy 2027' };
    const draft = await service.saveDraft(dsl, {
      policyKey: 'staff-aup',
      label: '2027-28',
      changeKind: 'material',
      document: {
        ...renamed,
        sections: [
          {
            heading: 'Using school systems',
            clauses: [{ number: '1', text: 'I will use school systems with care.', items: [] }],
          },
        ],
      },
    });
    const v2 = await service.publish(dsl, 'staff-aup', draft.number);
    now = new Date('2026-11-25T09:30:00Z');
    await service.sign(ana, signInput(v2));
    return { v1, v2 };
  }

  it('names each signature in my history by its own version, not today’s title', async () => {
    await twoVersionsSignedByAna();
    const history = await service.myHistory(ana);
    expect(history.map((h) => [h.versionNumber, h.versionLabel, h.versionTitle])).toEqual([
      [2, '2027-28', 'Oakfield Acceptable Use Policy 2027'],
      [1, '2026-27', 'Staff and Governor Acceptable Use Policy'],
    ]);
  });

  it('opens the exact text of a past signature for the signer and admins only', async () => {
    await twoVersionsSignedByAna();
    const id = 'staff-aup:v1:u-ana';
    const text = await service.signedText(ana, id);
    expect(text.version.number).toBe(1);
    expect(text.version.document).toEqual(doc);
    expect(text.textMatchesSignature).toBe(true);
    expect(text.signedAtLocal).toBe('23 November 2026, 10:00 GMT');
    expect((await service.signedText(dsl, id)).version.document.title).toBe(doc.title);
    // Another member of staff, even an approver, is told it does not exist.
    await expect(service.signedText(actor('u-ben', 'Ben Walsh'), id)).rejects.toMatchObject({
      code: 'not-found',
    });
    await expect(service.signedText(head, id)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('gives an admin one person’s every signature with its text, decisions and consents', async () => {
    await twoVersionsSignedByAna();
    await expect(service.personRecord(ana, 'staff-aup', 'u-ana')).rejects.toMatchObject({
      code: 'forbidden',
    });
    const page = await service.personRecord(dsl, 'staff-aup', 'u-ana');
    expect(page.person).toEqual({
      id: 'u-ana',
      displayName: 'Ana Okafor',
      upn: 'u-ana@oakfield.example',
      audiences: ['Staff'],
    });
    expect(page.status.kind).toBe('signed');
    expect(page.statusWords).toMatch(/^Signed 2027-28 on 25 November 2026/);
    expect(
      page.signatures.map((s) => [
        s.versionLabel,
        s.versionTitle,
        s.signedAtLocal,
        s.approvalWords,
        s.document?.title,
        s.textMatchesSignature,
      ]),
    ).toEqual([
      [
        '2027-28',
        'Oakfield Acceptable Use Policy 2027',
        '25 November 2026, 09:30 GMT',
        'No approval needed',
        'Oakfield Acceptable Use Policy 2027',
        true,
      ],
      [
        '2026-27',
        'Staff and Governor Acceptable Use Policy',
        '23 November 2026, 10:00 GMT',
        'Approved',
        'Staff and Governor Acceptable Use Policy',
        true,
      ],
    ]);
    const first = page.signatures[1];
    expect(first?.decisions).toEqual([
      {
        decision: 'approved',
        approverName: 'Helen Head',
        decidedAt: '2026-11-23T10:00:00.000Z',
        decidedAtLocal: '23 November 2026, 10:00 GMT',
        additionalPermissions: ['Remote access'],
      },
    ]);
    expect(first?.consents).toEqual([
      { key: 'photo', text: 'The school may use my photograph on its website.', answer: 'Yes' },
    ]);
    await expect(service.personRecord(dsl, 'staff-aup', 'u-nobody')).rejects.toMatchObject({
      code: 'not-found',
    });
  });
});

describe('approvals', () => {
  it('publishing and deciding sign their own records, announced at their signing times', async () => {
    const v1 = await seedPolicy({ approvalMode: 'first-signature' });
    const ring = prepareKeyRing(evidence.keyRing);
    const version = records.signedRecord('staff-aup:v1');
    expect(version?.record).toEqual({
      kind: 'published-version',
      id: 'staff-aup:v1',
      policyKey: 'staff-aup',
      number: 1,
      label: v1.label,
      contentHash: v1.contentHash,
      changeKind: v1.changeKind,
      publishedAt: v1.publishedAt,
      publishedBy: 'u-dsl',
    });
    const versionRecord = publishedVersionRecordSchema.parse(version?.record);
    expect(checkSignature(versionRecord, version?.signature, ring).status).toBe('valid');

    const outcome = await service.sign(ana, signInput(v1));
    if (outcome.kind !== 'signed') throw new Error('signed expected');
    const ackId = outcome.acknowledgement.id;
    now = new Date('2026-11-24T09:30:00.250Z');
    await service.decide(head, {
      acknowledgementId: ackId,
      decision: 'rejected',
      additionalPermissions: [],
      comment: 'Wrong name typed',
    });
    const decision = records.signedRecord(`${ackId}:decision`);
    expect(decision?.record).toEqual({
      kind: 'approval-decision',
      id: `${ackId}:decision`,
      acknowledgementId: ackId,
      userId: 'u-ana',
      approverId: 'u-head',
      approverName: 'Helen Head',
      decision: 'rejected',
      additionalPermissions: [],
      reason: 'Wrong name typed',
      decidedAt: '2026-11-24T09:30:00.250Z',
    });
    const decisionRecord = approvalDecisionRecordSchema.parse(decision?.record);
    expect(checkSignature(decisionRecord, decision?.signature, ring).status).toBe('valid');
    const [event] = await records.listAudit({ type: 'approval.decided' });
    expect(event).toMatchObject({
      at: '2026-11-24T09:30:00.250Z',
      details: { decisionId: `${ackId}:decision` },
    });
  });

  it('a first signature waits for the headteacher, who approves with permissions', async () => {
    const v1 = await seedPolicy({ approvalMode: 'first-signature' });
    const outcome = await service.sign(ana, signInput(v1));
    expect(outcome.kind === 'signed' && outcome.acknowledgement.approvalState).toBe('pending');
    expect((await service.myPolicies(ana))[0]?.status.kind).toBe('awaiting-approval');
    const pending = await service.pendingApprovals(head);
    expect(pending.map((p) => p.acknowledgement.userId)).toEqual(['u-ana']);
    expect(pending[0]?.typedNameDiffers).toBe(false);
    const decided = await service.decide(head, {
      acknowledgementId: pending[0]!.acknowledgement.id,
      decision: 'approved',
      additionalPermissions: ['Remote access'],
    });
    expect(decided).toMatchObject({
      decision: 'approved',
      approverId: 'u-head',
      additionalPermissions: ['Remote access'],
    });
    expect((await service.myPolicies(ana))[0]?.status.kind).toBe('signed');
    await expect(
      service.decide(head, {
        acknowledgementId: pending[0]!.acknowledgement.id,
        decision: 'rejected',
        additionalPermissions: [],
        comment: 'changed my mind',
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('warns the approver when the typed name is a colleague’s, not the account’s', async () => {
    const v1 = await seedPolicy({ approvalMode: 'first-signature' });
    await service.sign(ana, signInput(v1, { typedName: 'Ben Walsh' }));
    const [pending] = await service.pendingApprovals(head);
    expect(pending).toMatchObject({
      acknowledgement: { typedName: 'Ben Walsh', displayName: 'Ana Okafor' },
      typedNameDiffers: true,
    });
  });

  it('a rejected new starter who signs again waits for approval again', async () => {
    const v1 = await seedPolicy({ approvalMode: 'first-signature' });
    await service.sign(ana, signInput(v1));
    await service.decide(head, {
      acknowledgementId: 'staff-aup:v1:u-ana',
      decision: 'rejected',
      additionalPermissions: [],
      comment: 'Wrong role given',
    });
    const again = await service.sign(ana, signInput(v1, { statedRole: 'Teaching assistant' }));
    expect(again.kind === 'signed' && again.acknowledgement.approvalState).toBe('pending');
    expect((await service.myPolicies(ana))[0]?.status.kind).toBe('awaiting-approval');
  });

  it('an approval state edited in SharePoint does not change the status: the decision counts', async () => {
    const v1 = await seedPolicy({ approvalMode: 'first-signature' });
    await service.sign(ana, signInput(v1));
    await service.decide(head, {
      acknowledgementId: 'staff-aup:v1:u-ana',
      decision: 'rejected',
      additionalPermissions: [],
      comment: 'Not cleared by HR',
    });
    records.tamperAcknowledgement('staff-aup:v1:u-ana', { approvalState: 'approved' });
    expect((await service.myPolicies(ana))[0]?.status.kind).toBe('rejected');
    const report = await service.peopleStatus(dsl, { policyKey: 'staff-aup', search: 'okafor' });
    expect(report.rows[0]?.statuses['staff-aup']?.kind).toBe('rejected');
  });

  it('a retry creates the approval row a failure left out, so the head sees the signer', async () => {
    const v1 = await seedPolicy({ approvalMode: 'first-signature' });
    const create = records.createApproval.bind(records);
    let failures = 1;
    records.createApproval = (approval) =>
      failures-- > 0
        ? Promise.reject(new CountersignError('throttled', 'Graph answered 429'))
        : create(approval);
    // The signature is stored: the person is told so, never that it failed.
    expect(await service.sign(ana, signInput(v1))).toMatchObject({
      kind: 'signed',
      created: true,
    });
    expect(await service.pendingApprovals(head)).toHaveLength(0);
    const retry = await service.sign(ana, signInput(v1));
    expect(retry).toMatchObject({ kind: 'signed', created: false });
    expect((await service.pendingApprovals(head)).map((p) => p.acknowledgement.userId)).toEqual([
      'u-ana',
    ]);
  });

  it('a double click with approvals on gives both requests the one signature, no error', async () => {
    const v1 = await seedPolicy({ approvalMode: 'first-signature' });
    const outcomes = await Promise.all([
      service.sign(ana, signInput(v1)),
      service.sign(ana, { ...signInput(v1), channel: 'card' }),
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['signed', 'signed']);
    expect(await records.listAcknowledgements({ userId: 'u-ana' })).toHaveLength(1);
    expect(await records.listApprovals({ userId: 'u-ana' })).toHaveLength(1);
  });

  it('only approvers decide, never on their own signature, and a rejection needs a reason', async () => {
    const v1 = await seedPolicy({ approvalMode: 'every-signature' });
    await service.sign(ana, signInput(v1));
    await service.sign(head, signInput(v1, { typedName: 'Helen Head', statedRole: 'Headteacher' }));
    const pending = await service.pendingApprovals(head);
    // The head is not offered her own signature (she would only be refused).
    expect(pending.map((p) => p.acknowledgement.userId)).toEqual(['u-ana']);
    const anaAck = pending.find((p) => p.acknowledgement.userId === 'u-ana')!.acknowledgement.id;
    const headAck = (await records.listApprovals({ userId: 'u-head' }))[0]!.value.acknowledgementId;
    await expect(service.pendingApprovals(ana)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      service.decide(dsl, {
        acknowledgementId: anaAck,
        decision: 'approved',
        additionalPermissions: [],
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      service.decide(head, {
        acknowledgementId: headAck,
        decision: 'approved',
        additionalPermissions: [],
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      service.decide(head, {
        acknowledgementId: anaAck,
        decision: 'rejected',
        additionalPermissions: [],
      }),
    ).rejects.toMatchObject({ code: 'validation' });
    const rejected = await service.decide(head, {
      acknowledgementId: anaAck,
      decision: 'rejected',
      additionalPermissions: ['ignored'],
      comment: 'Role not confirmed by HR yet',
    });
    expect(rejected.additionalPermissions).toEqual([]);
    expect((await service.myPolicies(ana))[0]?.status.kind).toBe('rejected');
  });
});

describe('no gaps under faults', () => {
  /** Stores the signature, then loses the answer, as a dropped connection or a 503 would. */
  class AnswerLostStore extends MemoryRecordStore {
    override async recordSignature(
      ...args: Parameters<MemoryRecordStore['recordSignature']>
    ): ReturnType<MemoryRecordStore['recordSignature']> {
      await super.recordSignature(...args);
      throw new CountersignError('unavailable', 'Graph did not answer.');
    }
  }

  function serviceOn(store: MemoryRecordStore, repairErrors: unknown[] = []) {
    const directory = new MemoryDirectory({
      people: [person('u-ana', 'Ana Okafor'), person('u-dsl', 'Dee Safeguard')],
      groups: [{ id: 'g-staff', members: ['u-ana', 'u-dsl'] }],
    });
    return createCountersignService({
      records: store,
      directory,
      clock: { now: () => now },
      sealKey: SEAL_KEY,
      evidence: memoryEvidenceKeys(),
      school,
      readCache: false,
      onRepairError: (error) => repairErrors.push(error),
    });
  }

  it('a signature stored before the answer was lost is answered as signed, never refused', async () => {
    const store = new AnswerLostStore();
    const faulty = serviceOn(store);
    records = store;
    const v1 = await seedPolicyWith(faulty);
    const outcome = await faulty.sign(ana, signInput(v1));
    expect(outcome).toMatchObject({ kind: 'signed', created: true });
    expect(await store.listAcknowledgements({ userId: ana.id })).toHaveLength(1);
    const events = await store.listAudit({ type: 'acknowledgement.signed' });
    expect(events.map((e) => e.subject)).toEqual(['staff-aup:v1:u-ana']);
  });

  it('a write that did not land still fails, with the original error', async () => {
    class DownStore extends MemoryRecordStore {
      override recordSignature(): ReturnType<MemoryRecordStore['recordSignature']> {
        return Promise.reject(new CountersignError('unavailable', 'Graph is down.'));
      }
    }
    const store = new DownStore();
    const down = serviceOn(store);
    records = store;
    const v1 = await seedPolicyWith(down);
    await expect(down.sign(ana, signInput(v1))).rejects.toMatchObject({
      code: 'unavailable',
      message: 'Graph is down.',
    });
  });

  it('a repeat signature re-creates a lost audit event under the row’s own event id', async () => {
    const store = new MemoryRecordStore();
    const svc = serviceOn(store);
    records = store;
    const v1 = await seedPolicyWith(svc);
    await svc.sign(ana, signInput(v1));
    const [event] = await store.listAudit({ type: 'acknowledgement.signed' });
    if (event === undefined) throw new Error('the signature wrote its event');
    store.dropAuditEvent(event.id);
    expect(await store.listAudit({ type: 'acknowledgement.signed' })).toEqual([]);

    expect(await svc.sign(ana, signInput(v1))).toMatchObject({ created: false });
    const repaired = await store.listAudit({ type: 'acknowledgement.signed' });
    expect(repaired).toHaveLength(1);
    expect(repaired[0]).toMatchObject({
      id: event.id,
      subject: event.subject,
      at: event.at,
      details: { ...event.details, repaired: true },
    });
  });

  it('a stored signature whose Approvals row cannot be written yet is still signed', async () => {
    class ApprovalsDownStore extends MemoryRecordStore {
      down = true;
      override createApproval(
        ...args: Parameters<MemoryRecordStore['createApproval']>
      ): ReturnType<MemoryRecordStore['createApproval']> {
        if (this.down) return Promise.reject(new CountersignError('unavailable', 'Graph 503'));
        return super.createApproval(...args);
      }
    }
    const store = new ApprovalsDownStore();
    const reported: unknown[] = [];
    const svc = serviceOn(store, reported);
    records = store;
    const v1 = await seedPolicyWith(svc, { approvalMode: 'first-signature' });
    expect(await svc.sign(ana, signInput(v1))).toMatchObject({ kind: 'signed', created: true });
    expect(reported).toEqual([expect.objectContaining({ code: 'unavailable' })]);
    expect(await store.listApprovals({})).toEqual([]);
    store.down = false;
    // Ten minutes on: the sweeper treats what is still missing as lost.
    now = new Date(now.getTime() + 11 * 60_000);
    expect((await svc.repairRecords()).approvalsCreated).toEqual(['staff-aup:v1:u-ana']);
  });

  it('the sweeper mends lost events and missing Approvals rows, once', async () => {
    const store = new MemoryRecordStore();
    const svc = serviceOn(store);
    records = store;
    const v1 = await seedPolicyWith(svc, { approvalMode: 'first-signature' });
    await svc.sign(ana, signInput(v1));
    const [event] = await store.listAudit({ type: 'acknowledgement.signed' });
    if (event === undefined) throw new Error('the signature wrote its event');
    store.dropAuditEvent(event.id);
    store.dropApproval('staff-aup:v1:u-ana');
    expect(await store.listApprovals({})).toEqual([]);

    // Within ten minutes the signature's own writes may still land: the sweeper waits.
    expect(await svc.repairRecords()).toMatchObject({
      auditEventsRecreated: [],
      approvalsCreated: [],
    });
    now = new Date(now.getTime() + 11 * 60_000);
    const report = await svc.repairRecords();
    expect(report).toEqual({
      signaturesChecked: 1,
      auditEventsRecreated: [event.id],
      approvalsCreated: ['staff-aup:v1:u-ana'],
      approvalRequestsQueued: [],
      policyEventsRecreated: [],
      skipped: [],
    });
    expect((await store.listApprovals({})).map((a) => a.value.decision)).toEqual(['pending']);
    // Nothing left to mend: a second run writes nothing.
    expect(await svc.repairRecords()).toEqual({
      signaturesChecked: 1,
      auditEventsRecreated: [],
      approvalsCreated: [],
      approvalRequestsQueued: [],
      policyEventsRecreated: [],
      skipped: [],
    });
  });
});

async function seedPolicyWith(
  svc: CountersignService,
  policy: Partial<Policy> = {},
): Promise<PolicyVersion> {
  await records.putPolicy({
    key: 'staff-aup',
    schoolId: school.id,
    title: doc.title,
    audiences: ['staff'],
    renewal: { kind: 'fixed-date', month: 9, day: 1 },
    approvalMode: 'none',
    ...policy,
  });
  const draft = await svc.saveDraft(dsl, {
    policyKey: 'staff-aup',
    label: '2026-27',
    changeKind: 'material',
    document: doc,
  });
  return svc.publish(dsl, 'staff-aup', draft.number);
}
