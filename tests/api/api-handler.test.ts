import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDevIdentityProvider } from '../../src/dev/identity/dev-identity-provider.ts';
import { createTokenVerifier } from '../../src/api/auth/token-verifier.ts';
import { createApiHandler } from '../../src/api/create-api-handler.ts';
import type { ApiDeps } from '../../src/api/create-api-handler.ts';
import type { ImportReport } from '../../src/api/contract/responses.ts';
import type { ImportPolicy } from '../../src/api/route-context.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import { startApiServer } from './support/api-server.ts';
import type { TestServer } from './support/api-server.ts';
import { DEV_USERS } from './support/dev-users.ts';
import {
  createFakeCampaigns,
  createFakeService,
  CURRENT_HASH,
  CURRENT_VERSION,
  DOCUMENT,
  POLICY_KEY,
} from './support/fake-service.ts';
import type { FakeService } from './support/fake-service.ts';
import { createTokenFactory, PEOPLE } from './support/tokens.ts';
import type { TokenFactory } from './support/tokens.ts';
import { importPolicyFile } from '../../src/importer/read-policy-file.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { emptyStatusCounts } from '../../src/domain/status-counts.ts';

let tokens: TokenFactory;
let server: TestServer;
let service: FakeService;
let imported: { fileName: string; size: number }[];
let unexpected: unknown[];
const auth: Record<'staff' | 'admin' | 'approver', string> = { staff: '', admin: '', approver: '' };

const TEXT_REPORT: ImportReport = { source: 'text', removed: [], repairs: [], warnings: [] };

const importText: ImportPolicy = (bytes, fileName) => {
  imported.push({ fileName, size: bytes.length });
  return Promise.resolve({ document: DOCUMENT, report: TEXT_REPORT });
};

function use(overrides: Partial<ApiDeps> = {}): void {
  service = createFakeService();
  imported = [];
  unexpected = [];
  server.use(
    createApiHandler({
      service,
      campaigns: createFakeCampaigns(service.calls),
      importPolicy: importText,
      auth: tokens.verifier(),
      maxUploadBytes: 64 * 1024,
      maxJsonBytes: 16 * 1024,
      // Every 2xx body is parsed against the route's response schema (contract/responses.ts).
      checkResponses: true,
      log: silentLogger,
      onUnexpectedError: (error) => unexpected.push(error),
      ...overrides,
    }),
  );
}

beforeAll(async () => {
  tokens = await createTokenFactory();
  server = await startApiServer(() => Promise.resolve(false));
  auth.staff = `Bearer ${await tokens.token(PEOPLE.staff)}`;
  auth.admin = `Bearer ${await tokens.token(PEOPLE.admin)}`;
  auth.approver = `Bearer ${await tokens.token(PEOPLE.approver)}`;
});
beforeEach(() => use());
afterAll(async () => {
  await server.close();
});

function call(
  method: string,
  path: string,
  options: {
    as?: keyof typeof auth;
    json?: unknown;
    body?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.as !== undefined) headers['authorization'] = auth[options.as];
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  return fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
}

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  [key: string]: unknown;
}

async function expectProblem(res: Response, status: number, code: string): Promise<ProblemBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  const body = JSON.parse(text) as ProblemBody;
  expect(body).toMatchObject({ status, code, type: `urn:countersign:problem:${code}` });
  expect(typeof body.title).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
  return body;
}

const signPath = `/api/me/policies/${POLICY_KEY}/sign`;
const signBody = {
  versionNumber: CURRENT_VERSION,
  contentHash: CURRENT_HASH,
  declarationAccepted: true,
  typedName: 'Sam Staff',
  statedRole: 'Teaching assistant',
  consents: { photo: false },
};

