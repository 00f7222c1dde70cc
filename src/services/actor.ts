import type { AppRole } from '../domain/school-roles.ts';

export type { AppRole } from '../domain/school-roles.ts';

/**
 * Who is acting: always from a verified token (API) or the activity's from.aadObjectId (bot),
 * never from a request body or card data. Roles come from the school's settings (RoleSource),
 * the same for both.
 */
export interface Actor {
  /** Entra object id (token `oid`, activity `from.aadObjectId`). */
  id: string;
  upn: string;
  displayName: string;
  roles: readonly AppRole[];
}
