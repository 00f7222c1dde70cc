import type { AppRole } from '../domain/school-roles.ts';

/**
 * Who may administer and approve: the one answer the bot (card actions) and the API (the tab)
 * both ask, so they cannot disagree about a person (issue 14, item 2).
 */
export interface RoleSource {
  rolesOf(personId: string): Promise<readonly AppRole[]>;
}
