import { z } from 'zod';
import type { School } from './school.ts';

/** The roles that open the Admin and Approvals views and the admin and approver card verbs. */
export const appRoleSchema = z.enum(['Policy.Admin', 'Policy.Approver']);
export type AppRole = z.infer<typeof appRoleSchema>;

/** The part of a school's settings that decides who administers and who approves. */
export type SchoolRoleSettings = Pick<School, 'adminIds' | 'approverIds' | 'approversApprover'>;

/**
 * Who may administer and approve, decided once for the bot and the API (issue 14, item 2):
 * the school's admins hold Policy.Admin; its approvers and its named approver of approvers hold
 * Policy.Approver (the service limits the latter's decisions to the approvers' own signatures,
 * see decisionAuthority). Anyone else holds no role, whatever a token says.
 */
export function rolesIn(school: SchoolRoleSettings, personId: string): AppRole[] {
  const roles: AppRole[] = [];
  if (school.adminIds.includes(personId)) roles.push('Policy.Admin');
  if (school.approverIds.includes(personId) || school.approversApprover?.id === personId) {
    roles.push('Policy.Approver');
  }
  return roles;
}
