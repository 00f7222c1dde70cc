import { z } from 'zod';
import { DEFAULT_REMINDER_DAYS } from '../../domain/campaign.ts';
import { audienceKeySchema, policyDocumentSchema } from '../../domain/policy-document.ts';
import {
  approvalModeSchema,
  changeKindSchema,
  policyKeySchema,
  renewalRuleSchema,
} from '../../domain/policy.ts';
import { schoolSchema } from '../../domain/school.ts';
import { schoolVariantSchema } from '../../domain/policy-variant.ts';
import { visibleTextSchema } from '../../domain/signature-text.ts';

/**
 * Request bodies and query strings, validated at the boundary. Bodies are strict: an unknown
 * field is refused (422) rather than ignored, so a body naming a `userId` can never be mistaken
 * for acting on someone else's behalf: the person is always the token's `oid`.
 */
const versionNumber = z.number().int().min(1).max(1_000_000);
const contentHash = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 content hash in hex');

export const signBodySchema = z.strictObject({
  versionNumber,
  contentHash,
  declarationAccepted: z.literal(true, 'The declaration must be accepted to sign.'),
  // The signature text rule is the domain's (the card path meets it in the service).
  typedName: visibleTextSchema('typedName').trim().min(1).max(200),
  statedRole: visibleTextSchema('statedRole').trim().min(1).max(200),
  consents: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,39}$/), z.boolean()).default({}),
});

/** A new policy: its key (refused when taken), title, audiences and approval settings. */
export const createPolicyBodySchema = z.strictObject({
  key: policyKeySchema,
  title: z.string().trim().min(1).max(300),
  audiences: z.array(audienceKeySchema).min(1).max(50),
  approvalMode: approvalModeSchema.optional(),
  renewal: renewalRuleSchema.optional(),
});

export const draftBodySchema = z.strictObject({
  label: z.string().trim().min(1).max(100),
  changeKind: changeKindSchema,
  document: policyDocumentSchema,
});

/**
 * A school's own clauses for a trust policy, published as its next variant (issue 14): clauses
 * of the master's shape (a number marks a clause to number after the master's; an audience key
 * restricts it, checked against the school's audiences by the service).
 */
export const variantBodySchema = z.strictObject({
  changeKind: changeKindSchema,
  sections: schoolVariantSchema.shape.sections,
});

/** A school's own clauses to preview with the trust's current master (nothing is written). */
export const variantPreviewBodySchema = z.strictObject({
  sections: schoolVariantSchema.shape.sections,
});

/** Why a published version is withdrawn: kept in its signed audit event for the inspector. */
export const withdrawBodySchema = z.strictObject({
  reason: z.string().trim().min(1).max(500),
});

const permissions = z.array(z.string().trim().min(1).max(200)).max(20);
const comment = z.string().trim().max(2_000).optional();

function reasonWhenRejected(body: { decision: string; comment?: string | undefined }): boolean {
  return body.decision !== 'rejected' || (body.comment ?? '') !== '';
}
const reasonIssue = { message: 'Give a reason when you reject.', path: ['comment'] };

export const decisionBodySchema = z
  .strictObject({
    decision: z.enum(['approved', 'rejected']),
    additionalPermissions: permissions.default([]),
    comment,
  })
  .refine(reasonWhenRejected, reasonIssue);

export const bulkDecisionBodySchema = z
  .strictObject({
    acknowledgementIds: z.array(z.string().min(1).max(300)).min(1).max(200),
    decision: z.enum(['approved', 'rejected']),
    additionalPermissions: permissions.default([]),
    comment,
  })
  .refine(reasonWhenRejected, reasonIssue);

export const launchCampaignBodySchema = z.strictObject({
  policyKey: policyKeySchema,
  versionNumber,
  /** Absent: every audience of the policy. */
  audiences: z.array(audienceKeySchema).min(1).max(50).optional(),
  deadline: z.iso.datetime({ offset: true }),
  reminderDays: z
    .array(z.number().int().min(1).max(365))
    .max(10)
    .default([...DEFAULT_REMINDER_DAYS]),
});

