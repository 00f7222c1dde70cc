import { resolveDocumentAudiences } from '../domain/audience-keys.ts';
import { contentHash } from '../domain/content-hash.ts';
import { CountersignError } from '../domain/errors.ts';
import { versionRecordId } from '../domain/evidence/evidence-record.ts';
import { signRecord } from '../domain/evidence/evidence-signer.ts';
import type { ChangeKind, Policy, PolicyVersion } from '../domain/policy.ts';
import { diffDocuments, summariseDiff, type PolicyDiff } from '../domain/policy-diff.ts';
import { policyDocumentSchema, type PolicyDocument } from '../domain/policy-document.ts';
import type { Actor } from './actor.ts';
import type { Tagged } from '../ports/record-store.ts';
import { loadPolicy, type LoadedPolicy } from './policy-versions.ts';
import { requireRole } from './require-role.ts';
import type { ServiceContext } from './service-context.ts';

export async function listPoliciesForAdmin(
  ctx: ServiceContext,
  actor: Actor,
): Promise<{ policy: Policy; versions: PolicyVersion[] }[]> {
  requireRole(actor, 'Policy.Admin');
  const policies = await ctx.records.listPolicies(ctx.school.id);
  const out: { policy: Policy; versions: PolicyVersion[] }[] = [];
  for (const policy of policies) {
    const loaded = await loadPolicy(ctx.records, policy.key);
    out.push({ policy: loaded.policy, versions: loaded.versions });
  }
  return out;
}

/**
 * Creates the draft of the next version, or replaces the open draft's content. The policy must
 * exist ('not-found' otherwise): a new one is made by createPolicy first.
 */
export async function saveDraft(
  ctx: ServiceContext,
  actor: Actor,
  input: { policyKey: string; label: string; changeKind: ChangeKind; document: PolicyDocument },
): Promise<PolicyVersion> {
  requireRole(actor, 'Policy.Admin');
  const document = resolveDocumentAudiences(policyDocumentSchema.parse(input.document), ctx.school);
  // A policy is created explicitly (create-policy.ts), never by saving a draft under a new key.
  const loaded = await loadPolicy(ctx.records, input.policyKey);
  assertSchoolsOwn(loaded.policy);
  return writeDraft(ctx, actor.id, loaded, input, document);
}

/**
 * Writes `document` as the policy's next draft: over its open draft, or as a new version (with
 * its `policy.saved` event) after the last one. A policy's first version is always material.
 * Shared by a school's drafts and the trust's master drafts (trust-policies.ts).
 */
export async function writeDraft(
  ctx: ServiceContext,
  actorId: string,
  loaded: LoadedPolicy,
  input: { policyKey: string; label: string; changeKind: ChangeKind },
  document: PolicyDocument,
): Promise<PolicyVersion> {
  const latest = [...loaded.tagged].sort((a, b) => b.value.number - a.value.number)[0];
  const next: PolicyVersion = {
    policyKey: input.policyKey,
    number:
      latest?.value.status === 'draft' ? latest.value.number : (latest?.value.number ?? 0) + 1,
    label: input.label,
    status: 'draft',
    changeKind: loaded.versions.some((v) => v.status !== 'draft') ? input.changeKind : 'material',
    document,
    contentHash: contentHash(document),
  };
  if (latest?.value.status === 'draft') {
    return (await ctx.records.updateDraft(latest, next)).value;
  }
  const created = await ctx.records.createVersion(next, {
    id: ctx.newId(),
    type: 'policy.saved',
    actorId,
    at: ctx.clock.now().toISOString(),
    subject: `${next.policyKey}:v${next.number}`,
    details: { label: next.label, changeKind: next.changeKind, contentHash: next.contentHash },
  });
  return created.value;
}

export async function previewPublish(
  ctx: ServiceContext,
  actor: Actor,
  policyKey: string,
  versionNumber: number,
): Promise<{ fromVersion?: number; summary: string; diff: PolicyDiff }> {
  requireRole(actor, 'Policy.Admin');
  const loaded = await loadPolicy(ctx.records, policyKey);
  const draft = loaded.versions.find((v) => v.number === versionNumber);
  if (!draft) throw new CountersignError('not-found', `There is no version ${versionNumber}.`);
  const from = loaded.current;
  const base = from?.document ?? { ...draft.document, sections: [], consents: [], declaration: '' };
  const diff = diffDocuments(base, draft.document);
  return { ...(from ? { fromVersion: from.number } : {}), summary: summariseDiff(diff), diff };
}

