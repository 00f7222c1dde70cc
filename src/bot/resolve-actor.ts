import type { School } from '../domain/school.ts';
import type { Directory } from '../ports/directory.ts';
import type { AppRole } from '../services/actor.ts';
import type { ActivityIdentity, ResolveActor } from './bot-deps.ts';

/**
 * The default ResolveActor: name and UPN from the Directory (Entra), roles from the school's
 * configuration (its approvers and its named approver of approvers hold Policy.Approver, its
 * admins Policy.Admin). The API gets roles
 * from the token's `roles` claim instead; a school sets both from the same list of people.
 * Someone the Directory does not know still acts as themselves, with no roles.
 */
export function schoolActorResolver(deps: {
  directory: Directory;
  school: Pick<School, 'approverIds' | 'adminIds' | 'approversApprover'>;
}): ResolveActor {
  return async (identity: ActivityIdentity) => {
    const person = await deps.directory.getPerson(identity.aadObjectId);
    const roles: AppRole[] = [];
    if (deps.school.adminIds.includes(identity.aadObjectId)) roles.push('Policy.Admin');
    // The named approver of approvers holds the role too; the service limits her decisions to
    // the approvers' own signatures (decisionAuthority).
    if (
      deps.school.approverIds.includes(identity.aadObjectId) ||
      deps.school.approversApprover?.id === identity.aadObjectId
    ) {
      roles.push('Policy.Approver');
    }
    const displayName = person?.displayName ?? identity.name ?? identity.aadObjectId;
    return {
      id: identity.aadObjectId,
      upn: person?.userPrincipalName ?? identity.aadObjectId,
      displayName,
      roles,
    };
  };
}
