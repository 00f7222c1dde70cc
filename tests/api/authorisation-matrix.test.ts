import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevIdentityProvider } from '../../src/dev/identity/dev-identity-provider.ts';
import type { DevIdentityProvider } from '../../src/dev/identity/dev-identity-provider.ts';
import { createApiHandler } from '../../src/api/create-api-handler.ts';
import { API_ROUTES } from '../../src/api/routes.ts';
import type { RouteId } from '../../src/api/routes.ts';
import { startApiServer } from './support/api-server.ts';
import type { TestServer } from './support/api-server.ts';
import { DEV_USERS } from './support/dev-users.ts';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import {
  createFakeCampaigns,
  createFakeService,
  CURRENT_HASH,
  CURRENT_VERSION,
  DOCUMENT,
  POLICY_KEY,
  STAFF_PAST_ACK,
  TRUST_POLICY_KEY,
} from './support/fake-service.ts';
import type { FakeService } from './support/fake-service.ts';
import {
  createTokenFactory,
  hs256WithPublicKey,
  PEOPLE,
  TENANT_ID,
  unsecuredToken,
} from './support/tokens.ts';
import type { TestPerson, TokenFactory } from './support/tokens.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { SETTINGS_SCHOOL, testSettingsAdmin } from './support/school-settings-admin.ts';
import { createTrustCompliance } from '../../src/services/trust-compliance.ts';
import { createTrustEvidence } from '../../src/services/trust-evidence.ts';
import { trustSettingsRow } from '../../src/domain/trust.ts';

/**
 * Every route × every kind of caller → the status it must get. Tokens are real RS256 JWTs
 * checked by the production verifier configuration; nothing about verification is mocked.
 */
const IDENTITIES = [
  'none',
  'expired',
  'wrongAudience',
  'wrongTenant',
  'badSignature',
  'algNone',
  'staff',
  'otherStaff',
  'admin',
  'approver',
] as const;
type Identity = (typeof IDENTITIES)[number];
type Expectations = Record<Identity, number>;

const KEY_RING = memoryEvidenceKeys().keyRing;

const REFUSED = {
  none: 401,
  expired: 401,
  wrongAudience: 401,
  wrongTenant: 401,
  badSignature: 401,
  algNone: 401,
} as const;

/** Any signed-in person. */
const everyone = (ok: number): Expectations => ({
  ...REFUSED,
  staff: ok,
  otherStaff: ok,
  admin: ok,
  approver: ok,
});
/** Policy.Admin only. */
const adminOnly = (ok: number): Expectations => ({
  ...REFUSED,
  staff: 403,
  otherStaff: 403,
  admin: ok,
  approver: 403,
});
/** Policy.Approver only. */
const approverOnly = (ok: number): Expectations => ({
  ...REFUSED,
  staff: 403,
  otherStaff: 403,
  admin: 403,
  approver: ok,
});
/** The trust lead only (the fake's lead is the approver identity). */
const trustLeadOnly = (ok: number): Expectations => ({
  ...REFUSED,
  staff: 403,
  otherStaff: 403,
  admin: 403,
  approver: ok,
});
/** Public routes take no token in any mode: everyone gets the same answer, whatever they send. */
const publicOpen = (ok: number): Expectations => devOpen(ok);
/** Dev routes take no token: in dev mode everyone gets the same answer (404 in production). */
function devOpen(ok: number): Expectations {
  return {
    none: ok,
    expired: ok,
    wrongAudience: ok,
    wrongTenant: ok,
    badSignature: ok,
    algNone: ok,
    staff: ok,
    otherStaff: ok,
    admin: ok,
    approver: ok,
  };
}

interface Row {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  expect: Expectations;
}

const signBody = {
  versionNumber: CURRENT_VERSION,
  contentHash: CURRENT_HASH,
  declarationAccepted: true,
  typedName: 'A Person',
  statedRole: 'Teacher',
  consents: { photo: true },
};
const ACK = encodeURIComponent(`${POLICY_KEY}:v2:new-starter`);

