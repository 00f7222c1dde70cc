import { z } from 'zod';
import { audienceKeySchema } from './policy-document.ts';

export const schoolSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  /** IANA zone; renewal dates and reminder hours are in school time. */
  timeZone: z.string().min(1).default('Europe/London'),
  /** Which Entra groups make up each audience (members are resolved transitively). */
  audiences: z.array(
    z.object({ key: audienceKeySchema, label: z.string().min(1), groupIds: z.array(z.string()) }),
  ),
  /** Entra object ids of the people who approve new signers (usually the headteacher). */
  approverIds: z.array(z.string()),
  /** Entra object ids of the policy admins (DSL, office manager, IT lead): digests go to them. */
  adminIds: z.array(z.string()).default([]),
  /**
   * Who approves the approvers' own signatures (the chair of governors, or a deputy): nobody
   * approves their own, so without this a lone headteacher's signature could never be approved.
   * Only this person decides on an approver's signature; they are not asked about anyone else's
   * (unless they are an approver too). They need the Policy.Approver app role to open Approvals.
   */
  approversApprover: z
    .object({
      id: z.string().min(1),
      /** As signers read it: "Your signature goes to Margaret Ellison (Chair of Governors)". */
      name: z.string().min(1).max(200),
      role: z.string().min(1).max(200).optional(),
    })
    .optional(),
  /**
   * The "additional permissions" an approver chooses from (free text is still possible). A
   * card's multi-select answers with the values joined by commas, so a choice has none.
   */
  permissionChoices: z
    .array(
      z
        .string()
        .trim()
        .min(1)
        .max(100)
        .refine((c) => !c.includes(','), 'a permission choice cannot contain a comma'),
    )
    .max(30)
    .optional(),
});
export type School = z.infer<typeof schoolSchema>;
