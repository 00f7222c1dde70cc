import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { MemoryRecordStore } from '../../src/adapters/memory/memory-record-store.ts';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { acknowledgementId } from '../../src/domain/acknowledgement.ts';
import type { Policy, PolicyVersion } from '../../src/domain/policy.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { School } from '../../src/domain/school.ts';
import { sealAcknowledgement } from '../../src/domain/seal.ts';
import type { Actor } from '../../src/services/actor.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import { REPORT_SNAPSHOT_MAX_AGE_MS } from '../../src/services/report-snapshot.ts';

/**
 * The people report's snapshot (issue 13, item 3): a warm report reads no signatures and no
 * group members again, yet shows every write made through the service at once; statuses still
 * come from the signed records, computed again when the policy, the deadline or a date changes.
 */
const SEAL_KEY = 'test-seal-key-0123456789abcdef0123456789abcdef';
const school: School = {
  id: 'oakfield',
  name: 'Oakfield Primary',
  timeZone: 'Europe/London',
  audiences: [
    { key: 'staff', label: 'Staff', groupIds: ['g-staff'] },
    { key: 'governor', label: 'Governors', groupIds: ['g-governors'] },
  ],
  approverIds: ['u-head'],
  adminIds: ['u-dsl'],
};

function documentWith(staffClause: string): PolicyDocument {
  return {
    title: 'Staff Acceptable Use Policy',
    sections: [
      {
        heading: 'Using school systems',
        clauses: [
          { number: '1', text: 'I will only use school systems for school purposes.', items: [] },
          { number: '2', text: staffClause, audience: ['staff'], items: [] },
        ],
      },
    ],
    declaration: 'I have read, understood and agree to this policy.',
    consents: [],
    approval: { statement: 'I approve this user to be allocated credentials.' },
  };
}

const actor = (id: string, name: string, roles: Actor['roles'] = []): Actor => ({
  id,
  displayName: name,
  upn: `${id}@oakfield.example`,
  roles,
});
const ana = actor('u-ana', 'Ana Okafor');
const ben = actor('u-ben', 'Ben Walsh');
const dsl = actor('u-dsl', 'Dee Safeguard', ['Policy.Admin']);
const head = actor('u-head', 'Helen Head', ['Policy.Approver']);

let now: Date;
let records: MemoryRecordStore;
let reads: { acknowledgements: number; members: number };
let service: CountersignService;

beforeEach(() => {
  now = new Date('2026-11-23T10:00:00Z');
  records = new MemoryRecordStore();
  reads = { acknowledgements: 0, members: 0 };
  // The report's read of a policy's signatures (the facts, not the full rows).
  const list = records.listSignatureFacts.bind(records);
  records.listSignatureFacts = (query) => {
    reads.acknowledgements += 1;
    return list(query);
  };
  const directory = new MemoryDirectory({
    people: [
      { id: 'u-ana', displayName: 'Ana Okafor', userPrincipalName: 'u-ana@oakfield.example' },
      { id: 'u-ben', displayName: 'Ben Walsh', userPrincipalName: 'u-ben@oakfield.example' },
      { id: 'u-dsl', displayName: 'Dee Safeguard', userPrincipalName: 'u-dsl@oakfield.example' },
      { id: 'u-head', displayName: 'Helen Head', userPrincipalName: 'u-head@oakfield.example' },
    ],
    groups: [
      { id: 'g-staff', members: ['u-ana', 'u-ben', 'u-dsl', 'u-head'] },
      { id: 'g-governors', members: [] },
    ],
  });
  const members = directory.listGroupMembers.bind(directory);
  directory.listGroupMembers = (groupId) => {
    reads.members += 1;
    return members(groupId);
  };
  let n = 0;
  service = createCountersignService({
    records,
    directory,
    clock: { now: () => now },
    sealKey: SEAL_KEY,
    evidence: memoryEvidenceKeys(),
    school,
    newId: () => `evt-${++n}`,
  });
});

async function publish(staffClause: string, policy: Partial<Policy> = {}): Promise<PolicyVersion> {
  if ((await records.getPolicy('staff-aup')) === null) {
    await records.putPolicy({
      key: 'staff-aup',
      schoolId: school.id,
      title: 'Staff Acceptable Use Policy',
      audiences: ['staff', 'governor'],
      renewal: { kind: 'fixed-date', month: 9, day: 1 },
      approvalMode: 'none',
      ...policy,
    });
  }
  const draft = await service.saveDraft(dsl, {
    policyKey: 'staff-aup',
    label: staffClause.slice(0, 20),
    changeKind: 'material',
    document: documentWith(staffClause),
  });
  return service.publish(dsl, 'staff-aup', draft.number);
}

function sign(who: Actor, version: PolicyVersion) {
  return service.sign(who, {
    policyKey: version.policyKey,
    versionNumber: version.number,
    contentHash: version.contentHash,
    declarationAccepted: true,
    typedName: who.displayName,
    statedRole: 'Class teacher',
    consents: {},
    channel: 'tab',
  });
}

async function statuses(): Promise<Record<string, string>> {
  const page = await service.peopleStatus(dsl, { policyKey: 'staff-aup' });
  return Object.fromEntries(page.rows.map((row) => [row.id, row.statuses['staff-aup']!.kind]));
}