const MATRIX: Record<RouteId, Row> = {
  me: { method: 'GET', path: '/api/me', expect: everyone(200) },
  'me.policies': { method: 'GET', path: '/api/me/policies', expect: everyone(200) },
  'policies.version': {
    method: 'GET',
    path: `/api/policies/${POLICY_KEY}/versions/2`,
    expect: everyone(200),
  },
  'me.changes': {
    method: 'GET',
    path: `/api/me/policies/${POLICY_KEY}/changes`,
    expect: everyone(200),
  },
  'me.sign': {
    method: 'POST',
    path: `/api/me/policies/${POLICY_KEY}/sign`,
    body: signBody,
    expect: everyone(201),
  },
  'me.history': { method: 'GET', path: '/api/me/history', expect: everyone(200) },
  // Sam's own past signature: Sam and an admin may read its text; to anyone else it does not exist.
  'signatures.text': {
    method: 'GET',
    path: `/api/signatures/${encodeURIComponent(STAFF_PAST_ACK)}/text`,
    expect: { ...REFUSED, staff: 200, otherStaff: 404, admin: 200, approver: 404 },
  },
  'admin.import': {
    method: 'POST',
    path: '/api/admin/import',
    body: 'Staff AUP\n1. I will keep my password private.\n',
    headers: { 'content-type': 'application/octet-stream', 'x-file-name': 'aup.txt' },
    expect: adminOnly(200),
  },
  'admin.policies': { method: 'GET', path: '/api/admin/policies', expect: adminOnly(200) },
  // Trust policies (issue 14): the service decides; in the fake the approver is the trust lead.
  'trust.policies': {
    method: 'GET',
    path: '/api/trust/policies',
    expect: { ...REFUSED, staff: 403, otherStaff: 403, admin: 200, approver: 200 },
  },
  // The schools side by side (the real reader, over a read with no policies): the lead (the approver, as
  // above) and a school's admin read; nobody else.
  'trust.compliance': {
    method: 'GET',
    path: '/api/trust/compliance',
    expect: { ...REFUSED, staff: 403, otherStaff: 403, admin: 200, approver: 200 },
  },
  // One school's register PDF (the real reader over the fake service): its admin and the lead;
  // to anyone else the school does not exist (404, before any use case runs).
  'trust.school.evidence': {
    method: 'GET',
    path: `/api/trust/schools/demo/policies/${POLICY_KEY}/evidence.pdf?version=2`,
    expect: { ...REFUSED, staff: 404, otherStaff: 404, admin: 200, approver: 200 },
  },
  'trust.policies.create': {
    method: 'POST',
    path: '/api/trust/policies',
    body: { key: 'trust-aup', title: 'Trust AUP', audiences: ['staff'] },
    expect: trustLeadOnly(201),
  },
  'trust.draft': {
    method: 'PUT',
    path: `/api/trust/policies/${TRUST_POLICY_KEY}/draft`,
    body: { label: '2027-28', changeKind: 'material', document: DOCUMENT },
    expect: trustLeadOnly(200),
  },
  'trust.publish': {
    method: 'POST',
    path: `/api/trust/policies/${TRUST_POLICY_KEY}/versions/2/publish`,
    expect: trustLeadOnly(200),
  },
  // The trust lead's campaign in every school: the lead only (the service decides).
  'trust.campaigns.launch': {
    method: 'POST',
    path: `/api/trust/policies/${TRUST_POLICY_KEY}/campaigns`,
    body: { deadline: '2027-01-15T16:00:00Z' },
    expect: trustLeadOnly(201),
  },
  // Only the school's own admin; the trust lead publishes no school's variant.
  'trust.variant': {
    method: 'PUT',
    path: `/api/trust/policies/${TRUST_POLICY_KEY}/schools/demo/variant`,
    body: {
      changeKind: 'material',
      sections: [{ heading: 'Our own', clauses: [{ text: 'Tablets in the box.', items: [] }] }],
    },
    expect: adminOnly(200),
  },
  // What a master publish would do per school: the lead only (the service decides).
  'trust.publish-preview': {
    method: 'GET',
    path: `/api/trust/policies/${TRUST_POLICY_KEY}/versions/2/publish-preview`,
    expect: trustLeadOnly(200),
  },
  'trust.withdraw-preview': {
    method: 'GET',
    path: `/api/trust/policies/${TRUST_POLICY_KEY}/versions/2/withdraw-preview`,
    expect: trustLeadOnly(200),
  },
  'trust.withdraw': {
    method: 'POST',
    path: `/api/trust/policies/${TRUST_POLICY_KEY}/versions/2/withdraw`,
    body: { reason: 'Published the wrong draft.' },
    expect: trustLeadOnly(200),
  },
  // A school's text with its own clauses: that school's admin only.
  'trust.variant-preview': {
    method: 'POST',
    path: `/api/trust/policies/${TRUST_POLICY_KEY}/schools/demo/variant/preview`,
    body: {
      sections: [{ heading: 'Our own', clauses: [{ text: 'Tablets in the box.', items: [] }] }],
    },
    expect: adminOnly(200),
  },
  'admin.policies.create': {
    method: 'POST',
    path: '/api/admin/policies',
    body: { key: 'volunteers-aup', title: 'Volunteers AUP', audiences: ['staff'] },
    expect: adminOnly(201),
  },
  school: { method: 'GET', path: '/api/school', expect: everyone(200) },
  'admin.draft': {
    method: 'PUT',
    path: `/api/admin/policies/${POLICY_KEY}/draft`,
    body: { label: 'Spring 2027', changeKind: 'material', document: DOCUMENT },
    expect: adminOnly(200),
  },
  'admin.diff': {
    method: 'GET',
    path: `/api/admin/policies/${POLICY_KEY}/versions/3/diff`,
    expect: adminOnly(200),
  },
  'admin.publish': {
    method: 'POST',
    path: `/api/admin/policies/${POLICY_KEY}/versions/3/publish`,
    expect: adminOnly(200),
  },
  'admin.publish-preview': {
    method: 'GET',
    path: `/api/admin/policies/${POLICY_KEY}/versions/3/publish-preview`,
    expect: adminOnly(200),
  },
  'admin.withdraw-preview': {
    method: 'GET',
    path: `/api/admin/policies/${POLICY_KEY}/versions/2/withdraw-preview`,
    expect: adminOnly(200),
  },
  'admin.withdraw': {
    method: 'POST',
    path: `/api/admin/policies/${POLICY_KEY}/versions/2/withdraw`,
    body: { reason: 'Published the wrong draft.' },
    expect: adminOnly(200),
  },
  'admin.people': {
    method: 'GET',
    path: `/api/admin/people?policyKey=${POLICY_KEY}&status=due&pageSize=20`,
    expect: adminOnly(200),
  },
  'admin.people.csv': {
    method: 'GET',
    path: `/api/admin/people.csv?policyKey=${POLICY_KEY}`,
    expect: adminOnly(200),
  },
  // A person's page, even one's own, is for admins only.
  'admin.person': {
    method: 'GET',
    path: `/api/admin/people/aaaaaaaa-0000-4000-8000-000000000001?policyKey=${POLICY_KEY}`,
    expect: adminOnly(200),
  },
  // The evidence pack's PDFs: admins only, like the people they name.
  'admin.policy.evidence': {
    method: 'GET',
    path: `/api/admin/policies/${POLICY_KEY}/evidence.pdf?version=2`,
    expect: adminOnly(200),
  },
  'admin.person.evidence': {
    method: 'GET',
    path: `/api/admin/people/aaaaaaaa-0000-4000-8000-000000000001/evidence.pdf?policyKey=${POLICY_KEY}`,
    expect: adminOnly(200),
  },
  'admin.person.deliveries': {
    method: 'GET',
    path: `/api/admin/people/aaaaaaaa-0000-4000-8000-000000000001/deliveries?policyKey=${POLICY_KEY}`,
    expect: adminOnly(200),
  },
  'admin.records-check': {
    method: 'GET',
    path: '/api/admin/records-check',
    expect: adminOnly(200),
  },
  'admin.approval-requests': {
    method: 'GET',
    path: '/api/admin/approval-requests',
    expect: adminOnly(200),
  },
  'admin.approval-requests.resend': {
    method: 'POST',
    path: `/api/admin/approval-requests/${ACK}/resend`,
    expect: adminOnly(202),
  },
  // The actor's school's settings (the real service over memory stores, seeded at revision 1).
  'admin.settings': { method: 'GET', path: '/api/admin/settings', expect: adminOnly(200) },
  'admin.settings.save': {
    method: 'PUT',
    path: '/api/admin/settings',
    body: { expectedRevision: 1, settings: { ...SETTINGS_SCHOOL, retentionYears: 7 } },
    expect: adminOnly(200),
  },
  'admin.settings.history': {
    method: 'GET',
    path: '/api/admin/settings/history',
    expect: adminOnly(200),
  },
  'admin.groups': {
    method: 'GET',
    path: '/api/admin/groups?search=staff',
    expect: adminOnly(200),
  },
  'admin.campaigns.list': { method: 'GET', path: '/api/admin/campaigns', expect: adminOnly(200) },
  'admin.campaigns.launch': {
    method: 'POST',
    path: '/api/admin/campaigns',
    body: {
      policyKey: POLICY_KEY,
      versionNumber: 2,
      audiences: ['staff'],
      deadline: '2026-12-18T16:00:00Z',
      reminderDays: [3, 7],
    },
    expect: adminOnly(201),
  },
  'admin.campaigns.preview-card': {
    method: 'GET',
    path: `/api/admin/campaigns/preview-card?policyKey=${POLICY_KEY}&versionNumber=2`,
    expect: adminOnly(200),
  },
  'admin.campaigns.send-test': {
    method: 'POST',
    path: '/api/admin/campaigns/send-test',
    body: { policyKey: POLICY_KEY, versionNumber: 2 },
    expect: adminOnly(202),
  },
  'admin.campaigns.pause': {
    method: 'POST',
    path: '/api/admin/campaigns/c1/pause',
    expect: adminOnly(200),
  },
  'admin.campaigns.resume': {
    method: 'POST',
    path: '/api/admin/campaigns/c1/resume',
    expect: adminOnly(200),
  },
  'admin.campaigns.cancel': {
    method: 'POST',
    path: '/api/admin/campaigns/c1/cancel',
    expect: adminOnly(200),
  },
  'admin.campaigns.recover': {
    method: 'POST',
    path: '/api/admin/campaigns/c1/recover',
    expect: adminOnly(200),
  },
  'approvals.list': { method: 'GET', path: '/api/approvals', expect: approverOnly(200) },
  'approvals.decide': {
    method: 'POST',
    path: `/api/approvals/${ACK}/decision`,
    body: { decision: 'approved', additionalPermissions: ['admin'] },
    expect: approverOnly(200),
  },
  'approvals.bulk': {
    method: 'POST',
    path: '/api/approvals/bulk',
    body: { acknowledgementIds: [`${POLICY_KEY}:v2:new-starter`], decision: 'approved' },
    expect: approverOnly(200),
  },
  'dev.users': { method: 'GET', path: '/dev/users', expect: devOpen(200) },
  'dev.token': {
    method: 'POST',
    path: '/dev/token',
    body: { user: 'staff' },
    expect: devOpen(200),
  },
  'dev.openid-configuration': {
    method: 'GET',
    path: '/dev/.well-known/openid-configuration',
    expect: devOpen(200),
  },
  'dev.jwks': { method: 'GET', path: '/dev/jwks.json', expect: devOpen(200) },
  'evidence.keys': { method: 'GET', path: '/api/evidence/keys', expect: publicOpen(200) },
};

