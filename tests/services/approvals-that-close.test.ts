import { beforeEach, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { MemoryRecordStore } from '../../src/adapters/memory/memory-record-store.ts';
import type { Acknowledgement } from '../../src/domain/acknowledgement.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { PolicyVersion } from '../../src/domain/policy.ts';
import type { School } from '../../src/domain/school.ts';
import type { Actor } from '../../src/services/actor.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { recordingApprovalRequests } from '../support/recording-approval-requests.ts';

/**
 * Issue 11, "Approvals that close": the headteacher's own signature is approved by the school's
 * named approver; one pending item per person; every signature that needs approval asks for it,
 * from the tab too; a rejected person signs again and it goes back to the approver; permissions
 * come from the school's list.
 */
const school: School = {
  id: 'oakfield',
  name: 'Oakfield Primary',
  timeZone: 'Europe/London',
  audiences: [{ key: 'staff', label: 'Staff', groupIds: ['g-staff'] }],
  approverIds: ['u-head'],
  adminIds: ['u-dsl'],
  approversApprover: { id: 'u-chair', name: 'Cora Chair', role: 'Chair of Governors' },
  permissionChoices: ['Remote access', 'MIS admin'],
};

const document = (title: string): PolicyDocument => ({
  title,
  sections: [
    { heading: 'Use', clauses: [{ number: '1', text: `I will follow ${title}.`, items: [] }] },
  ],
  declaration: 'I have read and agree to this policy.',
  consents: [],
  approval: { statement: 'I approve this user to be allocated credentials.' },
});

function actor(id: string, name: string, roles: Actor['roles'] = []): Actor {
  return { id, displayName: name, upn: `${id}@oakfield.example`, roles };
}
const ana = actor('u-ana', 'Ana Okafor');
const dsl = actor('u-dsl', 'Dee Safeguard', ['Policy.Admin']);
const head = actor('u-head', 'Helen Head', ['Policy.Approver']);
// The named approver holds the role so she can open Approvals; the settings limit her to this.
const chair = actor('u-chair', 'Cora Chair', ['Policy.Approver']);

let now: Date;
let records: MemoryRecordStore;
let service: CountersignService;
let asked: Acknowledgement[];

beforeEach(() => {
  now = new Date('2026-11-23T10:00:00Z');
  records = new MemoryRecordStore();
  asked = [];
  const directory = new MemoryDirectory({
    people: ['u-ana', 'u-dsl', 'u-head', 'u-chair'].map((id) => ({
      id,
      displayName: id,
      userPrincipalName: `${id}@oakfield.example`,
    })),
    groups: [{ id: 'g-staff', members: ['u-ana', 'u-dsl', 'u-head'] }],
  });
  let n = 0;
  service = createCountersignService({
    records,
    directory,
    clock: { now: () => now },
    sealKey: 'test-seal-key-0123456789abcdef0123456789abcdef',
    evidence: memoryEvidenceKeys(),
    school,
    newId: () => `evt-${++n}`,
    approvalRequests: recordingApprovalRequests((acknowledgement) => {
      asked.push(acknowledgement);
    }),
  });
});

async function publish(label: string): Promise<PolicyVersion> {
  if ((await records.getPolicy('staff-aup')) === null) {
    await records.putPolicy({
      key: 'staff-aup',
      schoolId: school.id,
      title: 'Staff AUP',
      audiences: ['staff'],
      renewal: { kind: 'fixed-date', month: 9, day: 1 },
      approvalMode: 'every-signature',
    });
  }
  const draft = await service.saveDraft(dsl, {
    policyKey: 'staff-aup',
    label,
    changeKind: 'material',
    document: document(`Staff AUP ${label}`),
  });
  return service.publish(dsl, 'staff-aup', draft.number);
}

async function sign(who: Actor, version: PolicyVersion): Promise<Acknowledgement> {
  now = new Date(now.getTime() + 60_000);
  const outcome = await service.sign(who, {
    policyKey: 'staff-aup',
    versionNumber: version.number,
    contentHash: version.contentHash,
    declarationAccepted: true,
    typedName: who.displayName,
    statedRole: 'Staff',
    consents: {},
    channel: 'tab',
  });
  if (outcome.kind !== 'signed') throw new Error('expected a signature');
  return outcome.acknowledgement;
}

describe('the headteacher’s own signature', () => {
  it('is asked of the named approver, who alone decides it', async () => {
    const v1 = await publish('v1');
    const headAck = await sign(head, v1);
    expect(headAck.approvalState).toBe('pending');
    // Signed in the tab, and still the request goes out.
    expect(asked.map((a) => a.id)).toEqual([headAck.id]);

    expect(await service.pendingApprovals(head)).toEqual([]);
    expect((await service.pendingApprovals(chair)).map((p) => p.acknowledgement.id)).toEqual([
      headAck.id,
    ]);
    await expect(service.assertDecidable(head, headAck.id)).rejects.toMatchObject({
      code: 'forbidden',
      details: { reason: 'own-signature' },
    });
    await expect(
      service.decide(head, {
        acknowledgementId: headAck.id,
        decision: 'approved',
        additionalPermissions: [],
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });

    const approved = await service.decide(chair, {
      acknowledgementId: headAck.id,
      decision: 'approved',
      additionalPermissions: ['mis ADMIN', 'Door entry fob'],
    });
    expect(approved).toMatchObject({
      decision: 'approved',
      approverId: 'u-chair',
      // A listed choice as listed; free text kept.
      additionalPermissions: ['MIS admin', 'Door entry fob'],
    });
    const [status] = await service.myPolicies(head);
    expect(status?.status).toMatchObject({
      kind: 'signed',
      additionalPermissions: ['MIS admin', 'Door entry fob'],
    });
  });

  it('the named approver is not asked about, and cannot decide, staff signatures', async () => {
    const v1 = await publish('v1');
    const anaAck = await sign(ana, v1);
    expect(await service.pendingApprovals(chair)).toEqual([]);
    await expect(
      service.decide(chair, {
        acknowledgementId: anaAck.id,
        decision: 'approved',
        additionalPermissions: [],
      }),
    ).rejects.toMatchObject({ code: 'forbidden', details: { reason: 'not-an-approver' } });
    expect((await service.pendingApprovals(head)).map((p) => p.acknowledgement.id)).toEqual([
      anaAck.id,
    ]);
  });
});

describe('one pending item per person', () => {
  it('only the latest signature waits; a superseded one cannot be decided', async () => {
    const v1 = await publish('v1');
    const first = await sign(ana, v1);
    const v2 = await publish('v2');
    const second = await sign(ana, v2);
    const pending = await service.pendingApprovals(head);
    expect(pending.map((p) => p.acknowledgement.id)).toEqual([second.id]);
    await expect(
      service.decide(head, {
        acknowledgementId: first.id,
        decision: 'approved',
        additionalPermissions: [],
      }),
    ).rejects.toMatchObject({ code: 'conflict', details: { supersededBy: second.id } });
    // Not deleted: the earlier signature and its approval row are still in the record.
    expect(await records.listApprovals({ userId: 'u-ana' })).toHaveLength(2);
  });
});

describe('a rejected person', () => {
  it('sees the reason, signs again, and the new signature goes back to the approver', async () => {
    const v1 = await publish('v1');
    const first = await sign(ana, v1);
    await service.decide(head, {
      acknowledgementId: first.id,
      decision: 'rejected',
      additionalPermissions: [],
      comment: 'Please use your full legal name.',
    });
    expect((await service.myPolicies(ana))[0]?.status).toMatchObject({
      kind: 'rejected',
      comment: 'Please use your full legal name.',
    });
    const again = await sign(ana, v1);
    expect(again.id).not.toBe(first.id);
    expect(again.approvalState).toBe('pending');
    expect(asked.map((a) => a.id)).toEqual([first.id, again.id]);
    expect((await service.myPolicies(ana))[0]?.status.kind).toBe('awaiting-approval');
    expect((await service.pendingApprovals(head)).map((p) => p.acknowledgement.id)).toEqual([
      again.id,
    ]);
  });
});
