import { z } from 'zod';

/**
 * The structured form of a school's AUP: what the importer produces, what an admin edits,
 * what a person signs (through its content hash). Shape fixed by DESIGN.md §3.
 */
export const audienceKeySchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'an audience key is lower-case letters, digits and hyphens');
export type AudienceKey = z.infer<typeof audienceKeySchema>;

export const clauseSchema = z.object({
  /** As printed in the document ("1", "4.2", "b"); absent for unnumbered clauses. */
  number: z.string().min(1).max(20).optional(),
  text: z.string().min(1).max(10_000),
  /** Restricts the clause to these audiences; absent means everyone the policy applies to. */
  audience: z.array(audienceKeySchema).min(1).optional(),
  items: z.array(z.string().min(1).max(10_000)).max(200),
});
export type Clause = z.infer<typeof clauseSchema>;

export const sectionSchema = z.object({
  heading: z.string().max(500),
  clauses: z.array(clauseSchema).max(500),
});
export type Section = z.infer<typeof sectionSchema>;

export const consentSchema = z.object({
  /** Stable key for the answer on an acknowledgement, e.g. "photo". */
  key: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
  text: z.string().min(1).max(2_000),
});
export type Consent = z.infer<typeof consentSchema>;

export const approvalBlockSchema = z.object({
  statement: z.string().min(1).max(2_000),
  approverName: z.string().min(1).max(200).optional(),
  approverRole: z.string().min(1).max(200).optional(),
});
export type ApprovalBlock = z.infer<typeof approvalBlockSchema>;

export const policyDocumentSchema = z.object({
  title: z.string().min(1).max(500),
  sections: z.array(sectionSchema).max(200),
  declaration: z.string().max(5_000),
  consents: z.array(consentSchema).max(20),
  approval: approvalBlockSchema.nullable(),
});
export type PolicyDocument = z.infer<typeof policyDocumentSchema>;

/** The heading of the section that holds text the importer could not place. */
export const UNPLACED_SECTION_HEADING = 'Unplaced';
