import { z } from 'zod';
import type { Policy } from './policy.ts';
import { rolesIn, type AppRole } from './school-roles.ts';
import type { School } from './school.ts';

/**
 * The settings row that holds the trust's own settings, beside one row per school in the same
 * CountersignSettings list (issue 14, item 3). It is stored through the SettingsStore as every
 * school's row is (same revision checks, same signed settings.changed audit event): a School whose
 * adminIds are the trust leads. No school may take this id (schoolSchema does not know it, so
 * `trustOf` is the one place that tells the two apart).
 */
export const TRUST_SETTINGS_ID = '@trust';

export const trustSettingsSchema = z.object({
  name: z.string().trim().min(1).max(200),
  /** Entra object ids of the trust leads: they read every school side by side. */
  leadIds: z.array(z.string().min(1)).max(50),
});
export type TrustSettings = z.infer<typeof trustSettingsSchema>;

/** The schools of one tenant and the trust's own settings. A lone school is a trust of one. */
export interface Trust {
  settings: TrustSettings;
  /** In SchoolId order, the reserved row left out. */
  schools: School[];
}

/** The reserved row's content: the trust's settings as the settings list stores a row. */
export function trustSettingsRow(settings: TrustSettings): School {
  const parsed = trustSettingsSchema.parse(settings);
  return {
    id: TRUST_SETTINGS_ID,
    name: parsed.name,
    timeZone: 'Europe/London',
    audiences: [],
    approverIds: [],
    adminIds: parsed.leadIds,
  };
}

/**
 * The trust the settings list describes: the reserved row's name and leads, and every other row a
 * school. Without the reserved row (a deployment from before trusts, or a single school) the trust
 * is named after its only school, or "Trust", and has no lead: nobody gains a role by the upgrade.
 */
export function trustOf(rows: readonly School[]): Trust {
  const reserved = rows.find((r) => r.id === TRUST_SETTINGS_ID);
  const schools = rows
    .filter((r) => r.id !== TRUST_SETTINGS_ID)
    .sort((a, b) => a.id.localeCompare(b.id));
  const settings: TrustSettings =
    reserved === undefined
      ? { name: schools.length === 1 ? (schools[0] as School).name : 'Trust', leadIds: [] }
      : { name: reserved.name, leadIds: [...reserved.adminIds] };
  return { settings, schools };
}

/**
 * The schools a person belongs to: those with an audience made of a group the person is in
 * (directly or through nesting: the caller passes the Directory's transitive memberships).
 */
export function schoolsOfPerson(trust: Trust, groupIds: Iterable<string>): string[] {
  const groups = new Set(groupIds);
  return trust.schools
    .filter((s) => s.audiences.some((a) => a.groupIds.some((g) => groups.has(g))))
    .map((s) => s.id);
}

/** What one person may do across the trust: their roles in each school, and whether they lead it. */
export interface TrustAccess {
  /** Reads every school (compliance side by side, each school's evidence); changes none. */
  trustLead: boolean;
  /** Only the schools where they hold a role; each school's settings alone decide it (rolesIn). */
  schools: Readonly<Record<string, readonly AppRole[]>>;
}

export function trustAccessOf(trust: Trust, personId: string): TrustAccess {
  const schools: Record<string, AppRole[]> = {};
  for (const school of trust.schools) {
    const roles = rolesIn(school, personId);
    if (roles.length > 0) schools[school.id] = roles;
  }
  return { trustLead: trust.settings.leadIds.includes(personId), schools };
}

/**
 * Whether a policy is one of the school's: a school's service sees only its own policies, and
 * through them only their versions, signatures, approvals and campaigns. (Trust-wide policies
 * with school variants widen this one rule.)
 */
export function policyInSchool(policy: Pick<Policy, 'schoolId'>, schoolId: string): boolean {
  return policy.schoolId === schoolId;
}

export type SchoolDecision =
  | { kind: 'allowed' }
  /** Someone with no business in the school: it is as if the thing did not exist (404). */
  | { kind: 'hidden' }
  /** A trust lead, who may see the school's things but not change them (403). */
  | { kind: 'read-only' };

/**
 * The school dimension of the authorisation matrix, for anything that belongs to a school (a
 * policy, a campaign, a signature, a person's page, an evidence pack): allowed with the role in
 * that school; a trust lead reads every school and changes none (their work is oversight, and a
 * publish, a launch or a decision in a school is answerable to that school's own admins and
 * approvers); anyone else is not told the thing exists.
 */
export function decideInSchool(
  access: TrustAccess,
  schoolId: string,
  role: AppRole,
  intent: 'read' | 'change',
): SchoolDecision {
  if (access.schools[schoolId]?.includes(role) === true) return { kind: 'allowed' };
  if (!access.trustLead) return { kind: 'hidden' };
  switch (intent) {
    case 'read':
      return { kind: 'allowed' };
    case 'change':
      return { kind: 'read-only' };
  }
}