const SIGNED_IN: Partial<Record<Identity, TestPerson>> = {
  staff: PEOPLE.staff,
  otherStaff: PEOPLE.otherStaff,
  admin: PEOPLE.admin,
  approver: PEOPLE.approver,
};

let tokens: TokenFactory;
let idp: DevIdentityProvider;
let server: TestServer;
const authorization = new Map<Identity, string | undefined>();
let service: FakeService;
let imports: string[];
let hs256: string;

function freshHandler(options: { dev: boolean }) {
  service = createFakeService();
  imports = [];
  const trustDeps = {
    settings: {
      list: () =>
        Promise.resolve(
          [
            SETTINGS_SCHOOL,
            trustSettingsRow({ name: 'Oak Trust', leadIds: [PEOPLE.approver.oid] }),
          ].map((school) => ({ school, revision: 1, updatedAt: '', updatedBy: 'test' })),
        ),
    },
    serviceFor: () => service,
  };
  return createApiHandler({
    service,
    log: silentLogger,
    campaigns: createFakeCampaigns(service.calls),
    settings: testSettingsAdmin(service.calls).admin,
    trust: createTrustCompliance({
      settings: trustDeps.settings,
      // Who reads which school is the reader's; the figures are trust-report-read's (its tests).
      read: { policiesOf: () => Promise.resolve(new Map()) },
    }),
    trustEvidence: createTrustEvidence(trustDeps),
    importPolicy: (bytes, fileName) => {
      imports.push(fileName);
      return Promise.resolve({
        document: { ...DOCUMENT, title: new TextDecoder().decode(bytes).split('\n')[0] ?? '' },
        report: { source: 'text', removed: [], repairs: [], warnings: [] },
      });
    },
    auth: tokens.verifier(),
    keyRing: KEY_RING,
    ...(options.dev ? { devIdentityProvider: idp } : {}),
    // Every 2xx body is parsed against its route's schema (src/api/contract/responses.ts).
    checkResponses: true,
  });
}

