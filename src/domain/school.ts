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
});
export type School = z.infer<typeof schoolSchema>;
