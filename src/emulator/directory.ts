import type { DatabaseSync } from 'node:sqlite';
import { cachedStatement } from './emulator-database.ts';
import {
  GraphHttpError,
  jsonResponse,
  queryOption,
  type EmulatedRequest,
  type EmulatedResponse,
} from './emulated-http.ts';
import { evaluateFilter, FilterSyntaxError, parseFilter } from './odata-filter.ts';
import {
  decodeSkipToken,
  directoryTop,
  encodeSkipToken,
  nextLinkFor,
  parseSelect,
} from './paging.ts';

/** A user as stored: every property Graph can return; the default projection is applied on read. */
export interface DirectoryUser {
  id: string;
  displayName: string;
  givenName: string;
  surname: string;
  userPrincipalName: string;
  mail: string;
  jobTitle: string | null;
  department: string | null;
  officeLocation: string | null;
  accountEnabled: boolean;
  employeeType?: string | null;
}

export interface DirectoryGroup {
  id: string;
  displayName: string;
  description: string | null;
  mailNickname: string;
  mail: string | null;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
}

/** What `GET /users` returns without `$select` (Graph's documented default set). */
const DEFAULT_USER_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

const USER_TYPE = '#microsoft.graph.user';
const GROUP_TYPE = '#microsoft.graph.group';
const NOT_FOUND = (id: string): GraphHttpError =>
  new GraphHttpError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

type DirectoryObject = Record<string, unknown> & { id: string; '@odata.type': string };

/** Users, groups, memberships (direct and transitive). */
export class DirectoryEmulator {
  private readonly db: DatabaseSync;
  private readonly baseUrl: () => string;

  constructor(db: DatabaseSync, baseUrl: () => string) {
    this.db = db;
    this.baseUrl = baseUrl;
  }

  putUser(user: DirectoryUser): void {
    const full = { businessPhones: [], mobilePhone: null, preferredLanguage: 'en-GB', ...user };
    cachedStatement(
      this.db,
      'INSERT INTO users (id, upn, data) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET upn = excluded.upn, data = excluded.data',
    ).run(user.id, user.userPrincipalName, JSON.stringify(full));
  }

  putGroup(group: DirectoryGroup): void {
    cachedStatement(
      this.db,
      'INSERT INTO groups (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data',
    ).run(group.id, JSON.stringify({ visibility: null, ...group }));
  }

  addMember(groupId: string, memberId: string, memberType: 'user' | 'group'): void {
    cachedStatement(
      this.db,
      'INSERT OR IGNORE INTO members (group_id, member_id, member_type) VALUES (?, ?, ?)',
    ).run(groupId, memberId, memberType);
  }

  removeMember(groupId: string, memberId: string): void {
    cachedStatement(this.db, 'DELETE FROM members WHERE group_id = ? AND member_id = ?').run(
      groupId,
      memberId,
    );
  }

  /** The stored user (every property), by id or UPN; undefined when absent. */
  findUser(ref: string): DirectoryObject | undefined {
    const row = cachedStatement(
      this.db,
      'SELECT data FROM users WHERE id = ? COLLATE NOCASE OR upn = ? COLLATE NOCASE',
    ).get(ref, ref);
    if (row === undefined) return undefined;
    return { '@odata.type': USER_TYPE, ...(JSON.parse(String(row.data)) as { id: string }) };
  }

  private user(ref: string): DirectoryObject {
    const user = this.findUser(ref);
    if (user === undefined) throw NOT_FOUND(ref);
    return user;
  }

  private group(id: string): DirectoryObject {
    const row = cachedStatement(this.db, 'SELECT data FROM groups WHERE id = ? COLLATE NOCASE').get(
      id,
    );
    if (row === undefined) throw NOT_FOUND(id);
    return { '@odata.type': GROUP_TYPE, ...(JSON.parse(String(row.data)) as { id: string }) };
  }

  private allUsers(): DirectoryObject[] {
    return cachedStatement(this.db, 'SELECT data FROM users ORDER BY rowid')
      .all()
      .map((row) => ({
        '@odata.type': USER_TYPE,
        ...(JSON.parse(String(row.data)) as { id: string }),
      }));
  }

  private allGroups(): DirectoryObject[] {
    return cachedStatement(this.db, 'SELECT data FROM groups ORDER BY rowid')
      .all()
      .map((row) => ({
        '@odata.type': GROUP_TYPE,
        ...(JSON.parse(String(row.data)) as { id: string }),
      }));
  }

  private directMembers(groupId: string): DirectoryObject[] {
    return cachedStatement(
      this.db,
      'SELECT member_id, member_type FROM members WHERE group_id = ? ORDER BY rowid',
    )
      .all(groupId)
      .flatMap((row) => {
        const id = String(row.member_id);
        try {
          return [row.member_type === 'group' ? this.group(id) : this.user(id)];
        } catch {
          return []; // a member deleted from the directory no longer shows, as in Entra
        }
      });
  }

  /** Users and nested groups under a group, each once, breadth first. */
  transitiveMembers(groupId: string): DirectoryObject[] {
    const seen = new Set<string>([groupId.toLowerCase()]);
    const result: DirectoryObject[] = [];
    const queue = [groupId];
    while (queue.length > 0) {
      const current = queue.shift() as string;
      for (const member of this.directMembers(current)) {
        if (seen.has(member.id.toLowerCase())) continue;
        seen.add(member.id.toLowerCase());
        result.push(member);
        if (member['@odata.type'] === GROUP_TYPE) queue.push(member.id);
      }
    }
    return result;
  }

