import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { DEMO_SCHOOL } from '../../../src/dev/demo/demo-school.ts';
import { policyDocumentSchema } from '../../../src/domain/policy-document.ts';
import { schoolSchema } from '../../../src/domain/school.ts';
import { call, errorCode, values, type JsonReply } from './graph-client.ts';

const TEAMS_MANIFEST_ID = '7f0c0b6e-5a55-4f0e-9f5a-3c1f4b2d9e10';

let emulator: GraphEmulator;
let api: (method: string, path: string, body?: unknown) => Promise<JsonReply>;

beforeAll(async () => {
  // The app uploaded to the catalog (the only one there, as in a tenant where only it was).
  emulator = await startGraphEmulator({ permissions: { catalog: [TEAMS_MANIFEST_ID] } });
  api = (method, path, body) => call(emulator.url, method, path, body);
});

afterAll(async () => {
  await emulator.close();
});

async function collect(path: string): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  let next: string | undefined = path;
  while (next !== undefined) {
    const reply = await api('GET', next);
    expect(reply.status).toBe(200);
    all.push(...values(reply));
    next = reply.body['@odata.nextLink'] as string | undefined;
  }
  return all;
}

describe('demo school data', () => {
  it('has about 60 staff, 10 governors, 8 volunteers with unique ids and UPNs', () => {
    expect(DEMO_SCHOOL.staff).toHaveLength(60);
    expect(DEMO_SCHOOL.governors).toHaveLength(10);
    expect(DEMO_SCHOOL.volunteers).toHaveLength(8);
    expect(new Set(DEMO_SCHOOL.users.map((u) => u.id)).size).toBe(78);
    expect(new Set(DEMO_SCHOOL.users.map((u) => u.userPrincipalName)).size).toBe(78);
    for (const user of DEMO_SCHOOL.users) {
      expect(user.userPrincipalName).toMatch(/^[a-z-]+\.[a-z-]+@demo-school\.example$/);
    }
    expect(DEMO_SCHOOL.headteacher.jobTitle).toBe('Headteacher');
    expect(DEMO_SCHOOL.dsl.jobTitle).toContain('Designated Safeguarding Lead');
  });

  it('exports a valid demo AUP and School', () => {
    const aup = policyDocumentSchema.parse(DEMO_SCHOOL.aup);
    const clauses = aup.sections.flatMap((s) => s.clauses);
    expect(aup.sections).toHaveLength(3);
    expect(clauses).toHaveLength(12);
    expect(clauses.filter((c) => c.audience !== undefined)).toEqual([
      expect.objectContaining({ audience: ['staff', 'governors'] }),
    ]);
    expect(aup.consents.map((c) => c.key)).toEqual(['photo']);
    expect(aup.approval?.approverName).toBe(DEMO_SCHOOL.headteacher.displayName);
    expect(schoolSchema.parse(DEMO_SCHOOL.school).approverIds).toEqual([
      DEMO_SCHOOL.headteacher.id,
    ]);
  });
});

