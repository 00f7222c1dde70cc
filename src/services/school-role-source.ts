import { rolesIn, type SchoolRoleSettings } from '../domain/school-roles.ts';
import type { RoleSource } from '../ports/role-source.ts';

/**
 * The RoleSource over the school's settings as they are now: `current` is read on every call
 * (the settings source caches), so an admin added in the Admin view holds the role in the tab and
 * in cards alike as soon as the settings are read again.
 */
export function schoolRoleSource(current: () => Promise<SchoolRoleSettings>): RoleSource {
  return {
    async rolesOf(personId) {
      return rolesIn(await current(), personId);
    },
  };
}
