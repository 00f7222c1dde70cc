/** A person as Entra ID knows them. */
export interface DirectoryPerson {
  id: string;
  userPrincipalName: string;
  displayName: string;
  jobTitle?: string;
}

/** A group as the Admin view's group picker offers it. */
export interface DirectoryGroup {
  id: string;
  displayName: string;
  description?: string;
}

/** The most groups one search answers: a picker shows a short list and the admin types more. */
export const GROUP_SEARCH_LIMIT = 25;

/** People and groups (Entra ID through Graph; the emulator locally). */
export interface Directory {
  getPerson(id: string): Promise<DirectoryPerson | null>;
  /**
   * Every user in the group, through nested groups (Graph transitiveMembers), a page at a time:
   * a 20,000-person audience is some twenty pages, not 20,000 awaits. Each person once, without
   * a job title (no listing reads one; getPerson gives it).
   */
  listGroupMembers(groupId: string): AsyncIterable<readonly DirectoryPerson[]>;
  /** Ids of every group the person belongs to, directly or through nesting (transitiveMemberOf). */
  listMemberships(personId: string): Promise<string[]>;
  /**
   * Groups whose display name has words beginning with each word of `search` (Entra's tokenized
   * `$search`), at most GROUP_SEARCH_LIMIT, by display name. An empty search finds nothing.
   */
  searchGroups(search: string): Promise<DirectoryGroup[]>;
}