describe('signing', () => {
  it('is idempotent: 201 with the acknowledgement, then 200 with the same one', async () => {
    const first = await call('POST', signPath, { as: 'staff', json: signBody });
    expect(first.status).toBe(201);
    const { acknowledgement } = (await first.json()) as {
      acknowledgement: { id: string; userId: string; channel: string; typedName: string };
    };
    expect(acknowledgement).toMatchObject({
      userId: PEOPLE.staff.oid,
      channel: 'tab',
      typedName: 'Sam Staff',
    });
    const again = await call('POST', signPath, { as: 'staff', json: signBody });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ acknowledgement });
    expect(service.acks).toHaveLength(1);
  });

  it('answers 409 conflict with the current version when a newer one was published', async () => {
    const res = await call('POST', signPath, {
      as: 'staff',
      json: { ...signBody, versionNumber: 1, contentHash: '1'.repeat(64) },
    });
    const problem = await expectProblem(res, 409, 'conflict');
    expect(problem['current']).toMatchObject({
      number: CURRENT_VERSION,
      contentHash: CURRENT_HASH,
    });
    expect(service.acks).toEqual([]);
  });

  it.each([
    [
      'declaration not accepted',
      { ...signBody, declarationAccepted: false },
      'declarationAccepted',
    ],
    ['blank typed name', { ...signBody, typedName: '   ' }, 'typedName'],
    ['missing role', { ...signBody, statedRole: undefined }, 'statedRole'],
    ['bad hash', { ...signBody, contentHash: 'abc' }, 'contentHash'],
    ['version as text', { ...signBody, versionNumber: '2' }, 'versionNumber'],
    ['consent not a boolean', { ...signBody, consents: { photo: 'yes' } }, 'consents.photo'],
    ['someone else named', { ...signBody, userId: PEOPLE.otherStaff.oid }, ''],
  ])('refuses %s with 422 and the field', async (_name, body, path) => {
    const problem = await expectProblem(
      await call('POST', signPath, { as: 'staff', json: body }),
      422,
      'validation',
    );
    const issues = problem['issues'] as { path: string; message: string }[];
    expect(issues.map((i) => i.path)).toContain(path);
    expect(service.calls).toEqual([]);
  });

  it.each([
    ['typedName', 'a right-to-left override', { typedName: 'Sam \u202EffatS' }],
    ['typedName', 'a zero-width space', { typedName: 'Sam\u200BStaff' }],
    ['typedName', 'a leading BOM that trimming would hide', { typedName: '\uFEFFSam Staff' }],
    ['statedRole', 'a soft hyphen', { statedRole: 'Teaching\u00ADassistant' }],
  ])('refuses a %s with %s (422), saying so in words', async (field, _what, change) => {
    const problem = await expectProblem(
      await call('POST', signPath, { as: 'staff', json: { ...signBody, ...change } }),
      422,
      'validation',
    );
    const what = field === 'typedName' ? 'Your typed name' : 'Your role';
    const message = `${what} contains an invisible or text-direction character; please type it again without copying and pasting.`;
    expect(problem['issues']).toEqual([{ path: field, message }]);
    expect(problem.detail).toContain(message);
    expect(service.calls).toEqual([]);
  });

  it('refuses unparsable JSON (400), other media types (415) and oversized JSON (413)', async () => {
    await expectProblem(
      await call('POST', signPath, {
        as: 'staff',
        body: '{"versionNumber": 2,',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'bad-request',
    );
    await expectProblem(
      await call('POST', signPath, {
        as: 'staff',
        body: 'versionNumber=2',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'unsupported-input',
    );
    const huge = await call('POST', signPath, {
      as: 'staff',
      json: { ...signBody, typedName: 'x'.repeat(20 * 1024) },
    });
    const problem = await expectProblem(huge, 413, 'too-large');
    expect(problem['maxBytes']).toBe(16 * 1024);
    expect(service.calls).toEqual([]);
  });

  it('answers 404 for a path parameter that cannot name a policy or version', async () => {
    await expectProblem(
      await call('GET', '/api/policies/NOT%20A%20KEY/versions/1', { as: 'staff' }),
      404,
      'not-found',
    );
    await expectProblem(
      await call('GET', `/api/policies/${POLICY_KEY}/versions/0`, { as: 'staff' }),
      404,
      'not-found',
    );
    // And the service's own not-found passes through the same mapping.
    await expectProblem(
      await call('GET', `/api/policies/${POLICY_KEY}/versions/99`, { as: 'staff' }),
      404,
      'not-found',
    );
  });
});

describe('problem details and routing', () => {
  it('answers unknown API paths 404 and wrong methods 405 with Allow, before any token check', async () => {
    await expectProblem(await call('GET', '/api/nothing-here'), 404, 'not-found');
    const res = await call('DELETE', '/api/me/history');
    await expectProblem(res, 405, 'method-not-allowed');
    expect(res.headers.get('allow')).toBe('GET');
    const campaigns = await call('DELETE', '/api/admin/campaigns');
    expect(campaigns.headers.get('allow')).toBe('GET, POST');
  });

  it('leaves the bot endpoint and everything outside /api and /dev to the server', async () => {
    expect((await call('POST', '/api/messages', { json: {} })).status).toBe(418);
    expect((await call('GET', '/')).status).toBe(418);
    expect((await call('GET', '/tab/index.html')).status).toBe(418);
    expect((await call('GET', '/apiary')).status).toBe(418);
  });

  it('answers 401 with a Bearer challenge and never caches API answers', async () => {
    const res = await call('GET', '/api/me');
    await expectProblem(res, 401, 'unauthenticated');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="countersign"');
    const bad = await call('GET', '/api/me', { headers: { authorization: 'Bearer x.y.z' } });
    await expectProblem(bad, 401, 'unauthenticated');
    expect(bad.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="countersign", error="invalid_token", error_description="[ -~]+"$/,
    );
    const ok = await call('GET', '/api/me', { as: 'staff' });
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await ok.json()).toEqual({
      id: PEOPLE.staff.oid,
      displayName: PEOPLE.staff.name,
      upn: PEOPLE.staff.upn,
      roles: [],
    });
  });

  it('maps service errors in one place: 412, 429 with Retry-After, 502, 503', async () => {
    const failWith = (error: Error) => {
      use();
      service.myHistory = () => Promise.reject(error);
    };
    failWith(new CountersignError('precondition-failed', 'The record changed; reload.'));
    await expectProblem(
      await call('GET', '/api/me/history', { as: 'staff' }),
      412,
      'precondition-failed',
    );
    failWith(new CountersignError('throttled', 'SharePoint is busy.', { retryAfterSeconds: 7.2 }));
    const throttled = await call('GET', '/api/me/history', { as: 'staff' });
    await expectProblem(throttled, 429, 'throttled');
    expect(throttled.headers.get('retry-after')).toBe('8');
    failWith(new CountersignError('upstream', 'Graph failed.', { secret: 'x' }));
    const upstream = await expectProblem(
      await call('GET', '/api/me/history', { as: 'staff' }),
      502,
      'upstream',
    );
    expect(upstream['details']).toBeUndefined();
    expect(unexpected).toHaveLength(1);
    failWith(new CountersignError('unavailable', 'Down for a moment.'));
    await expectProblem(await call('GET', '/api/me/history', { as: 'staff' }), 503, 'unavailable');
  });

  it('turns an unexpected error into a bare 500 and reports it', async () => {
    service.myPolicies = () => Promise.reject(new Error('database password is hunter2'));
    const problem = await expectProblem(
      await call('GET', '/api/me/policies', { as: 'staff' }),
      500,
      'internal',
    );
    expect(JSON.stringify(problem)).not.toContain('hunter2');
    expect(unexpected).toHaveLength(1);
  });

  it('passes a role refusal from the service through as 403 as well', async () => {
    // The API checks roles from the route table; the service checks again (the bot relies on it).
    service.listPolicies = () => Promise.reject(new CountersignError('forbidden', 'No.'));
    await expectProblem(
      await call('GET', '/api/admin/policies', { as: 'admin' }),
      403,
      'forbidden',
    );
  });
});

/** Sends a raw body with node:http so chunked (no Content-Length) uploads can be tested. */
function upload(
  headers: Record<string, string>,
  chunks: Iterable<Uint8Array>,
): Promise<{ status: number; body: string; bytesSent: number }> {
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    const req = request(`${server.url}/api/admin/import`, { method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, bytesSent }));
    });
    req.on('error', reject);
    const iterator = chunks[Symbol.iterator]();
    const pump = (): void => {
      for (;;) {
        const next = iterator.next();
        if (next.done === true) {
          req.end();
          return;
        }
        bytesSent += next.value.length;
        if (!req.write(next.value)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

describe('import upload', () => {
  const uploadHeaders = (extra: Record<string, string> = {}) => ({
    authorization: auth.admin,
    'content-type': 'application/octet-stream',
    'x-file-name': 'aup.docx',
    ...extra,
  });

  it('hands the bytes and the file name to the importer and returns its result', async () => {
    const res = await call('POST', '/api/admin/import', {
      as: 'admin',
      body: 'Acceptable Use Policy',
      headers: { 'content-type': 'application/octet-stream', 'x-file-name': 'My%20AUP%202025.txt' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ document: DOCUMENT, report: TEXT_REPORT });
    expect(imported).toEqual([{ fileName: 'My AUP 2025.txt', size: 21 }]);
    const literal = await call('POST', '/api/admin/import', {
      as: 'admin',
      body: 'x',
      headers: {
        'content-type': 'application/octet-stream',
        'x-file-name': 'C:\\AUP\\100% sure.txt',
      },
    });
    expect(literal.status).toBe(200);
    expect(imported[1]?.fileName).toBe('100% sure.txt');
  });

  it('refuses a declared Content-Length over the cap before reading the body (413)', async () => {
    const res = await upload({ ...uploadHeaders(), 'content-length': String(64 * 1024 + 1) }, [
      new Uint8Array(64 * 1024 + 1),
    ]).catch((error: unknown) => ({ status: -1, body: String(error), bytesSent: 0 }));
    // The server answers at once; the client may or may not finish sending first.
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'too-large', status: 413 });
    expect(imported).toEqual([]);
  });

  it('refuses a chunked upload as soon as it passes the cap, without waiting for the rest', async () => {
    // 64 KB cap; the client would send 64 MB if the server kept reading.
    const total = 1024 * 64 * 1024;
    function* chunks() {
      for (let sent = 0; sent < total; sent += 64 * 1024) yield new Uint8Array(64 * 1024).fill(65);
    }
    const res = await upload(
      { ...uploadHeaders(), 'transfer-encoding': 'chunked' },
      chunks(),
    ).catch((error: unknown) => ({ status: -1, body: String(error), bytesSent: 0 }));
    expect(res.status, res.body).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'too-large' });
    // The answer came while the client was still sending.
    expect(res.bytesSent).toBeLessThan(total);
    expect(imported).toEqual([]);
  });

  it('refuses other media types (415), a missing file name (400) and an empty file (422)', async () => {
    await expectProblem(
      await call('POST', '/api/admin/import', {
        as: 'admin',
        body: 'x',
        headers: { 'content-type': 'multipart/form-data; boundary=x', 'x-file-name': 'aup.docx' },
      }),
      415,
      'unsupported-input',
    );
    await expectProblem(
      await call('POST', '/api/admin/import', {
        as: 'admin',
        body: 'x',
        headers: { 'content-type': 'application/octet-stream' },
      }),
      400,
      'bad-request',
    );
    await expectProblem(
      await call('POST', '/api/admin/import', {
        as: 'admin',
        body: '',
        headers: { 'content-type': 'application/octet-stream', 'x-file-name': 'aup.txt' },
      }),
      422,
      'validation',
    );
    expect(imported).toEqual([]);
  });

  it("maps the importer's refusals: unsupported file 415, unreadable content 422", async () => {
    use({
      importPolicy: (_bytes, fileName) =>
        Promise.reject(
          fileName.endsWith('.pdf')
            ? new CountersignError('unsupported-input', 'PDF files are not supported.')
            : new CountersignError('validation', 'the Word document has no text'),
        ),
    });
    const headers = (name: string) => ({
      'content-type': 'application/octet-stream',
      'x-file-name': name,
    });
    await expectProblem(
      await call('POST', '/api/admin/import', {
        as: 'admin',
        body: '%PDF-1.7',
        headers: headers('aup.pdf'),
      }),
      415,
      'unsupported-input',
    );
    await expectProblem(
      await call('POST', '/api/admin/import', {
        as: 'admin',
        body: 'PK',
        headers: headers('aup.docx'),
      }),
      422,
      'validation',
    );
  });
});

