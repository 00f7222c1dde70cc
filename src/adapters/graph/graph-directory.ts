import { z } from 'zod';
import {
  GROUP_SEARCH_LIMIT,
  type Directory,
  type DirectoryGroup,
  type DirectoryPerson,
} from '../../ports/directory.ts';
import { ensureOk, withQuery } from './graph-gateway.ts';
import type { GraphGateway } from './graph-gateway.ts';

const PERSON_SELECT = 'id,displayName,userPrincipalName,jobTitle';
/**
 * A group's members without their job title: nothing that lists members reads it (reports,
 * campaigns, new starters), and a 20,000-person audience's listing is about 15 % smaller.
 * `$select` picks the properties returned (https://learn.microsoft.com/graph/query-parameters,
 * "select parameter"; "List group transitive members" supports it,
 * https://learn.microsoft.com/graph/api/group-list-transitivemembers).
 */
const MEMBER_SELECT = 'id,displayName,userPrincipalName';
/** Graph serves directory collections at most 999 a page. */
const PAGE = 999;

const userSchema = z
  .object({
    '@odata.type': z.string().optional(),
    id: z.string().min(1),
    displayName: z.string().nullish(),
    userPrincipalName: z.string().nullish(),
    jobTitle: z.string().nullish(),
  })
  .loose();

const groupSchema = z
  .object({
    id: z.string().min(1),
    displayName: z.string().nullish(),
    description: z.string().nullish(),
  })
  .loose();

const memberSchema = z.object({ '@odata.type': z.string().optional(), id: z.string() }).loose();

function toPerson(user: z.infer<typeof userSchema>): DirectoryPerson {
  const upn = user.userPrincipalName ?? user.id;
  return {
    id: user.id,
    userPrincipalName: upn,
    displayName: user.displayName ?? upn,
    ...(user.jobTitle ? { jobTitle: user.jobTitle } : {}),
  };
}

/**
 * The Directory through Graph: users, groups' transitive members (nested groups resolved by
 * Entra itself, one paged query per group, never a query per person) and transitive
 * memberships.
 */
export class GraphDirectory implements Directory {
  readonly #gateway: GraphGateway;

  constructor(gateway: GraphGateway) {
    this.#gateway = gateway;
  }

  async getPerson(id: string): Promise<DirectoryPerson | null> {
    const reply = await this.#gateway.exchange({
      method: 'GET',
      url: withQuery(`users/${encodeURIComponent(id)}`, { $select: PERSON_SELECT }),
    });
    if (reply.status === 404) return null;
    return toPerson(userSchema.parse(ensureOk(reply, `Read user ${id}`).body));
  }

  async *listGroupMembers(groupId: string): AsyncIterable<readonly DirectoryPerson[]> {
    const url = withQuery(`groups/${encodeURIComponent(groupId)}/transitiveMembers`, {
      $select: MEMBER_SELECT,
      $top: PAGE,
    });
    const seen = new Set<string>();
    for await (const page of this.#gateway.pages(url)) {
      const people: DirectoryPerson[] = [];
      for (const entry of page) {
        const member = userSchema.parse(entry);
        // transitiveMembers also lists the nested groups (and devices): people only.
        const type = member['@odata.type'];
        if (type !== undefined && type !== '#microsoft.graph.user') continue;
        if (seen.has(member.id)) continue;
        seen.add(member.id);
        people.push(toPerson(member));
      }
      if (people.length > 0) yield people;
    }
  }

  async listMemberships(personId: string): Promise<string[]> {
    const url = withQuery(`users/${encodeURIComponent(personId)}/transitiveMemberOf`, {
      $select: 'id',
      $top: PAGE,
    });
    const ids = new Set<string>();
    for await (const page of this.#gateway.pages(url)) {
      for (const entry of page) {
        const member = memberSchema.parse(entry);
        const type = member['@odata.type'];
        if (type === undefined || type === '#microsoft.graph.group') ids.add(member.id);
      }
    }
    return [...ids].sort();
  }

  /**
   * `GET /groups?$search="displayName:…"` ("List groups", https://learn.microsoft.com/graph/api/group-list,
   * supports $search). On directory objects `$search` is an advanced query: it needs the
   * `ConsistencyLevel: eventual` header, and without it Graph answers 400 Request_UnsupportedQuery
   * ("Advanced query capabilities on Microsoft Entra ID objects", section "Error handling for
   * advanced queries on directory objects", https://learn.microsoft.com/graph/aad-advanced-queries;
   * unlike other advanced queries, $search needs no $count). The search text goes inside the
   * quoted clause, so its own quotes and backslashes are dropped; results come back sorted here.
   */
  async searchGroups(search: string): Promise<DirectoryGroup[]> {
    const words = search.replace(/["\\]/g, ' ').replace(/\s+/g, ' ').trim();
    if (words === '') return [];
    const url = withQuery('groups', {
      $search: `"displayName:${words}"`,
      $select: 'id,displayName,description',
      $top: GROUP_SEARCH_LIMIT,
    });
    const reply = await this.#gateway.call(
      { method: 'GET', url, headers: { ConsistencyLevel: 'eventual' } },
      'Search groups',
    );
    const page = z
      .object({ value: z.array(groupSchema) })
      .loose()
      .parse(reply.body);
    return page.value
      .map((g) => ({
        id: g.id,
        displayName: g.displayName ?? g.id,
        ...(g.description ? { description: g.description } : {}),
      }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id))
      .slice(0, GROUP_SEARCH_LIMIT);
  }
}
