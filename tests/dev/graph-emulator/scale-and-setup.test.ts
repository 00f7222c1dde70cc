import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startGraphEmulator,
  syntheticPeople,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { DEMO_SCHOOL } from '../../../src/dev/demo/demo-school.ts';
import { call, values, type JsonReply } from './graph-client.ts';
import { DIRECTORY_ADMIN_AUTHORIZATION, withDirectoryAdmin } from '../../support/emulator-graph.ts';

let emulator: GraphEmulator;
let api: (method: string, path: string, body?: unknown) => Promise<JsonReply>;
/** As the school's identity admin: the directory writes Countersign's app may not make. */
let admin: (method: string, path: string, body?: unknown) => Promise<JsonReply>;

beforeAll(async () => {
  emulator = await startGraphEmulator({ permissions: { apps: withDirectoryAdmin() } });
  api = (method, path, body) => call(emulator.url, method, path, body);
  admin = (method, path, body) =>
    call(emulator.url, method, path, body, DIRECTORY_ADMIN_AUTHORIZATION);
});

afterAll(async () => {
  await emulator.close();
});

async function pages(
  path: string,
): Promise<{ items: Record<string, unknown>[]; requests: number }> {
  const items: Record<string, unknown>[] = [];
  let requests = 0;
  let next: string | undefined = path;
  while (next !== undefined) {
    const reply = await api('GET', next);
    expect(reply.status).toBe(200);
    requests += 1;
    items.push(...values(reply));
    next = reply.body['@odata.nextLink'] as string | undefined;
  }
  return { items, requests };
}

describe('a trust-sized audience', () => {
  it('serves 20,000 transitive members in pages of 999 and 20,000 list items in pages of 5,000', async () => {
    const people = syntheticPeople(20_000);
    emulator.setup.putUsers(people);
    const half = people.length / 2;
    const primary = emulator.setup.putGroup({
      displayName: 'Primary Staff',
      memberIds: people.slice(0, half).map((p) => p.id),
    });
    const secondary = emulator.setup.putGroup({
      displayName: 'Secondary Staff',
      memberIds: people.slice(half).map((p) => p.id),
    });
    const trust = emulator.setup.putGroup({
      displayName: 'Trust Staff',
      memberGroupIds: [primary, secondary],
    });

    emulator.resetCounters();
    const members = await pages(
      `/groups/${trust}/transitiveMembers/microsoft.graph.user?$select=id,userPrincipalName&$top=999`,
    );
    expect(members.items).toHaveLength(20_000);
    expect(new Set(members.items.map((m) => m.id)).size).toBe(20_000);
    expect(members.requests).toBe(21);

    await api('POST', `/sites/${emulator.siteId}/lists`, {
      displayName: 'Scale Acknowledgements',
      columns: [
        { name: 'UserId', text: {}, indexed: true },
        { name: 'VersionNumber', number: {}, indexed: true },
        { name: 'SignedAt', dateTime: {} },
      ],
    });
    const ids = emulator.setup.insertListItems(
      'Scale Acknowledgements',
      people.map((person, index) => ({
        UserId: person.id,
        VersionNumber: 1 + (index % 2),
        SignedAt: new Date(Date.UTC(2025, 8, 1) + index * 1000).toISOString(),
      })),
    );
    expect(ids).toHaveLength(20_000);
    emulator.resetCounters();
    const acknowledgements = await pages(
      `/sites/${emulator.siteId}/lists/Scale Acknowledgements/items?$top=5000&$expand=fields($select=UserId,VersionNumber,SignedAt)`,
    );
    expect(acknowledgements.items).toHaveLength(20_000);
    expect(acknowledgements.requests).toBe(4);
    expect(emulator.counters().resourceUnits).toBe(8);
  });
});

describe('directory writes (new starters and leavers)', () => {
  it('creates a user, adds them to a nested group, and removes them again', async () => {
    const created = await admin('POST', '/users', {
      accountEnabled: true,
      displayName: 'Nia Starter',
      mailNickname: 'nia.starter',
      userPrincipalName: 'nia.starter@demo-school.example',
      passwordProfile: { password: 'not-used' },
      jobTitle: 'Teaching Assistant',
    });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    const duplicate = await admin('POST', '/users', {
      displayName: 'Nia Again',
      userPrincipalName: 'nia.starter@demo-school.example',
    });
    expect(duplicate.status).toBe(400);

    const support = DEMO_SCHOOL.groups.supportStaff.id;
    const added = await admin('POST', `/groups/${support}/members/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}`,
    });
    expect(added.status).toBe(204);
    const again = await admin('POST', `/groups/${support}/members/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}`,
    });
    expect(again.status).toBe(400);

    const allStaff = await pages(
      `/groups/${DEMO_SCHOOL.groups.allStaff.id}/transitiveMembers/microsoft.graph.user?$top=999`,
    );
    expect(allStaff.items.map((m) => m.id)).toContain(id);

    const removed = await fetch(`${emulator.url}/groups/${support}/members/${id}/$ref`, {
      method: 'DELETE',
      headers: DIRECTORY_ADMIN_AUTHORIZATION,
    });
    expect(removed.status).toBe(204);
    const after = await pages(
      `/groups/${DEMO_SCHOOL.groups.allStaff.id}/transitiveMembers/microsoft.graph.user?$top=999`,
    );
    expect(after.items.map((m) => m.id)).not.toContain(id);

    const patched = await admin('PATCH', `/users/${id}`, {
      jobTitle: 'Higher Level Teaching Assistant',
    });
    expect(patched.status).toBe(204);
    expect((await api('GET', `/users/${id}`)).body.jobTitle).toBe(
      'Higher Level Teaching Assistant',
    );
    const deleted = await fetch(`${emulator.url}/users/${id}`, {
      method: 'DELETE',
      headers: DIRECTORY_ADMIN_AUTHORIZATION,
    });
    expect(deleted.status).toBe(204);
    expect((await api('GET', `/users/${id}`)).status).toBe(404);
  });

  it('creates a group with members bound at creation', async () => {
    const head = DEMO_SCHOOL.headteacher.id;
    const created = await admin('POST', '/groups', {
      displayName: 'Trip Leaders',
      mailNickname: 'tripleaders',
      mailEnabled: false,
      securityEnabled: true,
      'members@odata.bind': [`https://graph.microsoft.com/v1.0/users/${head}`],
    });
    expect(created.status).toBe(201);
    const members = await api('GET', `/groups/${String(created.body.id)}/members`);
    expect(values(members).map((m) => m.id)).toEqual([head]);
  });
});