describe('admin', () => {
  it('exports CSV with formulas neutralised and cells quoted properly', async () => {
    service.csv = [
      'Name,UPN,Status,Note',
      '"=HYPERLINK(""http://evil.example"",""Click"")",eve@school.example,due,+44 7700 900123',
      '"Smith, Jo",jo@school.example,signed,"said ""hello""',
      'world"',
      "@SUM(A1:A9),x@school.example,-1,'=already escaped",
      '\tTabbed,t@school.example,due,',
    ].join('\r\n');
    const res = await call('GET', `/api/admin/people.csv?policyKey=${POLICY_KEY}&status=due`, {
      as: 'admin',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="countersign-staff-aup-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    expect(text.split('\r\n')).toEqual([
      'Name,UPN,Status,Note',
      `"'=HYPERLINK(""http://evil.example"",""Click"")",eve@school.example,due,'+44 7700 900123`,
      // A line break inside a quoted cell stays inside it.
      '"Smith, Jo",jo@school.example,signed,"said ""hello""',
      'world"',
      "'@SUM(A1:A9),x@school.example,'-1,'=already escaped",
      `'\tTabbed,t@school.example,due,`,
      '',
    ]);
  });

  it('validates the people query (422) and passes filters to the service', async () => {
    await expectProblem(await call('GET', '/api/admin/people', { as: 'admin' }), 422, 'validation');
    await expectProblem(
      await call('GET', `/api/admin/people?policyKey=${POLICY_KEY}&status=lost`, { as: 'admin' }),
      422,
      'validation',
    );
    await expectProblem(
      await call('GET', `/api/admin/people?policyKey=${POLICY_KEY}&pageSize=5000`, { as: 'admin' }),
      422,
      'validation',
    );
    let seen: unknown;
    service.peopleStatus = (_actor, query) => {
      seen = query;
      return Promise.resolve({
        rows: [],
        total: 0,
        totals: {},
        overall: emptyStatusCounts(),
        people: 0,
      });
    };
    const res = await call(
      'GET',
      `/api/admin/people?policyKey=${POLICY_KEY}&audience=staff&status=overdue&q=%20jo%20&cursor=abc&pageSize=25&audience=`,
      { as: 'admin' },
    );
    expect(res.status).toBe(200);
    expect(seen).toEqual({
      policyKey: POLICY_KEY,
      status: 'overdue',
      search: 'jo',
      cursor: 'abc',
      pageSize: 25,
    });
    // A sort names a column and a direction; either alone takes the other's default.
    await call('GET', `/api/admin/people?policyKey=${POLICY_KEY}&sort=signed&dir=descending`, {
      as: 'admin',
    });
    expect(seen).toEqual({
      policyKey: POLICY_KEY,
      sort: { by: 'signed', direction: 'descending' },
    });
    await call('GET', `/api/admin/people?policyKey=${POLICY_KEY}&sort=status`, { as: 'admin' });
    expect(seen).toEqual({ policyKey: POLICY_KEY, sort: { by: 'status', direction: 'ascending' } });
    await expectProblem(
      await call('GET', `/api/admin/people?policyKey=${POLICY_KEY}&sort=salary`, { as: 'admin' }),
      422,
      'validation',
    );
  });

  it('saves a draft only with a valid document (422 otherwise)', async () => {
    const path = `/api/admin/policies/${POLICY_KEY}/draft`;
    const ok = await call('PUT', path, {
      as: 'admin',
      json: { label: 'Spring 2027', changeKind: 'minor', document: DOCUMENT },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      status: 'draft',
      label: 'Spring 2027',
      changeKind: 'minor',
    });
    const bad = await call('PUT', path, {
      as: 'admin',
      json: { label: 'x', changeKind: 'huge', document: { ...DOCUMENT, sections: 'none' } },
    });
    const problem = await expectProblem(bad, 422, 'validation');
    const paths = (problem['issues'] as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['changeKind', 'document.sections']));
  });

  it('publishing a version that is not a draft is a 409', async () => {
    await expectProblem(
      await call('POST', `/api/admin/policies/${POLICY_KEY}/versions/2/publish`, { as: 'admin' }),
      409,
      'conflict',
    );
  });

  it('answers 503 unavailable on every campaign route when there is no campaign service', async () => {
    use({ campaigns: undefined });
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/admin/campaigns'],
      [
        'POST',
        '/api/admin/campaigns',
        {
          policyKey: POLICY_KEY,
          versionNumber: 2,
          audiences: ['staff'],
          deadline: '2026-12-18T16:00:00Z',
        },
      ],
      ['GET', `/api/admin/campaigns/preview-card?policyKey=${POLICY_KEY}&versionNumber=2`],
      ['POST', '/api/admin/campaigns/send-test', { policyKey: POLICY_KEY, versionNumber: 2 }],
      ['POST', '/api/admin/campaigns/c1/pause'],
      ['POST', '/api/admin/campaigns/c1/resume'],
      ['POST', '/api/admin/campaigns/c1/cancel'],
    ];
    for (const [method, path, json] of routes) {
      await expectProblem(await call(method, path, { as: 'admin', json }), 503, 'unavailable');
    }
    // Still 403 for a non-admin: authorisation comes first.
    await expectProblem(
      await call('GET', '/api/admin/campaigns', { as: 'staff' }),
      403,
      'forbidden',
    );
  });

  it('launches a campaign with the default reminder plan and validates the deadline', async () => {
    const body = {
      policyKey: POLICY_KEY,
      versionNumber: 2,
      audiences: ['staff'],
      deadline: '2026-12-18T16:00:00Z',
    };
    const res = await call('POST', '/api/admin/campaigns', { as: 'admin', json: body });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      reminderDays: [3, 7, 14],
      createdBy: PEOPLE.admin.oid,
    });
    await expectProblem(
      await call('POST', '/api/admin/campaigns', {
        as: 'admin',
        json: { ...body, deadline: 'next Friday' },
      }),
      422,
      'validation',
    );
  });
});

