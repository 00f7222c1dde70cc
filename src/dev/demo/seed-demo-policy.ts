import { contentHash } from '../../domain/content-hash.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import type { PolicyDocument } from '../../domain/policy-document.ts';
import type { RecordStore } from '../../ports/record-store.ts';

/**
 * The demo school's AUP, published once as version 1 so a newcomer's first `npm start` has a
 * policy to sign. Does nothing when the site already has policies.
 */
export async function seedDemoPolicy(
  records: RecordStore,
  input: {
    schoolId: string;
    audiences: string[];
    document: PolicyDocument;
    actorId: string;
    now: Date;
  },
): Promise<boolean> {
  if ((await records.listPolicies(input.schoolId)).length > 0) return false;
  const policy: Policy = {
    key: 'staff-aup',
    schoolId: input.schoolId,
    title: input.document.title,
    audiences: input.audiences,
    renewal: { kind: 'fixed-date', month: 9, day: 1 },
    approvalMode: 'first-signature',
  };
  await records.putPolicy(policy);
  const at = input.now.toISOString();
  const draft: PolicyVersion = {
    policyKey: policy.key,
    number: 1,
    label: '2026-27',
    status: 'draft',
    changeKind: 'material',
    document: input.document,
    contentHash: contentHash(input.document),
  };
  const created = await records.createVersion(draft, {
    id: crypto.randomUUID(),
    type: 'policy.saved',
    actorId: input.actorId,
    at,
    subject: `${policy.key}:v1`,
    details: { seeded: true },
  });
  await records.publishVersion(created, at, [], {
    id: crypto.randomUUID(),
    type: 'version.published',
    actorId: input.actorId,
    at,
    subject: `${policy.key}:v1`,
    details: { seeded: true, contentHash: draft.contentHash },
  });
  return true;
}
