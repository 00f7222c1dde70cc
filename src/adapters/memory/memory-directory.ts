import { CountersignError } from '../../domain/errors.ts';
import { matchesSearch } from '../../domain/directory-search.ts';
import {
  GROUP_SEARCH_LIMIT,
  type Directory,
  type DirectoryGroup,
  type DirectoryPerson,
} from '../../ports/directory.ts';

export interface MemoryGroup {
  id: string;
  displayName?: string;
  /** Ids of users and of nested groups. */
  members: string[];
}

/**
 * The Directory in memory, with Graph's semantics: group membership is transitive through
 * nested groups (a person reached twice is listed once, a cycle does not loop), members that
 * are groups are not listed as people, and an unknown group is 'not-found' as Graph's 404 is.
 */
export class MemoryDirectory implements Directory {
  readonly #people = new Map<string, DirectoryPerson>();
  readonly #groups = new Map<string, MemoryGroup>();

  constructor(seed: { people?: DirectoryPerson[]; groups?: MemoryGroup[] } = {}) {
    for (const person of seed.people ?? []) this.addPerson(person);
    for (const group of seed.groups ?? []) this.addGroup(group);
  }

  addPerson(person: DirectoryPerson): void {
    this.#people.set(person.id, structuredClone(person));
  }

  addGroup(group: MemoryGroup): void {
    this.#groups.set(group.id, structuredClone(group));
  }

  /** Adds members to an existing group (a new starter joining the staff group). */
  addMembers(groupId: string, memberIds: string[]): void {
    const group = this.#groups.get(groupId);
    if (!group) throw new CountersignError('not-found', `Group ${groupId} does not exist.`);
    group.members.push(...memberIds.filter((id) => !group.members.includes(id)));
  }

  removeMember(groupId: string, memberId: string): void {
    const group = this.#groups.get(groupId);
    if (group) group.members = group.members.filter((id) => id !== memberId);
  }

  getPerson(id: string): Promise<DirectoryPerson | null> {
    const person = this.#people.get(id);
    return Promise.resolve(person ? structuredClone(person) : null);
  }

  async *listGroupMembers(groupId: string): AsyncIterable<readonly DirectoryPerson[]> {
    if (!this.#groups.has(groupId)) {
      throw new CountersignError('not-found', `Group ${groupId} does not exist.`, { groupId });
    }
    const seenGroups = new Set<string>();
    const seenPeople = new Set<string>();
    const queue = [groupId];
    while (queue.length > 0) {
      const id = queue.shift() as string;
      if (seenGroups.has(id)) continue;
      seenGroups.add(id);
      // A page per group reached, as Graph pages a listing.
      const page: DirectoryPerson[] = [];
      for (const member of this.#groups.get(id)?.members ?? []) {
        if (this.#groups.has(member)) queue.push(member);
        else if (!seenPeople.has(member)) {
          const person = this.#people.get(member);
          if (person) {
            seenPeople.add(member);
            // As Graph's listing is asked: no job title (Directory.listGroupMembers).
            page.push({
              id: person.id,
              userPrincipalName: person.userPrincipalName,
              displayName: person.displayName,
            });
          }
        }
      }
      if (page.length > 0) yield page;
      await Promise.resolve();
    }
  }

  listMemberships(personId: string): Promise<string[]> {
    const result = new Set<string>();
    const queue = [personId];
    while (queue.length > 0) {
      const id = queue.shift() as string;
      for (const group of this.#groups.values()) {
        if (group.members.includes(id) && !result.has(group.id)) {
          result.add(group.id);
          queue.push(group.id);
        }
      }
    }
    return Promise.resolve([...result].sort());
  }

  searchGroups(search: string): Promise<DirectoryGroup[]> {
    const found = [...this.#groups.values()]
      .filter((g) => g.displayName !== undefined && matchesSearch(g.displayName, search))
      .map((g) => ({ id: g.id, displayName: g.displayName ?? g.id }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
    return Promise.resolve(found.slice(0, GROUP_SEARCH_LIMIT));
  }
}
