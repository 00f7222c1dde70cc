import { resolveVariantAudiences } from '../domain/audience-keys.ts';
import { currentVariant, nextEffectiveVersion } from '../domain/effective-version.ts';
import { CountersignError } from '../domain/errors.ts';
import type { ChangeKind } from '../domain/policy.ts';
import { diffDocuments, summariseDiff, type PolicyDiff } from '../domain/policy-diff.ts';
import type { PolicyDocument } from '../domain/policy-document.ts';
import { schoolVariantSchema, type SchoolVariant } from '../domain/policy-variant.ts';
import { versionsAfterPublish } from '../domain/publish-impact.ts';
import { currentVersion } from '../domain/status.ts';
import type { Actor } from './actor.ts';
import {
  loadCopy,
  loadTrustPolicy,
  publishedMaster,
  requireSchoolAdmin,
  requireTrustLead,
} from './trust-policies.ts';
import { versionChangeImpact, type LabelledImpact } from './version-impact.ts';
import type { ServiceContext } from './service-context.ts';

/** What publishing the master would do in one school. */
export interface SchoolPublishImpact {
  schoolId: string;
  schoolName: string;
  /** The school's effective version it would publish ("2027-28 · Kingsmead variant 1"). */
  label?: string;
  changeKind?: ChangeKind;
  /** Per audience, as the school's Admin view counts a publish (the people report's rules). */
  audiences: LabelledImpact[];
  /** Why this school cannot take the master (a contact it lacks): the publish would stop. */
  problem?: string;
}

/** What the trust lead confirms before publishing a master draft. */
export interface TrustPublishPreview {
  versionNumber: number;
  label: string;
  changeKind: ChangeKind;
  fromVersion?: number;
  summary: string;
  diff: PolicyDiff;
  schools: SchoolPublishImpact[];
}

/** A school's text as it would be with the given clauses of its own. */
export interface VariantPreview {
  label: string;
  masterVersion: number;
  document: PolicyDocument;
}

/**
 * GET /api/trust/policies/:key/versions/:n/publish-preview (the trust lead): the master's change
 * since the current master, and for each school the effective version it would get and, per
 * audience, who must sign again, counted as the school's own publish confirmation counts
 * (versionChangeImpact over that school's copy). Composed as publishMaster composes, so a school
 * missing a contact is named here before anything is written. Reads only.
 */
export async function masterPublishPreview(
  ctx: ServiceContext,
  actor: Actor,
  policyKey: string,
  versionNumber: number,
): Promise<TrustPublishPreview> {
  const trust = await requireTrustLead(ctx, actor);
  const site = trust.site;
  const loaded = await loadTrustPolicy(site, policyKey);
  const draft = loaded.versions.find((v) => v.number === versionNumber);
  if (draft === undefined) {
    throw new CountersignError('not-found', `There is no version ${versionNumber}.`);
  }
  if (draft.status !== 'draft') {
    throw new CountersignError('conflict', `Version ${versionNumber} is already ${draft.status}.`);
  }
  const from = loaded.current;
  const base = from?.document ?? { ...draft.document, sections: [], consents: [], declaration: '' };
  const diff = diffDocuments(base, draft.document);
  const now = ctx.clock.now().toISOString();
  const asPublished = { ...draft, status: 'published' as const, publishedAt: now };
  const schools: SchoolPublishImpact[] = [];
  for (const school of trust.schools) {
    const copy = await loadCopy(site, loaded.policy, school.id);
    const base = { schoolId: school.id, schoolName: school.name };
    let next;
    try {
      next = nextEffectiveVersion({
        copy: copy.copy,
        copyVersions: copy.versions,
        master: asPublished,
        school,
        variant: currentVariant(copy.versions),
        change: { kind: 'master', changeKind: draft.changeKind },
      });
    } catch (error) {
      // A school lacking a contact the master names: publishMaster would refuse; say which.
      if (!(error instanceof CountersignError && error.code === 'validation')) throw error;
      schools.push({ ...base, audiences: [], problem: error.message });
      continue;
    }
    const after = versionsAfterPublish(
      [...copy.versions.filter((v) => v.status !== 'draft'), next],
      next.number,
      now,
    );
    // The school's copy counted in that school: its audiences, its people, its time zone.
    const audiences = await versionChangeImpact(
      { ...site, school },
      {
        policy: copy.copy,
        versions: copy.versions,
        tagged: copy.tagged,
        current: currentVersion(copy.versions),
      },
      after,
    );
    schools.push({
      ...base,
      label: next.label,
      changeKind: next.changeKind,
      audiences,
    });
  }
  return {
    versionNumber,
    label: draft.label,
    changeKind: draft.changeKind,
    ...(from === undefined ? {} : { fromVersion: from.number }),
    summary: summariseDiff(diff),
    diff,
    schools,
  };
}

/**
 * POST /api/trust/policies/:key/schools/:schoolId/variant/preview (that school's admin): the
 * text the school's people would sign with these clauses of its own, composed with the trust's
 * current master and the school's contacts as publishVariant composes it (a contact the school
 * lacks is refused, naming it). Writes nothing.
 */
export async function variantPreview(
  ctx: ServiceContext,
  actor: Actor,
  input: { policyKey: string; schoolId: string; variant: SchoolVariant },
): Promise<VariantPreview> {
  const { trust, school } = await requireSchoolAdmin(ctx, actor, input.schoolId);
  const site = trust.site;
  const loaded = await loadTrustPolicy(site, input.policyKey);
  const variant = resolveVariantAudiences(
    schoolVariantSchema.parse(input.variant),
    school,
    loaded.policy.audiences,
  );
  const master = publishedMaster(loaded);
  const copy = await loadCopy(site, loaded.policy, school.id);
  const next = nextEffectiveVersion({
    copy: copy.copy,
    copyVersions: copy.versions,
    master,
    school,
    variant: { version: currentVariant(copy.versions).version + 1, variant },
    change: { kind: 'variant', schoolId: school.id, changeKind: 'material' },
  });
  return { label: next.label, masterVersion: master.number, document: next.document };
}