beforeAll(async () => {
  tokens = await createTokenFactory();
  idp = await createDevIdentityProvider({ users: DEV_USERS });
  server = await startApiServer(freshHandler({ dev: true }));
  const now = Math.floor(Date.now() / 1000);
  const { privateKey: strangerKey } = await generateKeyPair('RS256');
  const staff = PEOPLE.staff;
  authorization.set('none', undefined);
  authorization.set(
    'expired',
    `Bearer ${await tokens.token(staff, { nowSeconds: now - 7200, lifetimeSeconds: 3600 })}`,
  );
  authorization.set(
    'wrongAudience',
    `Bearer ${await tokens.token(PEOPLE.admin, { claims: { aud: 'api://another-app' } })}`,
  );
  authorization.set(
    'wrongTenant',
    `Bearer ${await tokens.token(PEOPLE.admin, {
      claims: {
        tid: '99999999-9999-4999-8999-999999999999',
        iss: 'https://login.microsoftonline.com/99999999-9999-4999-8999-999999999999/v2.0',
      },
    })}`,
  );
  authorization.set(
    'badSignature',
    `Bearer ${await tokens.token(PEOPLE.admin, { key: strangerKey })}`,
  );
  const claims = {
    aud: 'x',
    iss: `https://login.microsoftonline.com/${TENANT_ID}/v2.0`,
    tid: TENANT_ID,
    oid: PEOPLE.admin.oid,
    scp: 'access_as_user',
    roles: ['Policy.Admin', 'Policy.Approver'],
    iat: now,
    nbf: now,
    exp: now + 600,
  };
  authorization.set('algNone', `Bearer ${unsecuredToken(claims)}`);
  for (const [identity, person] of Object.entries(SIGNED_IN)) {
    authorization.set(identity as Identity, `Bearer ${await tokens.token(person)}`);
  }
  // Not a matrix column, but the same attack: HS256 keyed with the public key.
  hs256 = `Bearer ${await hs256WithPublicKey(tokens.publicPem, claims)}`;
});