describe('campaigns', () => {
  it('lists campaign records with live delivery counts', async () => {
    const res = await call('GET', '/api/admin/campaigns', { as: 'admin' });
    expect(res.status).toBe(200);
    const [campaign] = (await res.json()) as Record<string, unknown>[];
    expect(campaign).toMatchObject({
      id: 'c1',
      status: 'running',
      counts: { recipients: 10, sent: 5, failed: 1, signed: 0 },
      delivery: { total: 12, skipped: 2 },
      reasons: { 'already-signed': 2, blocked: 1 },
    });
  });

  it('previews the Adaptive Card itself, and sends a test with 202', async () => {
    const card = await call(
      'GET',
      `/api/admin/campaigns/preview-card?policyKey=${POLICY_KEY}&versionNumber=2`,
      { as: 'admin' },
    );
    expect(await card.json()).toEqual({ type: 'AdaptiveCard', version: '1.5', body: [] });
    await expectProblem(
      await call('GET', `/api/admin/campaigns/preview-card?policyKey=${POLICY_KEY}`, {
        as: 'admin',
      }),
      422,
      'validation',
    );
    const sent = await call('POST', '/api/admin/campaigns/send-test', {
      as: 'admin',
      json: { policyKey: POLICY_KEY, versionNumber: 2 },
    });
    expect(sent.status).toBe(202);
    expect(await sent.json()).toEqual({ jobId: 'test/1' });
  });

  it('launches with the deadline in UTC, every audience when none is named', async () => {
    const res = await call('POST', '/api/admin/campaigns', {
      as: 'admin',
      json: { policyKey: POLICY_KEY, versionNumber: 2, deadline: '2026-12-18T17:00:00+01:00' },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { deadline: string; audiences: string[] };
    expect(body.deadline).toBe('2026-12-18T16:00:00.000Z');
    expect(body.audiences).toEqual(['staff']);
  });

  it('answers 404 for an unknown campaign id from the service', async () => {
    await expectProblem(
      await call('POST', '/api/admin/campaigns/nope/pause', { as: 'admin' }),
      404,
      'not-found',
    );
  });
});

describe('approvals', () => {
  const ack = `${POLICY_KEY}:v2:new-starter`;

  it('requires a reason to reject (422) and records the approver from the token', async () => {
    const path = `/api/approvals/${encodeURIComponent(ack)}/decision`;
    await expectProblem(
      await call('POST', path, { as: 'approver', json: { decision: 'rejected', comment: '  ' } }),
      422,
      'validation',
    );
    const res = await call('POST', path, {
      as: 'approver',
      json: { decision: 'approved', additionalPermissions: ['Admin on the MIS'] },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      decision: 'approved',
      approverId: PEOPLE.approver.oid,
      additionalPermissions: ['Admin on the MIS'],
    });
    // Deciding again is a conflict.
    await expectProblem(
      await call('POST', path, { as: 'approver', json: { decision: 'approved' } }),
      409,
      'conflict',
    );
  });

  it('lists each pending signature with the account beside it and the name check', async () => {
    // Two staff sign; the second types the first one's name.
    for (const [person, typedName] of [
      [PEOPLE.staff, 'Sam Staff'],
      [PEOPLE.otherStaff, 'Sam Staff'],
    ] as const) {
      const res = await call('POST', signPath, {
        json: { ...signBody, typedName },
        headers: { authorization: `Bearer ${await tokens.token(person)}` },
      });
      expect(res.status).toBe(201);
    }
    for (const a of service.acks) {
      service.approvals.push({
        acknowledgementId: a.id,
        userId: a.userId,
        decision: 'pending',
        additionalPermissions: [],
      });
    }
    const res = await call('GET', '/api/approvals', { as: 'approver' });
    expect(res.status).toBe(200);
    const pending = (await res.json()) as {
      acknowledgement: { userId: string; typedName: string; displayName: string };
      typedNameDiffers: boolean;
    }[];
    expect(pending.map((p) => [p.acknowledgement.userId, p.typedNameDiffers])).toEqual([
      [PEOPLE.staff.oid, false],
      [PEOPLE.otherStaff.oid, true],
    ]);
  });

  it('decides in bulk, reporting each outcome', async () => {
    const res = await call('POST', '/api/approvals/bulk', {
      as: 'approver',
      json: { acknowledgementIds: [ack, 'staff-aup:v2:nobody', ack], decision: 'approved' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      results: [
        { acknowledgementId: ack, ok: true },
        {
          acknowledgementId: 'staff-aup:v2:nobody',
          ok: false,
          code: 'not-found',
          detail: 'There is no approval for that signature.',
        },
      ],
    });
  });
});

describe('dev identity provider routes', () => {
  it('issues tokens for the demo users that a dev-configured API accepts', async () => {
    const idp = await createDevIdentityProvider({ users: DEV_USERS });
    use({ devIdentityProvider: idp, auth: createTokenVerifier(idp.verifierConfig()) });
    const users = (await (await call('GET', '/dev/users')).json()) as {
      key: string;
      roles: string[];
    }[];
    expect(users.map((u) => [u.key, u.roles])).toEqual([
      ['staff', []],
      ['governor', []],
      ['dsl', ['Policy.Admin']],
      ['head', ['Policy.Approver']],
    ]);
    const issued = await call('POST', '/dev/token', { json: { user: 'dsl' } });
    const { accessToken } = (await issued.json()) as { accessToken: string };
    const me = await fetch(`${server.url}/api/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(await me.json()).toMatchObject({ id: 'dev-dsl', roles: ['Policy.Admin'] });
    const policies = await fetch(`${server.url}/api/admin/policies`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(policies.status).toBe(200);

    await expectProblem(
      await call('POST', '/dev/token', { json: { user: 'root' } }),
      422,
      'validation',
    );
    const config = (await (await call('GET', '/dev/.well-known/openid-configuration')).json()) as {
      jwks_uri: string;
    };
    expect(config.jwks_uri).toBe(`${server.url}/dev/jwks.json`);
    const jwks = (await (await fetch(config.jwks_uri)).json()) as { keys: unknown[] };
    expect(jwks).toEqual(idp.jwks());
  });
});

describe('import with the real importer', () => {
  function useRealImporter(): void {
    service = createFakeService();
    imported = [];
    unexpected = [];
    server.use(
      createApiHandler({
        service,
        importPolicy: importPolicyFile,
        auth: tokens.verifier(),
        log: silentLogger,
      }),
    );
  }
  const headers = (name: string) => ({
    'content-type': 'application/octet-stream',
    'x-file-name': name,
  });

  it('parses an uploaded text AUP into a draft document with a report', async () => {
    useRealImporter();
    const text = [
      'Staff Acceptable Use Policy',
      '1. I will keep my password private.',
      '2. I will lock my screen when I leave my desk.',
      'I have read, understood and agreed to this policy.',
    ].join('\n');
    const res = await call('POST', '/api/admin/import', {
      as: 'admin',
      body: text,
      headers: headers('aup.txt'),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { document: { title: string }; report: unknown };
    expect(body.document.title).toMatch(/Acceptable Use Policy/);
    expect(body.report).toBeDefined();
  });

  it('refuses a PDF (415) and a .docx that is not a Word document (415)', async () => {
    useRealImporter();
    await expectProblem(
      await call('POST', '/api/admin/import', {
        as: 'admin',
        body: '%PDF-1.7 …',
        headers: headers('aup.pdf'),
      }),
      415,
      'unsupported-input',
    );
    await expectProblem(
      await call('POST', '/api/admin/import', {
        as: 'admin',
        body: 'just some text pretending',
        headers: headers('aup.docx'),
      }),
      415,
      'unsupported-input',
    );
  });
});

describe('the response contract (checkResponses)', () => {
  it('answers 500 rather than send a body its route’s schema refuses', async () => {
    const broken = createFakeService();
    broken.myPolicies = () => Promise.resolve([{ policy: 'not a policy' }] as never);
    use({ service: broken });
    await expectProblem(await call('GET', '/api/me/policies', { as: 'staff' }), 500, 'internal');
    expect(String(unexpected[0])).toContain('me.policies answered a body its contract refuses');
  });
});
