/** A person as Entra ID knows them. */
export interface DirectoryPerson {
  id: string;
  userPrincipalName: string;
  displayName: string;
  jobTitle?: string;
}

/** People and groups (Entra ID through Graph; the emulator locally). */
export interface Directory {
  getPerson(id: string): Promise<DirectoryPerson | null>;
  /** Every user in the group, through nested groups (Graph transitiveMembers), paged. */
  listGroupMembers(groupId: string): AsyncIterable<DirectoryPerson>;
  /** Ids of every group the person belongs to, directly or through nesting (transitiveMemberOf). */
  listMemberships(personId: string): Promise<string[]>;
}
