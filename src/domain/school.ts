import { z } from 'zod';
import { audienceKeySchema } from './policy-document.ts';
import { schoolContactSchema } from './policy-variant.ts';

const calendarDate = z.iso.date();

/** A named span of school-local calendar days, both ends included. */
const dateRangeSchema = z
  .object({ name: z.string().trim().min(1).max(100), from: calendarDate, to: calendarDate })
  .refine((r) => r.from <= r.to, 'a date range must end on or after its first day');

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
  /**
   * The days after a campaign's launch on which reminders go (school-calendar days, e.g. [3, 7]);
   * without it each campaign keeps the plan it was launched with.
   */
  reminderDays: z.array(z.number().int().min(1).max(90)).max(10).optional(),
  /** School hours in the school's time zone, weekdays: when reminders and nudges may go. */
  workingHours: z
    .object({
      startHour: z.number().int().min(0).max(23),
      endHour: z.number().int().min(1).max(24),
    })
    .refine((h) => h.startHour < h.endHour, 'working hours must end after they start')
    .optional(),
  /** Term dates (school-local calendar dates, inclusive). */
  terms: z.array(dateRangeSchema).max(20).optional(),
  /** Holidays and closures within or between terms: no reminder or nudge falls in one. */
  holidays: z.array(dateRangeSchema).max(60).optional(),
  /** How long records are kept after a person leaves (years), the school's retention schedule. */
  retentionYears: z.number().int().min(1).max(100).optional(),
  /**
   * The people a trust policy's placeholders name (`{{contact:dsl}}`): each school's own, so the
   * trust's text says "speak to" this school's DSL (policy-variant.ts).
   */
  contacts: z
    .array(schoolContactSchema)
    .max(20)
    .refine((cs) => new Set(cs.map((c) => c.key)).size === cs.length, 'a contact key is used twice')
    .optional(),
});
export type School = z.infer<typeof schoolSchema>;
