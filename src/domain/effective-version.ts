import { contentHash } from './content-hash.ts';
import { CountersignError } from './errors.ts';
import type { Policy, PolicyVersion } from './policy.ts';
import {
  composeEffective,
  effectivePolicyKey,
  numberSchoolClauses,
  type Composition,
  type SchoolVariant,
  type TrustPolicyChange,
  type VariantSchool,
} from './policy-variant.ts';
import { currentVersion } from './status.ts';

/**
 * A school's copy of a trust policy: a policy of the school (so its people's status, signing,
 * reports, campaigns and evidence packs work as for any policy of theirs), whose versions are the
 * effective texts. Audiences, renewal and approval follow the master's policy.
 */
export function schoolCopyOf(master: Policy, schoolId: string): Policy {
  if (master.scope !== 'trust') {
    throw new CountersignError('validation', `"${master.title}" is not a trust policy.`, {
      policyKey: master.key,
    });
  }
  return {
    key: effectivePolicyKey(master.key, schoolId),
    schoolId,
    title: master.title,
    masterPolicyKey: master.key,
    audiences: [...master.audiences],
    renewal: master.renewal,
    approvalMode: master.approvalMode,
  };
}

/** The variant a school's copy carries now: its current version's (none yet: version 0, empty). */
export function currentVariant(copyVersions: readonly PolicyVersion[]): {
  version: number;
  variant: SchoolVariant;
} {
  const composition = currentVersion(copyVersions)?.composition;
  return composition === undefined
    ? { version: 0, variant: { sections: [] } }
    : { version: composition.variantVersion, variant: composition.variant };
}

const LABEL_MAX = 100;

/**
 * "2026-27 · Oakfield Primary variant 2": the master's label, the school, and the variant's
 * number (none while the school has added nothing). Cut to the label column's 100 characters.
 */
export function effectiveLabel(
  masterLabel: string,
  schoolName: string,
  variantVersion: number,
): string {
  const label = `${masterLabel} · ${schoolName}${variantVersion > 0 ? ` variant ${variantVersion}` : ''}`;
  return label.length <= LABEL_MAX ? label : `${label.slice(0, LABEL_MAX - 1)}…`;
}

export interface NextEffectiveInput {
  /** The school's copy (schoolCopyOf). */
  copy: Policy;
  /** Its versions so far (none for a school that never had one). */
  copyVersions: readonly PolicyVersion[];
  /** The master version to compose from: the trust policy's published one. */
  master: PolicyVersion;
  school: VariantSchool;
  /** The variant to compose with: a new one (a variant change) or the current one carried on. */
  variant: { version: number; variant: SchoolVariant };
  change: TrustPolicyChange;
}

/**
 * The school's next effective version, as a draft: numbered after every version of the copy
 * (1, 2, 3… per school, whatever moved: the master or the variant), composed and hashed. Its
 * change kind is the change's (a material master change asks every school's people to sign
 * again, a school's own only its people; schoolsAskedToSignAgain), except that a copy's first
 * version is material: nobody in the school has signed it yet.
 */
export function nextEffectiveVersion(input: NextEffectiveInput): PolicyVersion {
  const { copy, master, school, variant, change } = input;
  if (master.status !== 'published') {
    throw new CountersignError(
      'conflict',
      `Version ${master.number} of the trust policy is ${master.status}, not published.`,
    );
  }
  if (change.kind === 'variant' && change.schoolId !== school.id) {
    throw new CountersignError('validation', 'A school variant changes only its own school.');
  }
  const document = composeEffective(master.document, variant.variant, school);
  const composition: Composition = {
    masterPolicyKey: master.policyKey,
    masterVersion: master.number,
    variantVersion: variant.version,
    // Kept with the numbers this master gave them, so the school's editor shows them; the next
    // master numbers them again after its own.
    variant: numberSchoolClauses(master.document, variant.variant),
  };
  const everPublished = input.copyVersions.some((v) => v.status !== 'draft');
  const last = Math.max(0, ...input.copyVersions.map((v) => v.number));
  return {
    policyKey: copy.key,
    number: last + 1,
    label: effectiveLabel(master.label, school.name, variant.version),
    status: 'draft',
    changeKind: everPublished ? change.changeKind : 'material',
    document,
    contentHash: contentHash(document),
    composition,
  };
}