describe('the people report snapshot', () => {
  it("the export prints each signature's consents from the full row; one gone since the report is a conflict", async () => {
    const v1 = await publish('I will report concerns the same day.');
    await sign(ana, v1);
    const rows = await service.exportPeopleRows(dsl, { policyKey: 'staff-aup' });
    expect(rows.find((row) => row[0] === 'Ana Okafor')).toBeDefined();
    // The report (facts, from the snapshot) has Ana's signature; the full read a moment later not.
    records.listAcknowledgements = () => Promise.resolve([]);
    await expect(service.exportPeopleRows(dsl, { policyKey: 'staff-aup' })).rejects.toMatchObject({
      code: 'conflict',
      details: { acknowledgementId: 'staff-aup:v1:u-ana' },
    });
  });

  it('a warm report reads nothing again and shows signatures made through the service', async () => {
    const v1 = await publish('I will report concerns the same day.');
    await sign(ana, v1);
    expect(await statuses()).toMatchObject({ 'u-ana': 'signed', 'u-ben': 'due' });
    expect(reads).toEqual({ acknowledgements: 1, members: 2 });

    await sign(ben, v1);
    expect(await statuses()).toMatchObject({ 'u-ana': 'signed', 'u-ben': 'signed' });
    // Ben's signature came from the write itself: no signature or member was read again.
    expect(reads).toEqual({ acknowledgements: 1, members: 2 });
  });

  it('a signature stored while a report reads is in the snapshot the report keeps', async () => {
    const v1 = await publish('I will report concerns the same day.');
    const list = records.listSignatureFacts.bind(records);
    let signedMeanwhile = false;
    records.listSignatureFacts = async (query) => {
      const before = await list(query);
      if (signedMeanwhile) return before;
      // Ben signs after the report's read was answered, before the report keeps it.
      signedMeanwhile = true;
      await sign(ben, v1);
      return before;
    };
    expect(await statuses()).toMatchObject({ 'u-ben': 'signed' });
    expect(await statuses()).toMatchObject({ 'u-ben': 'signed', 'u-ana': 'due' });
    expect(reads.acknowledgements).toBe(1);
  });

  it('a publish and a withdrawal recompute every status from the kept signatures', async () => {
    const v1 = await publish('I will report concerns the same day.');
    await sign(ana, v1);
    await statuses();
    const v2 = await publish('I will report concerns to the DSL within the hour.');
    expect(await statuses()).toMatchObject({ 'u-ana': 'due' });
    expect(reads.acknowledgements).toBe(1);
    await service.withdraw(dsl, 'staff-aup', v2.number, 'Published the wrong draft.');
    // The withdrawal counts who is signed again itself; the report reads nothing more.
    const read = reads.acknowledgements;
    expect(await statuses()).toMatchObject({ 'u-ana': 'signed' });
    expect(reads.acknowledgements).toBe(read);
  });

  it('a decision moves the signer from awaiting approval to signed', async () => {
    const v1 = await publish('I will report concerns the same day.', {
      approvalMode: 'first-signature',
    });
    await sign(ana, v1);
    expect(await statuses()).toMatchObject({ 'u-ana': 'awaiting-approval' });
    await service.decide(head, {
      acknowledgementId: acknowledgementId('staff-aup', v1.number, 'u-ana'),
      decision: 'approved',
      additionalPermissions: [],
    });
    expect(await statuses()).toMatchObject({ 'u-ana': 'signed' });
    expect(reads.acknowledgements).toBe(1);
  });

  it('time alone moves a status (the renewal date) without a read', async () => {
    // Renewal is every 1 September: 1 September 2026 starts at 23:00 UTC on 31 August (BST).
    now = new Date('2026-08-31T22:58:00Z');
    const v1 = await publish('I will report concerns the same day.');
    await sign(ana, v1);
    expect(await statuses()).toMatchObject({ 'u-ana': 'signed' });
    const read = reads.acknowledgements;
    now = new Date('2026-08-31T23:01:00Z');
    // The snapshot is three minutes old, so kept; Ana's signature is due again all the same.
    expect(await statuses()).toMatchObject({ 'u-ana': 'due' });
    expect(reads.acknowledgements).toBe(read);
  });

  it('a write behind the service is seen once the snapshot is older than its age', async () => {
    const v1 = await publish('I will report concerns the same day.');
    await statuses();
    // Another instance's signature: straight into the store, not through this service.
    const fields = {
      policyKey: 'staff-aup',
      versionNumber: v1.number,
      contentHash: v1.contentHash,
      userId: 'u-ben',
      upn: 'u-ben@oakfield.example',
      displayName: 'Ben Walsh',
      typedName: 'Ben Walsh',
      statedRole: 'Teaching assistant',
      signedAt: now.toISOString(),
      channel: 'tab' as const,
      consents: {},
    };
    await records.recordSignature(
      {
        ...fields,
        id: acknowledgementId('staff-aup', v1.number, 'u-ben'),
        approvalState: 'not-required',
        seal: sealAcknowledgement(fields, SEAL_KEY),
      },
      {
        id: 'evt-elsewhere',
        type: 'acknowledgement.signed',
        actorId: 'u-ben',
        at: now.toISOString(),
        subject: acknowledgementId('staff-aup', v1.number, 'u-ben'),
        details: {},
      },
    );
    expect(await statuses()).toMatchObject({ 'u-ben': 'due' });
    now = new Date(now.getTime() + REPORT_SNAPSHOT_MAX_AGE_MS);
    expect(await statuses()).toMatchObject({ 'u-ben': 'signed' });
    expect(reads.acknowledgements).toBe(2);
  });
});
