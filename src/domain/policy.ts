import { z } from 'zod';
import { audienceKeySchema, policyDocumentSchema } from './policy-document.ts';
import { compositionSchema } from './policy-variant.ts';

/** When a signature falls due again, besides every material change. */
export const renewalRuleSchema = z.discriminatedUnion('kind', [
  /** N months after the person signed. */
  z.object({ kind: z.literal('anniversary'), months: z.number().int().min(1).max(60) }),
  /** Every year on a fixed date in the school's time zone, e.g. 1 September. */
  z.object({
    kind: z.literal('fixed-date'),
    month: z.number().int().min(1).max(12),
    day: z.number().int().min(1).max(31),
  }),
]);
export type RenewalRule = z.infer<typeof renewalRuleSchema>;

export const approvalModeSchema = z.enum(['none', 'first-signature', 'every-signature']);
export type ApprovalMode = z.infer<typeof approvalModeSchema>;

export const policyKeySchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);

/**
 * school: a school's own policy (the default: policies stored before trusts have no scope);
 * trust: a trust-wide policy whose versions are the master text, signed by nobody as such: each
 * school's people sign their school's copy (policy-variant.ts, effective-version.ts).
 */
export const policyScopeSchema = z.enum(['school', 'trust']);

export const policySchema = z.object({
  key: policyKeySchema,
  /** The school's id; for a trust policy, the trust's. */
  schoolId: z.string().min(1),
  scope: policyScopeSchema.optional(),
  /** On a school's copy of a trust policy: the trust policy (its master) it is composed from. */
  masterPolicyKey: policyKeySchema.optional(),
  title: z.string().min(1).max(300),
  audiences: z.array(audienceKeySchema).min(1),
  renewal: renewalRuleSchema,
  approvalMode: approvalModeSchema,
  /**
   * When and by whom the policy was created (ISO 8601 UTC; an Entra object id), written by every
   * path that creates one. The repair sweep reads them: a policy younger than its grace may
   * still be writing its `policy.created` event, and an older one without it names its creator
   * from here. Absent on policies stored before the fields; plain, unsigned values.
   */
  createdAt: z.iso.datetime().optional(),
  createdBy: z.string().min(1).optional(),
});
export type Policy = z.infer<typeof policySchema>;

/**
 * retired: superseded by a later version; withdrawn: taken back by an admin as published by
 * mistake. A withdrawn version stays in the record (its signatures are evidence), but for status
 * it is as if it had never been published (status.ts).
 */
export const versionStatusSchema = z.enum(['draft', 'published', 'retired', 'withdrawn']);
export type VersionStatus = z.infer<typeof versionStatusSchema>;

/** material: everyone must re-sign; minor: a correction, existing signatures stand. */
export const changeKindSchema = z.enum(['material', 'minor']);
export type ChangeKind = z.infer<typeof changeKindSchema>;

export const policyVersionSchema = z.object({
  policyKey: policyKeySchema,
  number: z.number().int().min(1),
  label: z.string().min(1).max(100),
  status: versionStatusSchema,
  changeKind: changeKindSchema,
  /** ISO 8601 UTC; set when published. */
  publishedAt: z.iso.datetime().optional(),
  document: policyDocumentSchema,
  /** SHA-256 (hex) of the canonical document: what a person signs. */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** On a school's copy of a trust policy: the master and variant versions it was composed from. */
  composition: compositionSchema.optional(),
});
export type PolicyVersion = z.infer<typeof policyVersionSchema>;
