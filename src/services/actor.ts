import { z } from 'zod';

/** App roles from the token's `roles` claim (declared in the app registration). */
export const appRoleSchema = z.enum(['Policy.Admin', 'Policy.Approver']);
export type AppRole = z.infer<typeof appRoleSchema>;

/**
 * Who is acting: always from a verified token (API) or the activity's from.aadObjectId (bot),
 * never from a request body or card data.
 */
export interface Actor {
  /** Entra object id (token `oid`, activity `from.aadObjectId`). */
  id: string;
  upn: string;
  displayName: string;
  roles: readonly AppRole[];
}
