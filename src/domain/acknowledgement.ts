import { z } from 'zod';
import { policyKeySchema } from './policy.ts';

export const signChannelSchema = z.enum(['tab', 'card']);

export const approvalStateSchema = z.enum(['not-required', 'pending', 'approved', 'rejected']);
export type ApprovalState = z.infer<typeof approvalStateSchema>;

/** The fields a seal covers: everything a person asserted when signing. */
export const acknowledgementFieldsSchema = z.object({
  policyKey: policyKeySchema,
  versionNumber: z.number().int().min(1),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  userId: z.string().min(1),
  upn: z.string().min(1),
  displayName: z.string().min(1),
  typedName: z.string().min(1).max(200),
  statedRole: z.string().min(1).max(200),
  /** ISO 8601 UTC. */
  signedAt: z.iso.datetime(),
  channel: signChannelSchema,
  /** Answers to the document's optional consents, by consent key. */
  consents: z.record(z.string(), z.boolean()),
});
export type AcknowledgementFields = z.infer<typeof acknowledgementFieldsSchema>;

/**
 * One signature: immutable once written, except for its approval state, which is not sealed
 * (the Approvals list holds the sealed-by-audit decision).
 */
export const acknowledgementSchema = acknowledgementFieldsSchema.extend({
  /** Stable id: one person signs one version once, so the id derives from those. */
  id: z.string().min(1),
  approvalState: approvalStateSchema,
  /** HMAC-SHA-256 (hex) over the canonical fields, with the server-held seal key. */
  seal: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Acknowledgement = z.infer<typeof acknowledgementSchema>;

/**
 * One person signs one version once: the acknowledgement id is derived, never random. A renewal
 * (the rule's date came round with no new version) signs the same version again: `renewal` counts
 * those re-signings (1, 2, …) so each gets its own id; 0 or absent is the first signature.
 */
export function acknowledgementId(
  policyKey: string,
  versionNumber: number,
  userId: string,
  renewal = 0,
): string {
  const base = `${policyKey}:v${versionNumber}:${userId}`;
  return renewal > 0 ? `${base}:r${renewal}` : base;
}

/**
 * The order listings give signatures in: by signing time, then by id. `signedAt` is compared
 * ordinally (by UTF-16 code unit), not with `localeCompare`: the schema admits only
 * `YYYY-MM-DDTHH:MM:SS(.d+)?Z`, so two values first differ at a digit, or at "." against "Z", or
 * at a digit against "Z", which the locale's collation orders as code units do (a test pins the
 * two orders equal), at a fraction of the cost: a 20,000-person policy's listing sorted 15,000
 * rows with `localeCompare` in 20-80 ms. Only equal times (rare) compare ids, as before.
 */
export function bySigningOrder(
  a: { signedAt: string; id: string },
  b: { signedAt: string; id: string },
): number {
  if (a.signedAt !== b.signedAt) return a.signedAt < b.signedAt ? -1 : 1;
  return a.id.localeCompare(b.id);
}

/**
 * The policy an acknowledgement (or its approval) belongs to, read from its derived id: a policy
 * key has no ":" (policyKeySchema), so it is everything before the first one.
 */
export function policyKeyOfAcknowledgementId(id: string): string {
  return id.split(':', 1)[0] ?? id;
}

/**
 * What a people report reads of a signature: who signed which version, when, under what name and
 * role, and its approval state. Not the seal, the consents, the channel or the content hash: a
 * report of 20,000 people reads every signature of the policy, and those are most of a row's
 * bytes (RecordStore.listSignatureFacts). An Acknowledgement is one too.
 */
export const signatureFactsSchema = acknowledgementSchema.pick({
  id: true,
  policyKey: true,
  versionNumber: true,
  userId: true,
  signedAt: true,
  upn: true,
  displayName: true,
  typedName: true,
  statedRole: true,
  approvalState: true,
});
export type SignatureFacts = z.infer<typeof signatureFactsSchema>;
