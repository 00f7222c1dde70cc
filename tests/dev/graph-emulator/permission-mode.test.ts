import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGraphAdapters,
  graphConfigFromEnv,
} from '../../../src/adapters/graph/create-graph-adapters.ts';
import { GraphDirectory } from '../../../src/adapters/graph/graph-directory.ts';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { loadGraphEnv } from '../../../src/config/env.ts';
import { COUNTERSIGN_APP_ROLES } from '../../../src/dev/graph-emulator/permissions.ts';
import { EMULATOR_AUTHORIZATION } from '../../support/emulator-graph.ts';
import { GraphGateway } from '../../../src/adapters/graph/graph-gateway.ts';
import { teamsAppInstaller } from '../../../src/adapters/graph/teams-app-installer.ts';
import { DEMO_SCHOOL } from '../../../src/dev/demo/demo-school.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';

/** The app Countersign's registration asks for (infra/entra-app-registration.json). */
const COUNTERSIGN_ROLES = [
  'Sites.Selected',
  'User.Read.All',
  'GroupMember.Read.All',
  'AppCatalog.Read.All',
  'TeamsAppInstallation.ReadWriteSelfForUser.All',
];
const APP_ID = 'countersign-manifest-id';

const TOKENS = {
  countersign: 'token-countersign',
  readOnlySite: 'token-read-only-site',
  noRoles: 'token-no-roles',
  noCatalog: 'token-no-catalog',
  userWriter: 'token-user-readwrite',
  directoryWriter: 'token-directory-readwrite',
  groupCreator: 'token-group-create',
  memberWriter: 'token-groupmember-readwrite',
} as const;

let emulator: GraphEmulator;

beforeAll(async () => {
  emulator = await startGraphEmulator({
    permissions: {
      apps: {
        [TOKENS.countersign]: { roles: COUNTERSIGN_ROLES, siteRole: 'write' },
        [TOKENS.readOnlySite]: { roles: COUNTERSIGN_ROLES, siteRole: 'read' },
        [TOKENS.noRoles]: { roles: [] },
        [TOKENS.noCatalog]: {
          roles: COUNTERSIGN_ROLES.filter((r) => r !== 'AppCatalog.Read.All'),
          siteRole: 'write',
        },
        [TOKENS.userWriter]: { roles: ['User.ReadWrite.All'] },
        [TOKENS.directoryWriter]: { roles: ['Directory.ReadWrite.All'] },
        [TOKENS.groupCreator]: { roles: ['Group.Create'] },
        [TOKENS.memberWriter]: { roles: ['GroupMember.ReadWrite.All'] },
      },
      catalog: [APP_ID],
    },
  });
});

afterAll(async () => {
  await emulator.close();
});