/**
 * A trust policy's master and a school's copy of it change through the trust's own calls
 * (trust-policies.ts): the master is the trust lead's, a copy's text is composed, never edited.
 */
function assertSchoolsOwn(policy: Policy): void {
  if (policy.scope === 'trust') {
    throw new CountersignError(
      'validation',
      `"${policy.title}" is a trust policy: the trust lead drafts and publishes its master.`,
      { policyKey: policy.key, scope: 'trust' },
    );
  }
  if (policy.masterPolicyKey !== undefined) {
    throw new CountersignError(
      'validation',
      `"${policy.title}" is the school's copy of a trust policy: its text is the trust's master with the school's own clauses, published as a variant.`,
      { policyKey: policy.key, masterPolicyKey: policy.masterPolicyKey },
    );
  }
}

/** Publishes a draft and retires what it supersedes, in one batch with its audit event. */
export async function publishVersion(
  ctx: ServiceContext,
  actor: Actor,
  policyKey: string,
  versionNumber: number,
): Promise<PolicyVersion> {
  requireRole(actor, 'Policy.Admin');
  const loaded = await loadPolicy(ctx.records, policyKey);
  assertSchoolsOwn(loaded.policy);
  const draft = loaded.tagged.find((t) => t.value.number === versionNumber);
  if (!draft) throw new CountersignError('not-found', `There is no version ${versionNumber}.`);
  if (draft.value.status !== 'draft') {
    throw new CountersignError(
      'conflict',
      `Version ${versionNumber} is already ${draft.value.status}.`,
    );
  }
  const retire = loaded.tagged.filter(
    (t) => t.value.status === 'published' && t.value.number < versionNumber,
  );
  return publishDraft(ctx, actor, draft, retire);
}

/**
 * The publish itself, whoever may do it (a school's admin, the trust lead, a variant's
 * composition): the signed record (with the composition of a school's copy), the draft marked
 * published, the versions it supersedes retired and the audit event, in one batch.
 */
export async function publishDraft(
  ctx: ServiceContext,
  actor: Actor,
  draft: Tagged<PolicyVersion>,
  retire: Tagged<PolicyVersion>[],
): Promise<PolicyVersion> {
  const { policyKey, number: versionNumber, composition } = draft.value;
  const publishedAt = ctx.clock.now().toISOString();
  const ref =
    composition === undefined
      ? undefined
      : {
          masterPolicyKey: composition.masterPolicyKey,
          masterVersion: composition.masterVersion,
          variantVersion: composition.variantVersion,
        };
  // The evidence: which text (by hash) people are asked to sign, when, and who published it.
  const signed = await signRecord(ctx.evidence.signer, {
    kind: 'published-version',
    id: versionRecordId(policyKey, versionNumber),
    policyKey,
    number: versionNumber,
    label: draft.value.label,
    contentHash: draft.value.contentHash,
    changeKind: draft.value.changeKind,
    publishedAt,
    publishedBy: actor.id,
    ...(ref === undefined ? {} : { composition: ref }),
  });
  const published = await ctx.records.publishVersion(
    draft,
    publishedAt,
    retire,
    {
      id: ctx.newId(),
      type: 'version.published',
      actorId: actor.id,
      // An event announcing a record carries that record's signing time.
      at: publishedAt,
      subject: signed.record.id,
      details: {
        label: draft.value.label,
        changeKind: draft.value.changeKind,
        contentHash: draft.value.contentHash,
        retired: retire.map((t) => t.value.number),
        ...(ref === undefined ? {} : { composition: ref }),
      },
    },
    signed,
  );
  // Cards and lists name the policy by its title: keep it the published document's title.
  const policy = await ctx.records.getPolicy(policyKey);
  if (policy && policy.value.title !== published.value.document.title) {
    await ctx.records.putPolicy(
      { ...policy.value, title: published.value.document.title },
      policy.etag,
    );
  }
  return published.value;
}