  private memberOf(userId: string, transitive: boolean): DirectoryObject[] {
    const direct = (memberId: string): string[] =>
      cachedStatement(
        this.db,
        'SELECT group_id FROM members WHERE member_id = ? COLLATE NOCASE ORDER BY rowid',
      )
        .all(memberId)
        .map((row) => String(row.group_id));
    const seen = new Set<string>();
    const queue = direct(userId);
    const result: DirectoryObject[] = [];
    while (queue.length > 0) {
      const id = queue.shift() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      result.push(this.group(id));
      if (transitive) queue.push(...direct(id));
    }
    return result;
  }

  /** Handles `users/...` and `groups/...` (not `users/{id}/teamwork`, which Teamwork handles). */
  handle(request: EmulatedRequest): EmulatedResponse {
    const [root, id, relation, cast, ...rest] = request.segments;
    if (request.method !== 'GET') {
      throw new GraphHttpError(
        405,
        'Request_BadRequest',
        'Specified HTTP method is not allowed for the request target.',
      );
    }
    if (rest.length > 0)
      throw new GraphHttpError(400, 'BadRequest', 'Resource not found for the segment.');
    if (root === 'users') {
      if (id === undefined) return this.collection(request, this.allUsers(), 'users', true);
      const user = this.user(id);
      if (relation === undefined) {
        return jsonResponse(200, {
          '@odata.context': `${this.baseUrl()}/$metadata#users/$entity`,
          ...this.project(user, parseSelect(queryOption(request.query, 'select')), false),
        });
      }
      if (relation === 'memberOf' || relation === 'transitiveMemberOf') {
        const groups = this.memberOf(user.id, relation === 'transitiveMemberOf');
        return this.collection(request, this.cast(groups, cast), 'directoryObjects', false);
      }
      throw new GraphHttpError(
        400,
        'BadRequest',
        `Resource not found for the segment '${relation}'.`,
      );
    }
    if (id === undefined) return this.collection(request, this.allGroups(), 'groups', true);
    const group = this.group(id);
    if (relation === undefined) {
      return jsonResponse(200, {
        '@odata.context': `${this.baseUrl()}/$metadata#groups/$entity`,
        ...this.project(group, parseSelect(queryOption(request.query, 'select')), false),
      });
    }
    if (relation === 'members' || relation === 'transitiveMembers') {
      const members =
        relation === 'members' ? this.directMembers(group.id) : this.transitiveMembers(group.id);
      return this.collection(request, this.cast(members, cast), 'directoryObjects', false);
    }
    throw new GraphHttpError(
      400,
      'BadRequest',
      `Resource not found for the segment '${relation}'.`,
    );
  }

  private cast(objects: DirectoryObject[], cast: string | undefined): DirectoryObject[] {
    if (cast === undefined) return objects;
    if (cast === 'microsoft.graph.user')
      return objects.filter((o) => o['@odata.type'] === USER_TYPE);
    if (cast === 'microsoft.graph.group')
      return objects.filter((o) => o['@odata.type'] === GROUP_TYPE);
    throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${cast}'.`);
  }

  private project(
    object: DirectoryObject,
    select: Set<string> | undefined,
    withType: boolean,
  ): Record<string, unknown> {
    const isUser = object['@odata.type'] === USER_TYPE;
    const keep =
      select ?? (isUser ? new Set(DEFAULT_USER_PROPERTIES.map((p) => p.toLowerCase())) : undefined);
    const projected: Record<string, unknown> = withType
      ? { '@odata.type': object['@odata.type'] }
      : {};
    for (const [key, value] of Object.entries(object)) {
      if (key === '@odata.type') continue;
      if (keep === undefined || keep.has(key.toLowerCase())) projected[key] = value;
    }
    if (select !== undefined) {
      for (const wanted of select) {
        if (!Object.keys(projected).some((key) => key.toLowerCase() === wanted)) {
          if (!Object.keys(object).some((key) => key.toLowerCase() === wanted))
            projected[wanted] = null;
        }
      }
    }
    return projected;
  }

  private collection(
    request: EmulatedRequest,
    objects: DirectoryObject[],
    context: string,
    isEntitySet: boolean,
  ): EmulatedResponse {
    let filtered = objects;
    const filterText = queryOption(request.query, 'filter');
    if (filterText !== undefined && filterText.trim() !== '') {
      try {
        const expression = parseFilter(filterText);
        filtered = objects.filter((object) => evaluateFilter(expression, object));
      } catch (error) {
        if (error instanceof FilterSyntaxError) {
          throw new GraphHttpError(400, 'BadRequest', `Invalid filter clause: ${error.message}`);
        }
        throw error;
      }
    }
    const top = directoryTop(request);
    const offset = decodeSkipToken(queryOption(request.query, 'skiptoken'))?.offset ?? 0;
    const page = filtered.slice(offset, offset + top);
    const select = parseSelect(queryOption(request.query, 'select'));
    const body: Record<string, unknown> = {
      '@odata.context': `${this.baseUrl()}/$metadata#${context}`,
    };
    if ((queryOption(request.query, 'count') ?? '').toLowerCase() === 'true') {
      body['@odata.count'] = filtered.length;
    }
    if (offset + top < filtered.length) {
      body['@odata.nextLink'] = nextLinkFor(
        this.baseUrl(),
        request,
        encodeSkipToken({ offset: offset + top }),
      );
    }
    body.value = page.map((object) => this.project(object, select, !isEntitySet));
    return jsonResponse(200, body);
  }

  /** For the teamwork handlers: a 404 unless the user exists. */
  requireUser(ref: string): DirectoryObject {
    return this.user(ref);
  }
}