async function graph(
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; code: string; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${emulator.url}/${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
  const error = parsed['error'] as { code?: string } | undefined;
  return {
    status: response.status,
    code: error?.code ?? '',
    headers: response.headers,
    body: parsed,
  };
}

const person = DEMO_SCHOOL.headteacher;
const site = `sites/${DEMO_SCHOOL.siteId}`;

describe('the Graph emulator’s permission mode', () => {
  it('answers 401 without a token or with one it does not know, echoing client-request-id', async () => {
    const none = await graph('GET', `users/${person.id}`, undefined, undefined, {
      'client-request-id': 'abc-123',
    });
    expect([none.status, none.code]).toEqual([401, 'InvalidAuthenticationToken']);
    expect(none.headers.get('client-request-id')).toBe('abc-123');
    const unknown = await graph('GET', `users/${person.id}`, 'not-a-granted-token');
    expect([unknown.status, unknown.code]).toEqual([401, 'InvalidAuthenticationToken']);
  });

  it('checks User.Read.All and GroupMember.Read.All: 403 Authorization_RequestDenied without', async () => {
    expect((await graph('GET', `users/${person.id}`, TOKENS.countersign)).status).toBe(200);
    const user = await graph('GET', `users/${person.id}`, TOKENS.noRoles);
    expect([user.status, user.code]).toEqual([403, 'Authorization_RequestDenied']);
    const group = `groups/${DEMO_SCHOOL.groups.allStaff.id}/transitiveMembers`;
    expect((await graph('GET', group, TOKENS.countersign)).status).toBe(200);
    const members = await graph('GET', group, TOKENS.noRoles);
    expect([members.status, members.code]).toEqual([403, 'Authorization_RequestDenied']);
  });

  it('checks the Sites.Selected role per operation: read reads, write is refused', async () => {
    expect((await graph('GET', `${site}/lists`, TOKENS.readOnlySite)).status).toBe(200);
    const create = await graph('POST', `${site}/lists`, TOKENS.readOnlySite, {
      displayName: 'Nope',
      list: { template: 'genericList' },
    });
    expect([create.status, create.code]).toEqual([403, 'accessDenied']);
    // No Sites role at all: not even a read.
    const none = await graph('GET', `${site}/lists`, TOKENS.noRoles);
    expect([none.status, none.code]).toEqual([403, 'accessDenied']);
  });

  it('checks AppCatalog.Read.All and knows only uploaded apps', async () => {
    const lookUp = (externalId: string, token: string) =>
      graph('GET', `appCatalogs/teamsApps?$filter=externalId eq '${externalId}'`, token);
    const refused = await lookUp(APP_ID, TOKENS.noCatalog);
    expect([refused.status, refused.code]).toEqual([403, 'Forbidden']);
    const found = await lookUp(APP_ID, TOKENS.countersign);
    expect(found.body['value']).toHaveLength(1);
    // An app nobody uploaded: the filter finds nothing, by id it is 404, never made up.
    expect((await lookUp('never-uploaded', TOKENS.countersign)).body['value']).toEqual([]);
    const byId = await graph('GET', 'appCatalogs/teamsApps/never-uploaded', TOKENS.countersign);
    expect(byId.status).toBe(404);
    const install = await graph(
      'POST',
      `users/${person.id}/teamwork/installedApps`,
      TOKENS.countersign,
      {
        'teamsApp@odata.bind': `${emulator.url}/appCatalogs/teamsApps/never-uploaded`,
      },
    );
    expect(install.status).toBe(404);
  });

  it('checks TeamsAppInstallation.ReadWriteSelfForUser.All for installs', async () => {
    const bind = { 'teamsApp@odata.bind': `${emulator.url}/appCatalogs/teamsApps/${APP_ID}` };
    const refused = await graph(
      'POST',
      `users/${person.id}/teamwork/installedApps`,
      TOKENS.noRoles,
      bind,
    );
    expect([refused.status, refused.code]).toEqual([403, 'Forbidden']);
  });

  it('checks directory writes against the permission each one documents; Countersign’s roles allow none', async () => {
    const denied = (r: { status: number; code: string }) => [r.status, r.code];
    const refused = [403, 'Authorization_RequestDenied'];
    const newUser = (n: string) => ({
      accountEnabled: true,
      displayName: `Starter ${n}`,
      mailNickname: `starter.${n}`,
      userPrincipalName: `starter.${n}@demo-school.example`,
      passwordProfile: { password: 'not-used' },
    });
    const staff = DEMO_SCHOOL.groups.allStaff.id;
    // Countersign's registration reads the directory and never writes it.
    for (const [method, path, body] of [
      ['POST', 'users', newUser('cs')],
      ['PATCH', `users/${person.id}`, { jobTitle: 'x' }],
      ['DELETE', `users/${person.id}`, undefined],
      ['POST', 'groups', { displayName: 'G', mailNickname: 'g', securityEnabled: true }],
      ['DELETE', `groups/${staff}`, undefined],
      [
        'POST',
        `groups/${staff}/members/$ref`,
        { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${person.id}` },
      ],
      ['DELETE', `groups/${staff}/members/${person.id}/$ref`, undefined],
    ] as const) {
      expect(
        denied(await graph(method, path, TOKENS.countersign, body)),
        `${method} ${path}`,
      ).toEqual(refused);
    }
    // User.ReadWrite.All creates, updates and deletes users; Directory.ReadWrite.All creates and
    // updates but, as user-delete's table says, does not delete.
    const created = await graph('POST', 'users', TOKENS.directoryWriter, newUser('a'));
    expect(created.status).toBe(201);
    const id = String(created.body['id']);
    expect(
      (await graph('PATCH', `users/${id}`, TOKENS.directoryWriter, { jobTitle: 'TA' })).status,
    ).toBe(204);
    expect(denied(await graph('DELETE', `users/${id}`, TOKENS.directoryWriter))).toEqual(refused);
    expect((await graph('DELETE', `users/${id}`, TOKENS.userWriter)).status).toBe(204);
    // Group.Create makes a group, but binds a user as member only with a user read permission.
    const group = { displayName: 'Trip', mailNickname: 'trip', securityEnabled: true };
    const bare = await graph('POST', 'groups', TOKENS.groupCreator, group);
    expect(bare.status).toBe(201);
    const bound = await graph('POST', 'groups', TOKENS.groupCreator, {
      ...group,
      'members@odata.bind': [`https://graph.microsoft.com/v1.0/users/${person.id}`],
    });
    expect(denied(bound)).toEqual(refused);
    expect(
      denied(await graph('DELETE', `groups/${String(bare.body['id'])}`, TOKENS.groupCreator)),
    ).toEqual(refused);
    // GroupMember.ReadWrite.All adds and removes members, and nothing else.
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${person.id}` };
    const trip = String(bare.body['id']);
    expect(
      (await graph('POST', `groups/${trip}/members/$ref`, TOKENS.memberWriter, ref)).status,
    ).toBe(204);
    expect(
      (await graph('DELETE', `groups/${trip}/members/${person.id}/$ref`, TOKENS.memberWriter))
        .status,
    ).toBe(204);
    expect(denied(await graph('POST', 'users', TOKENS.memberWriter, newUser('b')))).toEqual(
      refused,
    );
  });

  it('checks each request inside a $batch against the caller’s grants', async () => {
    const batch = await graph('POST', '$batch', TOKENS.readOnlySite, {
      requests: [
        { id: '1', method: 'GET', url: `/users/${person.id}` },
        { id: '2', method: 'GET', url: `/${site}/lists` },
      ],
    });
    expect(batch.status).toBe(200);
    const statuses = Object.fromEntries(
      (batch.body['responses'] as { id: string; status: number }[]).map((r) => [r.id, r.status]),
    );
    expect(statuses).toEqual({ '1': 200, '2': 200 });
    const none = await graph('POST', '$batch', TOKENS.noRoles, {
      requests: [{ id: '1', method: 'GET', url: `/users/${person.id}` }],
    });
    expect((none.body['responses'] as { status: number }[])[0]?.status).toBe(403);
  });

  it('the production adapters work with exactly the registration’s permissions', async () => {
    const gateway = new GraphGateway({
      baseUrl: emulator.url,
      accessToken: () => Promise.resolve(TOKENS.countersign),
    });
    const directory = new GraphDirectory(gateway);
    expect((await directory.getPerson(person.id))?.displayName).toBe(person.displayName);
    const install = teamsAppInstaller(gateway, APP_ID);
    await install(person.id);
    // Installing again is "already installed" (409), success to the installer.
    await install(person.id);
    // Without AppCatalog.Read.All the lookup is refused (item 1 of the issue: day one).
    const short = new GraphGateway({
      baseUrl: emulator.url,
      accessToken: () => Promise.resolve(TOKENS.noCatalog),
    });
    await expect(teamsAppInstaller(short, APP_ID)(person.id)).rejects.toMatchObject({
      code: 'upstream',
      details: { status: 403 },
    });
  });
});

describe('the permission mode is the default', () => {
  let strict: GraphEmulator;
  beforeAll(async () => {
    strict = await startGraphEmulator({ seed: 'demo', permissions: { catalog: [APP_ID] } });
  });
  afterAll(async () => {
    await strict.close();
  });

  it('knows Countersign’s registration behind the dev app token, and nobody else', async () => {
    expect(COUNTERSIGN_APP_ROLES).toEqual(COUNTERSIGN_ROLES);
    const url = `${strict.url}/users/${person.id}`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { Authorization: 'Bearer other' } })).status).toBe(401);
    // The adapters present the token to a plain-http Graph on this machine, and only there.
    const env = loadGraphEnv({
      COUNTERSIGN_GRAPH_BASE_URL: strict.url,
      COUNTERSIGN_SITE: strict.siteId,
    });
    const graph = createGraphAdapters(graphConfigFromEnv(env));
    expect((await graph.directory.getPerson(person.id))?.displayName).toBe(person.displayName);
    await teamsAppInstaller(graph.gateway, APP_ID)(person.id);
    // Its fullcontrol grant lets `countersign provision` create the lists.
    expect((await provisionSite(graph.gateway, graph.records.site)).changes.length).toBeGreaterThan(
      0,
    );
    // Without the token (createGraphAdapters given none): 401, as Graph answers.
    const tokenless = createGraphAdapters({ baseUrl: strict.url, site: strict.siteId });
    await expect(tokenless.directory.getPerson(person.id)).rejects.toMatchObject({
      details: { status: 401 },
    });
    // A new grant of read only on the site: the lists can be read, not changed.
    strict.setup.setSiteGrant('read');
    const created = await fetch(`${strict.url}/sites/${strict.siteId}/lists`, {
      method: 'POST',
      headers: { ...EMULATOR_AUTHORIZATION, 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayName: 'Not allowed', list: { template: 'genericList' } }),
    });
    expect(created.status).toBe(403);
    strict.setup.setSiteGrant(undefined);
  });
});