/** The trust lead's campaign of a trust policy in every school (each school's copy, its current version). */
export const launchTrustCampaignBodySchema = z.strictObject({
  deadline: z.iso.datetime({ offset: true }),
  reminderDays: z
    .array(z.number().int().min(1).max(365))
    .max(10)
    .default([...DEFAULT_REMINDER_DAYS]),
});

export const policyVersionRefSchema = z.strictObject({ policyKey: policyKeySchema, versionNumber });

/**
 * The Admin view saves the whole of a school's settings over the revision it read (a save over
 * an older one is a 409). Strict at the top and in the settings: a misspelt setting is refused,
 * never silently dropped from what the admin believes they saved.
 */
export const saveSettingsBodySchema = z.strictObject({
  expectedRevision: z.number().int().min(1),
  settings: schoolSchema.strict(),
});

export const devTokenBodySchema = z.strictObject({ user: z.string().min(1).max(50) });

/** Query strings arrive as text: numbers are coerced, empty values mean "not given". */
const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const peopleQuerySchema = z.object({
  policyKey: policyKeySchema,
  audience: optionalText(40).pipe(audienceKeySchema.optional()),
  status: optionalText(40).pipe(
    z
      .enum(['not-required', 'due', 'overdue', 'signed', 'awaiting-approval', 'rejected'])
      .optional(),
  ),
  q: optionalText(200),
  /** The column to sort by (default name), and `dir` its direction (default ascending). */
  sort: optionalText(20).pipe(z.enum(['name', 'upn', 'audiences', 'status', 'signed']).optional()),
  dir: optionalText(20).pipe(z.enum(['ascending', 'descending']).optional()),
  cursor: optionalText(500),
  pageSize: optionalText(5).pipe(
    z
      .string()
      .regex(/^[0-9]+$/, 'a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1).max(500))
      .optional(),
  ),
});

/**
 * In a trust, the school a request is for (`?school=` on any school route): a school id as the
 * settings list stores it (schoolSchema), checked against the person's schools by the server.
 */
export const schoolQuerySchema = z.string().min(1).max(64);

/** The settings page's group picker: the words the admin typed. */
export const groupSearchQuerySchema = z.object({ search: z.string().trim().min(1).max(100) });

/** A person's page is about one policy. */
export const personQuerySchema = z.object({ policyKey: policyKeySchema });

/** A policy's evidence PDF is the register of one version: the current one when none is named. */
export const evidencePdfQuerySchema = z.object({
  version: optionalText(7).pipe(
    z
      .string()
      .regex(/^[1-9][0-9]{0,6}$/, 'a version number (1, 2, …)')
      .transform(Number)
      .optional(),
  ),
});

export const previewCardQuerySchema = z.object({
  policyKey: policyKeySchema,
  versionNumber: z.coerce.number().int().min(1).max(1_000_000),
});

/** Path parameters: a value that cannot name anything is a 404, not a validation error. */
export const pathKeySchema = policyKeySchema;
export const pathVersionSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,6}$/)
  .transform(Number);

// What a client sends: the schemas' input types (defaults may be left out).
export type SignBody = z.input<typeof signBodySchema>;
export type DraftBody = z.input<typeof draftBodySchema>;
export type VariantBody = z.input<typeof variantBodySchema>;
export type VariantPreviewBody = z.input<typeof variantPreviewBodySchema>;
export type CreatePolicyBody = z.input<typeof createPolicyBodySchema>;
export type DecisionBody = z.input<typeof decisionBodySchema>;
export type BulkDecisionBody = z.input<typeof bulkDecisionBodySchema>;
export type LaunchCampaignBody = z.input<typeof launchCampaignBodySchema>;
export type PolicyVersionRef = z.input<typeof policyVersionRefSchema>;
export type DevTokenBody = z.input<typeof devTokenBodySchema>;
export type SaveSettingsBody = z.input<typeof saveSettingsBodySchema>;
/** The people list's filters, as query parameters (text, as a URL carries them). */
export type PeopleFilter = Pick<
  z.input<typeof peopleQuerySchema>,
  'policyKey' | 'audience' | 'status' | 'q' | 'sort' | 'dir'
>;