afterAll(async () => {
  await server.close();
});

async function send(row: Row, auth: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { ...row.headers };
  if (auth !== undefined) headers['authorization'] = auth;
  let body: string | undefined;
  if (row.body !== undefined) {
    body = typeof row.body === 'string' ? row.body : JSON.stringify(row.body);
    headers['content-type'] ??= 'application/json';
  }
  return fetch(`${server.url}${row.path}`, {
    method: row.method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
}

describe('authorisation matrix', () => {
  it('has rows for every registered route, and no rows for routes that do not exist', () => {
    const registered = API_ROUTES.map((r) => r.id).sort();
    expect(Object.keys(MATRIX).sort()).toEqual(registered);
    for (const route of API_ROUTES) {
      const row = MATRIX[route.id];
      expect(row, route.id).toBeDefined();
      expect(Object.keys(row.expect).sort(), route.id).toEqual([...IDENTITIES].sort());
      expect(row.method, route.id).toBe(route.method);
    }
  });

  const cases = API_ROUTES.flatMap((route) =>
    IDENTITIES.map((identity) => ({ id: route.id, identity })),
  );

  it.each(cases)('$id as $identity', async ({ id, identity }) => {
    server.use(freshHandler({ dev: true }));
    const row = MATRIX[id];
    const expected = row.expect[identity];
    const res = await send(row, authorization.get(identity));
    const text = await res.text();
    expect(res.status, `${row.method} ${row.path} as ${identity}: ${text}`).toBe(expected);

    if (expected >= 400) {
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = JSON.parse(text) as { status: number; code: string };
      expect(problem.status).toBe(expected);
      if (expected === 401) {
        expect(problem.code).toBe('unauthenticated');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
      if (expected === 403) expect(problem.code).toBe('forbidden');
      if (expected === 404 && id === 'signatures.text') {
        // Ownership is the use case's rule: it ran as the caller and answered "no such one".
        expect(problem.code).toBe('not-found');
        expect(service.calls.map((c) => c.actorId)).toEqual([SIGNED_IN[identity]?.oid]);
      } else if (expected === 403 && id.startsWith('trust.') && id !== 'trust.compliance') {
        // The trust lead and which school a person administers are the use case's rules (issue
        // 14): it ran as the caller and refused.
        expect(service.calls.map((c) => c.actorId)).toEqual([SIGNED_IN[identity]?.oid]);
      } else {
        // Refused callers never reach a use case (the trust view refuses from the settings
        // list, before any school's report is read).
        expect(service.calls).toEqual([]);
      }
      expect(imports).toEqual([]);
    }

    const person = SIGNED_IN[identity];
    if (person !== undefined && expected < 400) {
      // By construction: every use case ran as the token's person, whoever the body named.
      for (const call of service.calls) expect(call.actorId, call.method).toBe(person.oid);
      if (id === 'me') expect(JSON.parse(text)).toMatchObject({ id: person.oid });
    }
  });

  it('refuses HS256 signed with the public key on every authenticated route', async () => {
    for (const route of API_ROUTES.filter((r) => r.access !== 'dev' && r.access !== 'public')) {
      server.use(freshHandler({ dev: true }));
      const res = await send(MATRIX[route.id], hs256);
      expect(res.status, route.id).toBe(401);
      expect(service.calls).toEqual([]);
    }
  });

  it('publishes the evidence keys to anyone, in production mode too', async () => {
    server.use(freshHandler({ dev: false }));
    const res = await send(MATRIX['evidence.keys'], undefined);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(KEY_RING);
    expect(service.calls).toEqual([]);
  });

  it('answers 404 on every dev route when not in dev mode, whatever the token', async () => {
    for (const route of API_ROUTES.filter((r) => r.access === 'dev')) {
      for (const identity of IDENTITIES) {
        server.use(freshHandler({ dev: false }));
        const res = await send(MATRIX[route.id], authorization.get(identity));
        expect(res.status, `${route.id} as ${identity}`).toBe(404);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    }
  });

  it('never takes the person from the body or the query: another staff member cannot act as Sam', async () => {
    server.use(freshHandler({ dev: true }));
    // Naming someone else in the sign body is refused outright.
    const forged = await send(
      { ...MATRIX['me.sign'], body: { ...signBody, userId: PEOPLE.staff.oid } },
      authorization.get('otherStaff'),
    );
    expect(forged.status).toBe(422);
    expect(service.acks).toEqual([]);

    // Sam signs; Olive asking for "Sam's" history by query gets only her own (empty).
    expect((await send(MATRIX['me.sign'], authorization.get('staff'))).status).toBe(201);
    const history = await send(
      { method: 'GET', path: `/api/me/history?userId=${PEOPLE.staff.oid}`, expect: everyone(200) },
      authorization.get('otherStaff'),
    );
    expect(await history.json()).toEqual([]);
    const own = await send(MATRIX['me.history'], authorization.get('staff'));
    expect(((await own.json()) as { userId: string }[]).map((a) => a.userId)).toEqual([
      PEOPLE.staff.oid,
    ]);

    // A token in the query string is not a token.
    const token = (authorization.get('staff') ?? '').replace('Bearer ', '');
    const viaQuery = await send(
      { method: 'GET', path: `/api/me?access_token=${token}`, expect: everyone(200) },
      undefined,
    );
    expect(viaQuery.status).toBe(401);
  });

  it('verifies dev-issued tokens only with a dev verifier: the API in production refuses them', async () => {
    server.use(freshHandler({ dev: true }));
    const devToken = await idp.issueToken('dsl');
    const res = await send(MATRIX['admin.policies'], `Bearer ${devToken}`);
    expect(res.status).toBe(401);
  });
});
