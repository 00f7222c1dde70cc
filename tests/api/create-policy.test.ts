import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { SharePointRecordStore } from '../../src/adapters/graph/sharepoint-record-store.ts';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { createTokenVerifier } from '../../src/api/auth/token-verifier.ts';
import { createApiHandler } from '../../src/api/create-api-handler.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import {
  createDevIdentityProvider,
  DEV_USER_ROLES,
  type DevIdentityProvider,
} from '../../src/dev/identity/dev-identity-provider.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { School } from '../../src/domain/school.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { startApiServer, type TestServer } from './support/api-server.ts';
import { provisionedRecordStore } from './support/provisioned-site.ts';

/**
 * Importing into a new policy (issue 11) is an explicit, server-side creation: POST
 * /api/admin/policies with its key, title, audiences and approval settings, through the real
 * service and the SharePoint record store on the Graph emulator. A taken key is a 409 problem
 * naming the policy that has it; saving a draft under an unknown key no longer makes a policy.
 */
const SCHOOL: School = {
  id: 'school-1',
  name: 'Oakfield Primary School',
  timeZone: 'Europe/London',
  audiences: [
    { key: 'staff', label: 'Staff', groupIds: ['g-staff'] },
    { key: 'volunteers', label: 'Volunteers', groupIds: ['g-volunteers'] },
  ],
  approverIds: [],
  adminIds: ['u-dsl'],
  permissionChoices: ['Remote access', 'Finance systems'],
};

const DOCUMENT: PolicyDocument = {
  title: 'Volunteers Acceptable Use Policy',
  sections: [
    {
      heading: 'Using school systems',
      clauses: [{ number: '1', text: 'I will only use school devices as asked.', items: [] }],
    },
  ],
  declaration: 'I have read and agree to the Volunteers Acceptable Use Policy.',
  consents: [],
  approval: null,
};

