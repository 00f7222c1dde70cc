import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { createApiHandler } from '../../src/api/create-api-handler.ts';
import type {
  SchoolSettings,
  SettingsChange,
  SettingsSaved,
} from '../../src/api/contract/responses.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import type { School } from '../../src/domain/school.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { deploymentSchool } from '../../src/services/actor-school.ts';
import { createSchoolSettingsAdmin } from '../../src/services/school-settings-admin.ts';
import { seedSchoolSettings } from '../../src/services/school-settings.ts';
import { startApiServer, type TestServer } from './support/api-server.ts';
import { createFakeService } from './support/fake-service.ts';
import { createTokenFactory, PEOPLE } from './support/tokens.ts';
import { emulatorGraphAdapters } from '../support/emulator-graph.ts';

/**
 * The Admin view's settings page through the API as the tab calls it, over the real settings
 * service and the SharePoint settings list and audit log on the Graph emulator.
 */
const SCHOOL: School = {
  id: 'oakfield',
  name: 'Oakfield Primary',
  timeZone: 'Europe/London',
  audiences: [{ key: 'staff', label: 'Staff', groupIds: ['g-staff'] }],
  approverIds: [PEOPLE.approver.oid],
  adminIds: [PEOPLE.admin.oid],
};

let emulator: GraphEmulator;
let graph: GraphAdapters;
let server: TestServer;
let adminAuth: string;
let staffAuth: string;

beforeAll(async () => {
  emulator = await startGraphEmulator({ seed: 'demo' });
  graph = emulatorGraphAdapters(emulator);
  await provisionSite(graph.gateway, graph.records.site);
  let id = 0;
  const deps = {
    store: graph.settings,
    records: graph.records,
    clock: { now: () => new Date() },
    newId: () => `settings-test-${++id}`,
  };
  await seedSchoolSettings(deps, SCHOOL);
  const tokens = await createTokenFactory();
  server = await startApiServer(
    createApiHandler({
      service: createFakeService(),
      log: silentLogger,
      importPolicy: () => Promise.reject(new Error('not used')),
      auth: tokens.verifier(),
      settings: createSchoolSettingsAdmin({
        settings: deps,
        directory: graph.directory,
        actorSchool: deploymentSchool(() => SCHOOL.id),
      }),
      checkResponses: true,
    }),
  );
  adminAuth = `Bearer ${await tokens.token(PEOPLE.admin)}`;
  staffAuth = `Bearer ${await tokens.token(PEOPLE.staff)}`;
});

afterAll(async () => {
  await server.close();
  await emulator.close();
});

async function call(method: string, path: string, auth: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: auth,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

describe('school settings in the Admin view (issue 14, item 1)', () => {
  it('reads, saves over the revision read, refuses a stale one, and lists the change', async () => {
    const read = await call('GET', '/api/admin/settings', adminAuth);
    expect(read.status).toBe(200);
    const current = read.body as SchoolSettings;
    expect(current).toMatchObject({ revision: 1, updatedBy: 'bootstrap' });
    expect(current.settings.name).toBe('Oakfield Primary');

    const changed = {
      ...current.settings,
      holidays: [{ name: 'Christmas', from: '2026-12-19', to: '2027-01-04' }],
      workingHours: { startHour: 8, endHour: 16 },
    };
    const saved = await call('PUT', '/api/admin/settings', adminAuth, {
      expectedRevision: 1,
      settings: changed,
    });
    expect(saved.status).toBe(200);
    expect(saved.body as SettingsSaved).toMatchObject({
      revision: 2,
      updatedBy: PEOPLE.admin.oid,
      changed: ['holidays', 'workingHours'],
    });

    // Someone else's tab still holds revision 1: its save is a conflict, and nothing changes.
    const stale = await call('PUT', '/api/admin/settings', adminAuth, {
      expectedRevision: 1,
      settings: { ...current.settings, name: 'Oakfield Academy' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'conflict' });
    expect((await graph.settings.get('oakfield'))?.school.name).toBe('Oakfield Primary');

    const history = await call('GET', '/api/admin/settings/history', adminAuth);
    expect(history.status).toBe(200);
    const entries = history.body as SettingsChange[];
    expect(entries.map((e) => [e.revision, e.source])).toEqual([
      [2, 'admin'],
      [1, 'bootstrap'],
    ]);
    expect(entries[0]).toMatchObject({
      actorId: PEOPLE.admin.oid,
      changed: ['holidays', 'workingHours'],
      after: { workingHours: { startHour: 8, endHour: 16 } },
    });
  });

  it("refuses another school's settings (403), an unknown setting (422) and a staff member (403)", async () => {
    const { body } = await call('GET', '/api/admin/settings', adminAuth);
    const current = body as SchoolSettings;
    const other = await call('PUT', '/api/admin/settings', adminAuth, {
      expectedRevision: current.revision,
      settings: { ...current.settings, id: 'another-school' },
    });
    expect(other.status).toBe(403);
    expect(await graph.settings.get('another-school')).toBeNull();

    const misspelt = await call('PUT', '/api/admin/settings', adminAuth, {
      expectedRevision: current.revision,
      settings: { ...current.settings, reminderDayz: [3] },
    });
    expect(misspelt.status).toBe(422);

    const staff = await call('GET', '/api/admin/settings/history', staffAuth);
    expect(staff.status).toBe(403);
  });

  it('offers Entra groups by name to the group picker (Graph $search on the emulator)', async () => {
    const found = await call('GET', '/api/admin/groups?search=teach', adminAuth);
    expect(found.status).toBe(200);
    expect((found.body as { displayName: string }[]).map((g) => g.displayName)).toContain(
      'Teaching Staff',
    );
    expect((await call('GET', '/api/admin/groups', adminAuth)).status).toBe(422);
    expect((await call('GET', '/api/admin/groups?search=teach', staffAuth)).status).toBe(403);
  });
});
