import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { cachedStatement, onRollback } from './emulator-database.ts';
import {
  emptyResponse,
  GraphHttpError,
  jsonResponse,
  queryOption,
  type EmulatedRequest,
  type EmulatedResponse,
} from './emulated-http.ts';
import { matchesSearch } from '../../domain/directory-search.ts';
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

const UPDATABLE_USER_PROPERTIES = [
  'displayName',
  'givenName',
  'surname',
  'jobTitle',
  'department',
  'officeLocation',
  'mail',
  'accountEnabled',
  'employeeType',
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

/**
 * `$search="property:words"` on a directory collection. It is an advanced query: without
 * `ConsistencyLevel: eventual` Graph answers 400 Request_UnsupportedQuery with this message
 * ("Advanced query capabilities on Microsoft Entra ID objects", section "Error handling for
 * advanced queries on directory objects", https://learn.microsoft.com/graph/aad-advanced-queries).
 * Words match tokenized as src/domain/directory-search.ts says. Only one clause on displayName
 * or description is emulated (no OR/AND of clauses): anything else is a 400 naming that.
 */
function searched(request: EmulatedRequest, objects: DirectoryObject[]): DirectoryObject[] {
  const search = queryOption(request.query, 'search');
  if (search === undefined) return objects;
  if ((request.headers['consistencylevel'] ?? '').toLowerCase() !== 'eventual') {
    throw new GraphHttpError(
      400,
      'Request_UnsupportedQuery',
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  }
  const clause = /^"(displayName|description):([^"]*)"$/.exec(search.trim());
  if (clause === null) {
    throw new GraphHttpError(
      400,
      'Request_UnsupportedQuery',
      `The emulator supports $search="displayName:…" or "description:…" only (got ${search}).`,
    );
  }
  const [, property = 'displayName', words = ''] = clause;
  return objects.filter((object) => {
    const value = object[property];
    return typeof value === 'string' && matchesSearch(value, words);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notFoundSegment(segment: string | undefined): GraphHttpError {
  return new GraphHttpError(
    400,
    'BadRequest',
    `Resource not found for the segment '${segment ?? ''}'.`,
  );
}

/** The object id at the end of an `@odata.id` / `@odata.bind` URL (directoryObjects/{id}). */
function referencedId(value: unknown): string {
  const match =
    typeof value === 'string'
      ? /\/(?:directoryObjects|users|groups)\/([^/?#]+)\/?$/i.exec(value)
      : null;
  if (match?.[1] === undefined) {
    throw new GraphHttpError(
      400,
      'Request_BadRequest',
      'Invalid object reference: expected https://graph.microsoft.com/v1.0/directoryObjects/{id}.',
    );
  }
  return decodeURIComponent(match[1]);
}

/** Users, groups, memberships (direct and transitive). */
export class DirectoryEmulator {
  private readonly db: DatabaseSync;
  private readonly baseUrl: () => string;
  /** Bumped on every directory write; cached listings older than it are rebuilt. */
  private version = 0;
  private readonly cache = new Map<string, { version: number; value: DirectoryObject[] }>();

  constructor(db: DatabaseSync, baseUrl: () => string) {
    this.db = db;
    this.baseUrl = baseUrl;
    onRollback(db, () => {
      this.version += 1;
    });
  }

  private cached(key: string, build: () => DirectoryObject[]): DirectoryObject[] {
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.version === this.version) return hit.value;
    const value = build();
    this.cache.set(key, { version: this.version, value });
    return value;
  }

  putUser(user: DirectoryUser): void {
    const full = { businessPhones: [], mobilePhone: null, preferredLanguage: 'en-GB', ...user };
    cachedStatement(
      this.db,
      'INSERT INTO users (id, upn, data) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET upn = excluded.upn, data = excluded.data',
    ).run(user.id, user.userPrincipalName, JSON.stringify(full));
    this.version += 1;
  }

  putGroup(group: DirectoryGroup): void {
    cachedStatement(
      this.db,
      'INSERT INTO groups (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data',
    ).run(group.id, JSON.stringify({ visibility: null, ...group }));
    this.version += 1;
  }

  addMember(groupId: string, memberId: string, memberType: 'user' | 'group'): void {
    cachedStatement(
      this.db,
      'INSERT OR IGNORE INTO members (group_id, member_id, member_type) VALUES (?, ?, ?)',
    ).run(groupId, memberId, memberType);
    this.version += 1;
  }

  removeMember(groupId: string, memberId: string): void {
    cachedStatement(this.db, 'DELETE FROM members WHERE group_id = ? AND member_id = ?').run(
      groupId,
      memberId,
    );
    this.version += 1;
  }

  /** Removes a user or group and every membership that names it. */
  deleteObject(id: string): void {
    cachedStatement(this.db, 'DELETE FROM users WHERE id = ?').run(id);
    cachedStatement(this.db, 'DELETE FROM groups WHERE id = ?').run(id);
    cachedStatement(this.db, 'DELETE FROM members WHERE member_id = ? OR group_id = ?').run(id, id);
    this.version += 1;
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
    return this.cached('users', () =>
      cachedStatement(this.db, 'SELECT data FROM users ORDER BY rowid')
        .all()
        .map((row) => ({
          '@odata.type': USER_TYPE,
          ...(JSON.parse(String(row.data)) as { id: string }),
        })),
    );
  }

  private allGroups(): DirectoryObject[] {
    return this.cached('groups', () =>
      cachedStatement(this.db, 'SELECT data FROM groups ORDER BY rowid')
        .all()
        .map((row) => ({
          '@odata.type': GROUP_TYPE,
          ...(JSON.parse(String(row.data)) as { id: string }),
        })),
    );
  }

  /** One query per group: members whose object was deleted no longer show, as in Entra. */
  private directMembers(groupId: string): DirectoryObject[] {
    return this.cached(`members:${groupId.toLowerCase()}`, () =>
      cachedStatement(
        this.db,
        `SELECT m.member_type AS type, COALESCE(u.data, g.data) AS data
           FROM members m
           LEFT JOIN users u ON m.member_type = 'user' AND u.id = m.member_id
           LEFT JOIN groups g ON m.member_type = 'group' AND g.id = m.member_id
          WHERE m.group_id = ? COLLATE NOCASE
          ORDER BY m.rowid`,
      )
        .all(groupId)
        .flatMap((row) =>
          row.data === null
            ? []
            : [
                {
                  '@odata.type': row.type === 'group' ? GROUP_TYPE : USER_TYPE,
                  ...(JSON.parse(String(row.data)) as { id: string }),
                },
              ],
        ),
    );
  }

  /** Users and nested groups under a group, each once, breadth first. */
  transitiveMembers(groupId: string): DirectoryObject[] {
    return this.cached(`transitive:${groupId.toLowerCase()}`, () => this.walkMembers(groupId));
  }

  private walkMembers(groupId: string): DirectoryObject[] {
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
    if (request.method !== 'GET') return this.write(request);
    const [root, id, relation, cast, ...rest] = request.segments;
    if (rest.length > 0) throw notFoundSegment(rest[0]);
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
      throw notFoundSegment(relation);
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
    throw notFoundSegment(relation);
  }

  /**
   * The writes a test needs to act out a school's year: new starters (`POST /users`, `POST
   * /groups/{id}/members/$ref`), leavers (`DELETE .../members/{id}/$ref`, `DELETE /users/{id}`).
   */
  private write(request: EmulatedRequest): EmulatedResponse {
    const [root, id, relation, memberId, ref, ...rest] = request.segments;
    const body = isRecord(request.body) ? request.body : {};
    const method = request.method;
    if (rest.length > 0) throw notFoundSegment(rest[0]);
    if (root === 'users' && id === undefined && method === 'POST') return this.createUser(body);
    if (root === 'users' && id !== undefined && relation === undefined) {
      const user = this.user(id);
      if (method === 'DELETE') {
        this.deleteObject(user.id);
        return emptyResponse(204);
      }
      if (method === 'PATCH') {
        const stored: Record<string, unknown> = { ...user };
        delete stored['@odata.type'];
        for (const key of UPDATABLE_USER_PROPERTIES) {
          if (body[key] !== undefined) stored[key] = body[key];
        }
        const updated = stored as unknown as DirectoryUser;
        this.putUser(updated);
        return emptyResponse(204);
      }
    }
    if (root === 'groups' && id === undefined && method === 'POST') return this.createGroup(body);
    if (root === 'groups' && id !== undefined) {
      const group = this.group(id);
      if (relation === undefined && method === 'DELETE') {
        this.deleteObject(group.id);
        return emptyResponse(204);
      }
      if (relation === 'members' && memberId === '$ref' && ref === undefined && method === 'POST') {
        const target = referencedId(body['@odata.id']);
        const member = this.findUser(target) ?? this.findGroup(target);
        if (member === undefined) throw NOT_FOUND(target);
        if (this.directMembers(group.id).some((m) => m.id === member.id)) {
          throw new GraphHttpError(
            400,
            'Request_BadRequest',
            "One or more added object references already exist for the following modified properties: 'members'.",
          );
        }
        this.addMember(
          group.id,
          member.id,
          member['@odata.type'] === GROUP_TYPE ? 'group' : 'user',
        );
        return emptyResponse(204);
      }
      if (
        relation === 'members' &&
        memberId !== undefined &&
        ref === '$ref' &&
        method === 'DELETE'
      ) {
        if (
          !this.directMembers(group.id).some((m) => m.id.toLowerCase() === memberId.toLowerCase())
        ) {
          throw NOT_FOUND(memberId);
        }
        this.removeMember(group.id, memberId);
        return emptyResponse(204);
      }
    }
    throw new GraphHttpError(
      405,
      'Request_BadRequest',
      'Specified HTTP method is not allowed for the request target.',
    );
  }

  private createUser(body: Record<string, unknown>): EmulatedResponse {
    const upn = body.userPrincipalName;
    const displayName = body.displayName;
    if (typeof upn !== 'string' || !upn.includes('@') || typeof displayName !== 'string') {
      throw new GraphHttpError(
        400,
        'Request_BadRequest',
        'Invalid value specified for property: a user needs displayName and userPrincipalName.',
      );
    }
    if (this.findUser(upn) !== undefined) {
      throw new GraphHttpError(
        400,
        'Request_BadRequest',
        'Another object with the same value for property userPrincipalName already exists.',
      );
    }
    const text = (key: string): string | null => (typeof body[key] === 'string' ? body[key] : null);
    const user: DirectoryUser = {
      id: typeof body.id === 'string' ? body.id : randomUUID(),
      displayName,
      givenName: text('givenName') ?? displayName.split(' ')[0] ?? displayName,
      surname: text('surname') ?? displayName.split(' ').slice(1).join(' '),
      userPrincipalName: upn,
      mail: text('mail') ?? upn,
      jobTitle: text('jobTitle'),
      department: text('department'),
      officeLocation: text('officeLocation'),
      accountEnabled: body.accountEnabled !== false,
    };
    this.putUser(user);
    const created = this.user(user.id);
    return jsonResponse(201, {
      '@odata.context': `${this.baseUrl()}/$metadata#users/$entity`,
      ...this.project(created, undefined, false),
    });
  }

  private createGroup(body: Record<string, unknown>): EmulatedResponse {
    if (typeof body.displayName !== 'string' || typeof body.mailNickname !== 'string') {
      throw new GraphHttpError(
        400,
        'Request_BadRequest',
        'Invalid value specified for property: a group needs displayName and mailNickname.',
      );
    }
    const group: DirectoryGroup = {
      id: typeof body.id === 'string' ? body.id : randomUUID(),
      displayName: body.displayName,
      description: typeof body.description === 'string' ? body.description : null,
      mailNickname: body.mailNickname,
      mail: body.mailEnabled === true ? `${body.mailNickname}@demo-school.example` : null,
      mailEnabled: body.mailEnabled === true,
      securityEnabled: body.securityEnabled !== false,
      groupTypes: Array.isArray(body.groupTypes) ? body.groupTypes.map(String) : [],
    };
    this.putGroup(group);
    const binds = body['members@odata.bind'];
    if (Array.isArray(binds)) {
      for (const bind of binds) {
        const target = referencedId(bind);
        const member = this.findUser(target) ?? this.findGroup(target);
        if (member === undefined) throw NOT_FOUND(target);
        this.addMember(
          group.id,
          member.id,
          member['@odata.type'] === GROUP_TYPE ? 'group' : 'user',
        );
      }
    }
    return jsonResponse(201, {
      '@odata.context': `${this.baseUrl()}/$metadata#groups/$entity`,
      ...this.project(this.group(group.id), undefined, false),
    });
  }

  findGroup(id: string): DirectoryObject | undefined {
    try {
      return this.group(id);
    } catch (error) {
      if (error instanceof GraphHttpError) return undefined;
      throw error;
    }
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
    let filtered = searched(request, objects);
    const filterText = queryOption(request.query, 'filter');
    if (filterText !== undefined && filterText.trim() !== '') {
      try {
        const expression = parseFilter(filterText);
        filtered = filtered.filter((object) => evaluateFilter(expression, object));
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