describe('users', () => {
  it('lists users in pages of $top with the default property set', async () => {
    const first = await api('GET', '/users?$top=25');
    expect(values(first)).toHaveLength(25);
    expect(Object.keys(values(first)[0] ?? {}).sort()).toEqual(
      [
        'businessPhones',
        'displayName',
        'givenName',
        'id',
        'jobTitle',
        'mail',
        'mobilePhone',
        'officeLocation',
        'preferredLanguage',
        'surname',
        'userPrincipalName',
      ].sort(),
    );
    const all = await collect('/users?$top=25&$select=id,displayName,department');
    expect(all).toHaveLength(78);
    expect(Object.keys(all[0] ?? {}).sort()).toEqual(['department', 'displayName', 'id']);
    const tooBig = await api('GET', '/users?$top=1000');
    expect(tooBig.status).toBe(400);
  });

  it('gets a user by id or UPN, filters, and answers 404 Request_ResourceNotFound', async () => {
    const head = DEMO_SCHOOL.headteacher;
    const byId = await api('GET', `/users/${head.id}`);
    expect(byId.body.displayName).toBe(head.displayName);
    const byUpn = await api('GET', `/users/${head.userPrincipalName}?$select=id,jobTitle`);
    expect(byUpn.body).toMatchObject({ id: head.id, jobTitle: 'Headteacher' });
    const filtered = await api(
      'GET',
      `/users?$filter=${encodeURIComponent(`userPrincipalName eq '${head.userPrincipalName}'`)}`,
    );
    expect(values(filtered).map((u) => u.id)).toEqual([head.id]);
    const missing = await api('GET', '/users/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('Request_ResourceNotFound');
  });
});

describe('groups', () => {
  it('lists groups and filters by displayName', async () => {
    const groups = await api('GET', '/groups');
    expect(values(groups).length).toBe(Object.keys(DEMO_SCHOOL.groups).length);
    const staff = await api(
      'GET',
      `/groups?$filter=${encodeURIComponent("displayName eq 'All Staff'")}`,
    );
    expect(values(staff).map((g) => g.id)).toEqual([DEMO_SCHOOL.groups.allStaff.id]);
  });

  it('resolves transitive members through nested groups, typed and paged', async () => {
    const allStaff = DEMO_SCHOOL.groups.allStaff.id;
    const direct = await collect(`/groups/${allStaff}/members`);
    expect(direct.map((m) => m['@odata.type'])).toEqual([
      '#microsoft.graph.group',
      '#microsoft.graph.group',
    ]);

    const transitive = await collect(`/groups/${allStaff}/transitiveMembers?$top=20`);
    const users = transitive.filter((m) => m['@odata.type'] === '#microsoft.graph.user');
    const groups = transitive.filter((m) => m['@odata.type'] === '#microsoft.graph.group');
    expect(users).toHaveLength(60);
    expect(groups.map((g) => g.displayName).sort()).toEqual([
      'Senior Leadership Team',
      'Support Staff',
      'Teaching Staff',
    ]);
    expect(users.map((u) => u.id)).toContain(DEMO_SCHOOL.headteacher.id); // two levels down

    const cast = await collect(
      `/groups/${allStaff}/transitiveMembers/microsoft.graph.user?$select=id,userPrincipalName&$top=999`,
    );
    expect(cast).toHaveLength(60);
    expect(new Set(cast.map((u) => u.id)).size).toBe(60);

    const memberOf = await collect(`/users/${DEMO_SCHOOL.headteacher.id}/transitiveMemberOf`);
    expect(memberOf.map((g) => g.displayName).sort()).toEqual([
      'AUP Approvers',
      'All Staff',
      'Governors',
      'Senior Leadership Team',
      'Teaching Staff',
    ]);
    const missing = await api('GET', '/groups/nope/transitiveMembers');
    expect(missing.status).toBe(404);
  });
});

describe('Teams app installations', () => {
  const manifestId = TEAMS_MANIFEST_ID;

  it('finds the app in the catalog, installs it for a user, and returns the 1:1 chat', async () => {
    const catalog = await api(
      'GET',
      `/appCatalogs/teamsApps?$filter=${encodeURIComponent(`externalId eq '${manifestId}'`)}`,
    );
    const app = values(catalog)[0] as { id: string; externalId: string };
    expect(app.externalId).toBe(manifestId);

    const user = DEMO_SCHOOL.staff[10]?.id ?? '';
    const path = `/users/${user}/teamwork/installedApps`;
    const filter = encodeURIComponent(`teamsApp/id eq '${app.id}'`);
    const before = await api('GET', `${path}?$expand=teamsApp&$filter=${filter}`);
    expect(values(before)).toHaveLength(0);

    const bind = {
      'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${app.id}`,
    };
    const installed = await api('POST', path, bind);
    expect(installed.status).toBe(201);
    const again = await api('POST', path, bind);
    expect(again.status).toBe(409);

    const after = await api('GET', `${path}?$expand=teamsApp,teamsAppDefinition&$filter=${filter}`);
    const installation = values(after)[0] as {
      id: string;
      teamsApp: { id: string };
      teamsAppDefinition: { teamsAppId: string };
    };
    expect(installation.teamsApp.id).toBe(app.id);
    expect(installation.teamsAppDefinition.teamsAppId).toBe(app.id);
    const byExternal = await api(
      'GET',
      `${path}?$expand=teamsApp&$filter=${encodeURIComponent(`teamsApp/externalId eq '${manifestId}'`)}`,
    );
    expect(values(byExternal)).toHaveLength(1);

    const chat = await api('GET', `${path}/${encodeURIComponent(installation.id)}/chat`);
    expect(chat.status).toBe(200);
    expect(chat.body.chatType).toBe('oneOnOne');
    expect(String(chat.body.id)).toMatch(/^19:.+@unq\.gbl\.spaces$/);

    const unknownUser = await api(
      'GET',
      '/users/nobody@demo-school.example/teamwork/installedApps',
    );
    expect(unknownUser.status).toBe(404);
    const unknownInstall = await api('GET', `${path}/bm9uZQ==/chat`);
    expect(unknownInstall.status).toBe(404);
  });
});
