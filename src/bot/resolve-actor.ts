import type { Directory } from '../ports/directory.ts';
import type { RoleSource } from '../ports/role-source.ts';
import type { ActivityIdentity, ResolveActor } from './bot-deps.ts';

/**
 * The default ResolveActor: name and UPN from the Directory (Entra), roles from the RoleSource
 * (the school's settings), the very source the API asks for a tab token's person
 * (src/api/auth/settings-roles-verifier.ts), so a card and the tab agree on every person.
 * Someone the Directory does not know still acts as themselves, with the roles the settings give.
 */
export function schoolActorResolver(deps: {
  directory: Directory;
  roles: RoleSource;
}): ResolveActor {
  return async (identity: ActivityIdentity) => {
    const [person, roles] = await Promise.all([
      deps.directory.getPerson(identity.aadObjectId),
      deps.roles.rolesOf(identity.aadObjectId),
    ]);
    const displayName = person?.displayName ?? identity.name ?? identity.aadObjectId;
    return {
      id: identity.aadObjectId,
      upn: person?.userPrincipalName ?? identity.aadObjectId,
      displayName,
      roles: [...roles],
    };
  };
}