describe('creating a policy (API, Graph emulator)', () => {
  let emulator: GraphEmulator;
  let records: SharePointRecordStore;
  let server: TestServer;
  let idp: DevIdentityProvider;

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    records = await provisionedRecordStore(emulator);
    await records.putPolicy({
      key: 'staff-aup',
      schoolId: SCHOOL.id,
      title: 'Staff Acceptable Use Policy',
      audiences: ['staff'],
      renewal: { kind: 'anniversary', months: 12 },
      approvalMode: 'every-signature',
    });
    const service = createCountersignService({
      records,
      directory: new MemoryDirectory({
        people: [
          { id: 'u-staff', userPrincipalName: 'sam@school.example', displayName: 'Sam Patel' },
        ],
        groups: [{ id: 'g-volunteers', members: ['u-staff'] }],
      }),
      clock: { now: () => new Date('2026-09-01T08:00:00.000Z') },
      sealKey: 'create-policy-tests-seal-key-0123456789abcdef',
      evidence: memoryEvidenceKeys(),
      school: SCHOOL,
      readCache: false,
    });
    idp = await createDevIdentityProvider({
      users: [
        {
          key: 'dsl',
          id: 'u-dsl',
          displayName: 'Dana Lee',
          upn: 'dana@school.example',
          roles: DEV_USER_ROLES.dsl,
        },
        {
          key: 'staff',
          id: 'u-staff',
          displayName: 'Sam Patel',
          upn: 'sam@school.example',
          roles: DEV_USER_ROLES.staff,
        },
      ],
    });
    server = await startApiServer(
      createApiHandler({
        service,
        log: silentLogger,
        importPolicy: () => Promise.reject(new Error('no import here')),
        auth: createTokenVerifier(idp.verifierConfig()),
        checkResponses: true,
      }),
    );
  });
  afterAll(async () => {
    await server.close();
    await emulator.close();
  });

  async function call(
    who: 'dsl' | 'staff',
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await idp.issueToken(who)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('creates a policy with its audiences and approval settings, audited; its first draft saves', async () => {
    const created = await call('dsl', 'POST', '/api/admin/policies', {
      key: 'volunteers-aup',
      title: 'Volunteers Acceptable Use Policy',
      audiences: ['volunteers'],
      approvalMode: 'every-signature',
      renewal: { kind: 'anniversary', months: 12 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      key: 'volunteers-aup',
      schoolId: SCHOOL.id,
      title: 'Volunteers Acceptable Use Policy',
      audiences: ['volunteers'],
      renewal: { kind: 'anniversary', months: 12 },
      approvalMode: 'every-signature',
      // Kept on the row for the repair sweep: a lost policy.created event names its creator.
      createdAt: expect.any(String) as unknown,
      createdBy: 'u-dsl',
    });
    expect((await records.getPolicy('volunteers-aup'))?.value.audiences).toEqual(['volunteers']);
    const [event, ...more] = await records.listAudit({ type: 'policy.created' });
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      actorId: 'u-dsl',
      subject: 'volunteers-aup',
      details: { audiences: ['volunteers'], approvalMode: 'every-signature' },
    });

    const draft = await call('dsl', 'PUT', '/api/admin/policies/volunteers-aup/draft', {
      label: '2026-27',
      changeKind: 'material',
      document: DOCUMENT,
    });
    expect(draft.status).toBe(200);
    expect(draft.body).toMatchObject({ policyKey: 'volunteers-aup', number: 1, status: 'draft' });
  });

  it('tells staff nothing of who created the policy or when; the admin list keeps both', async () => {
    const created = await call('dsl', 'POST', '/api/admin/policies', {
      key: 'helpers-aup',
      title: 'Helpers Acceptable Use Policy',
      audiences: ['volunteers'],
      approvalMode: 'none',
    });
    expect(created.status).toBe(201);
    expect(
      (
        await call('dsl', 'PUT', '/api/admin/policies/helpers-aup/draft', {
          label: '2026-27',
          changeKind: 'material',
          document: DOCUMENT,
        })
      ).status,
    ).toBe(200);
    expect(
      (await call('dsl', 'POST', '/api/admin/policies/helpers-aup/versions/1/publish')).status,
    ).toBe(200);

    const mine = await call('staff', 'GET', '/api/me/policies');
    expect(mine.status).toBe(200);
    const views = mine.body as unknown as { policy: Record<string, unknown> }[];
    const helpers = views.find((v) => v.policy.key === 'helpers-aup');
    expect(helpers?.policy.key).toBe('helpers-aup');
    expect(helpers?.policy).not.toHaveProperty('createdBy');
    expect(helpers?.policy).not.toHaveProperty('createdAt');
    expect(JSON.stringify(mine.body)).not.toContain('u-dsl');

    const admin = await call('dsl', 'GET', '/api/admin/policies');
    const row = (admin.body as unknown as { policy: Record<string, unknown> }[]).find(
      (p) => p.policy.key === 'helpers-aup',
    );
    expect(row?.policy).toMatchObject({
      createdBy: 'u-dsl',
      createdAt: expect.any(String) as unknown,
    });
  });

  it('defaults to first-signature approval and renewal every 1 September', async () => {
    const created = await call('dsl', 'POST', '/api/admin/policies', {
      key: 'governors-aup',
      title: 'Governors AUP',
      audiences: ['staff'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      approvalMode: 'first-signature',
      renewal: { kind: 'fixed-date', month: 9, day: 1 },
    });
  });

  it('refuses a taken key with a 409 problem naming the policy that has it, and changes nothing', async () => {
    const taken = await call('dsl', 'POST', '/api/admin/policies', {
      key: 'staff-aup',
      title: 'Another staff policy',
      audiences: ['volunteers'],
      approvalMode: 'none',
    });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({
      code: 'conflict',
      details: { key: 'staff-aup', title: 'Staff Acceptable Use Policy' },
    });
    expect(taken.body['detail']).toContain('Staff Acceptable Use Policy');
    const kept = await records.getPolicy('staff-aup');
    expect(kept?.value).toMatchObject({ audiences: ['staff'], approvalMode: 'every-signature' });
  });

  it('refuses an audience the school does not have, a malformed key, and staff', async () => {
    const audience = await call('dsl', 'POST', '/api/admin/policies', {
      key: 'parents-aup',
      title: 'Parents AUP',
      audiences: ['parents'],
    });
    expect(audience.status).toBe(422);
    expect(audience.body).toMatchObject({
      code: 'validation',
      details: { audiences: ['parents'] },
    });
    const key = await call('dsl', 'POST', '/api/admin/policies', {
      key: 'Parents AUP',
      title: 'Parents AUP',
      audiences: ['staff'],
    });
    expect(key.status).toBe(422);
    const staff = await call('staff', 'POST', '/api/admin/policies', {
      key: 'staff-made',
      title: 'Staff made',
      audiences: ['staff'],
    });
    expect(staff.status).toBe(403);
    expect(await records.getPolicy('parents-aup')).toBeNull();
    expect(await records.getPolicy('staff-made')).toBeNull();
  });

  it('no longer makes a policy from a draft saved under an unknown key', async () => {
    const draft = await call('dsl', 'PUT', '/api/admin/policies/unknown-aup/draft', {
      label: '2026-27',
      changeKind: 'material',
      document: DOCUMENT,
    });
    expect(draft.status).toBe(404);
    expect(await records.getPolicy('unknown-aup')).toBeNull();
  });

  it('tells anyone signed in the school’s audiences and permission choices', async () => {
    const school = await call('staff', 'GET', '/api/school');
    expect(school.status).toBe(200);
    expect(school.body).toEqual({
      name: 'Oakfield Primary School',
      audiences: [
        { key: 'staff', label: 'Staff' },
        { key: 'volunteers', label: 'Volunteers' },
      ],
      permissionChoices: ['Remote access', 'Finance systems'],
    });
  });
});
