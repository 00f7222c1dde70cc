import type { RoleSource } from '../../ports/role-source.ts';
import type { TokenVerifier } from './token-verifier.ts';

/**
 * The tab's person with the roles the school's settings give them, not the token's `roles`
 * claim: the bot asks the same RoleSource for a card's sender (src/bot/resolve-actor.ts), so one
 * list decides who administers and approves (issue 14, item 2). App role assignments in Entra
 * no longer grant or withhold anything in Countersign.
 */
export function withSettingsRoles(verifier: TokenVerifier, roles: RoleSource): TokenVerifier {
  return {
    async verify(authorization) {
      const actor = await verifier.verify(authorization);
      return { ...actor, roles: [...(await roles.rolesOf(actor.id))] };
    },
  };
}
