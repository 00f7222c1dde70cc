import { contentHash } from '../../domain/content-hash.ts';
import { versionRecordId } from '../../domain/evidence/evidence-record.ts';
import { signRecord, type EvidenceSigner } from '../../domain/evidence/evidence-signer.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import { policyCreatedEvent } from '../../domain/policy-created.ts';
import type { PolicyDocument } from '../../domain/policy-document.ts';
import type { RecordStore } from '../../ports/record-store.ts';

/**
 * The demo school's AUP, published once as version 1 so a newcomer's first `npm start` has a
 * policy to sign. Does nothing when the site already has policies.
 */
export async function seedDemoPolicy(
  records: RecordStore,
  input: {
    /** The policy's key (default staff-aup, the demo school's AUP). */
    key?: string;
    schoolId: string;
    audiences: string[];
    document: PolicyDocument;
    actorId: string;
    now: Date;
    /**
     * Signs the published version's record as the service's publish does, so the demo's version 1
     * is evidence like any other (its register can be printed). Without it the version is stored
     * unsigned, like a version published before signed records.
     */
    signer?: EvidenceSigner;
  },
): Promise<boolean> {
  // The demo school's AUP is seeded into a school with no policy; a named one once by its key.
  if (
    input.key === undefined
      ? (await records.listPolicies(input.schoolId)).length > 0
      : (await records.getPolicy(input.key)) !== null
  ) {
    return false;
  }
  const policy: Policy = {
    key: input.key ?? 'staff-aup',
    schoolId: input.schoolId,
    title: input.document.title,
    audiences: input.audiences,
    renewal: { kind: 'fixed-date', month: 9, day: 1 },
    approvalMode: 'first-signature',
    createdAt: input.now.toISOString(),
    createdBy: input.actorId,
  };
  const at = input.now.toISOString();
  await records.putPolicy(policy);
  // The same event createPolicy writes: a seeded policy is in the log like any other, so the
  // repair sweep can take any policy without one for a lost write.
  await records.appendAudit([
    policyCreatedEvent(policy, { id: crypto.randomUUID(), actorId: input.actorId, at }),
  ]);
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
  const signed =
    input.signer === undefined
      ? undefined
      : await signRecord(input.signer, {
          kind: 'published-version',
          id: versionRecordId(policy.key, 1),
          policyKey: policy.key,
          number: 1,
          label: draft.label,
          contentHash: draft.contentHash,
          changeKind: draft.changeKind,
          publishedAt: at,
          publishedBy: input.actorId,
        });
  await records.publishVersion(
    created,
    at,
    [],
    {
      id: crypto.randomUUID(),
      type: 'version.published',
      actorId: input.actorId,
      at,
      subject: signed === undefined ? `${policy.key}:v1` : signed.record.id,
      details: { seeded: true, contentHash: draft.contentHash },
    },
    signed,
  );
  return true;
}
