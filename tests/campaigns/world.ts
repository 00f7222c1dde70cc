import { randomUUID } from 'node:crypto';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { MemoryRecordStore } from '../../src/adapters/memory/memory-record-store.ts';
import { acknowledgementId } from '../../src/domain/acknowledgement.ts';
import { contentHash } from '../../src/domain/content-hash.ts';
import type { Policy, PolicyVersion } from '../../src/domain/policy.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { School } from '../../src/domain/school.ts';
import type { RecordStore } from '../../src/ports/record-store.ts';
import type { Actor } from '../../src/services/actor.ts';

export const school: School = {
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

export const admin: Actor = {
  id: 'u-dsl',
  upn: 'u-dsl@oakfield.example',
  displayName: 'Dee Safeguard',
  roles: ['Policy.Admin'],
};
export const teacher: Actor = {
  id: 'u-ana',
  upn: 'u-ana@oakfield.example',
  displayName: 'Ana Okafor',
  roles: [],
};

export function doc(extra = ''): PolicyDocument {
  return {
    title: 'Staff Acceptable Use Policy',
    sections: [
      {
        heading: 'Using school systems',
        clauses: [
          {
            number: '1',
            text: `I will only use school systems for school purposes.${extra}`,
            items: [],
          },
          { number: '2', text: 'I will keep my password private.', items: [] },
        ],
      },
    ],
    declaration: 'I have read, understood and agree to this policy.',
    consents: [],
    approval: null,
  };
}

export const policy: Policy = {
  key: 'staff-aup',
  schoolId: school.id,
  title: 'Staff Acceptable Use Policy',
  audiences: ['staff', 'governor'],
  renewal: { kind: 'fixed-date', month: 9, day: 1 },
  approvalMode: 'none',
};

const audit = (subject: string) => ({
  id: randomUUID(),
  type: 'version.published' as const,
  actorId: 'u-dsl',
  at: '2026-01-01T00:00:00.000Z',
  subject,
  details: {},
});

export async function publishVersion(
  records: RecordStore,
  number: number,
  publishedAt: string,
): Promise<PolicyVersion> {
  const document = doc(number > 1 ? ` (v${number})` : '');
  const version: PolicyVersion = {
    policyKey: policy.key,
    number,
    label: `Version ${number}`,
    status: 'published',
    changeKind: 'material',
    publishedAt,
    document,
    contentHash: contentHash(document),
  };
  return (await records.createVersion(version, audit(`${policy.key}:v${number}`))).value;
}

export async function sign(
  records: RecordStore,
  version: PolicyVersion,
  userId: string,
  signedAt: string,
): Promise<void> {
  await records.recordSignature(
    {
      id: acknowledgementId(version.policyKey, version.number, userId),
      policyKey: version.policyKey,
      versionNumber: version.number,
      contentHash: version.contentHash,
      userId,
      upn: `${userId}@oakfield.example`,
      displayName: userId,
      typedName: userId,
      statedRole: 'Teacher',
      signedAt,
      channel: 'tab',
      consents: {},
      approvalState: 'not-required',
      seal: '0'.repeat(64),
    },
    { ...audit(userId), type: 'acknowledgement.signed' },
  );
}

/** A school with `staff` people in g-staff (ids s-00000…) and 2 governors, one also staff. */
export async function world(staff: number) {
  const records = new MemoryRecordStore();
  const people = Array.from({ length: staff }, (_, i) => {
    const id = `s-${String(i).padStart(5, '0')}`;
    return { id, displayName: `Staff ${i}`, userPrincipalName: `${id}@oakfield.example` };
  });
  const directory = new MemoryDirectory({
    people: [
      ...people,
      { id: 'gov-1', displayName: 'Gail Governor', userPrincipalName: 'gov-1@oakfield.example' },
      { id: 'u-dsl', displayName: 'Dee Safeguard', userPrincipalName: 'u-dsl@oakfield.example' },
      { id: 'u-head', displayName: 'Helen Head', userPrincipalName: 'u-head@oakfield.example' },
    ],
    groups: [
      { id: 'g-staff-core', members: people.map((p) => p.id) },
      // Nested: the staff group holds a group; one person is in both audiences.
      { id: 'g-staff', members: ['g-staff-core', 'u-dsl'] },
      { id: 'g-governors', members: ['gov-1', people[0]?.id ?? 'gov-1'] },
    ],
  });
  await records.putPolicy(policy);
  return { records, directory, people };
}
