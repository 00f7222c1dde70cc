import type { AudienceKey } from '../domain/policy-document.ts';
import type { School } from '../domain/school.ts';
import type { Directory, DirectoryPerson } from '../ports/directory.ts';

/** The audiences a person belongs to, from their (transitive) group memberships. */
export async function personAudiences(
  directory: Directory,
  school: School,
  personId: string,
): Promise<AudienceKey[]> {
  const groups = new Set(await directory.listMemberships(personId));
  return school.audiences.filter((a) => a.groupIds.some((g) => groups.has(g))).map((a) => a.key);
}

export interface AudienceMember {
  person: DirectoryPerson;
  audiences: AudienceKey[];
}

/**
 * Everyone in the given audiences, each once, with every audience they belong to. One paged
 * transitiveMembers read per group, taken a page at a time: never a query per person.
 */
export async function resolveAudienceMembers(
  directory: Pick<Directory, 'listGroupMembers'>,
  school: School,
  audienceKeys: readonly AudienceKey[],
): Promise<Map<string, AudienceMember>> {
  const members = new Map<string, AudienceMember>();
  for (const audience of school.audiences) {
    if (!audienceKeys.includes(audience.key)) continue;
    for (const groupId of audience.groupIds) {
      for await (const page of directory.listGroupMembers(groupId)) {
        for (const person of page) {
          const known = members.get(person.id);
          if (!known) members.set(person.id, { person, audiences: [audience.key] });
          else if (!known.audiences.includes(audience.key)) known.audiences.push(audience.key);
        }
      }
    }
  }
  return members;
}
