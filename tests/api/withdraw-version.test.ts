import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { createTokenVerifier } from '../../src/api/auth/token-verifier.ts';
import { createApiHandler } from '../../src/api/create-api-handler.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import {
  createDevIdentityProvider,
  DEV_USER_ROLES,
  type DevIdentityProvider,
} from '../../src/dev/identity/dev-identity-provider.ts';
import type { Finding } from '../../src/domain/evidence/finding.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { School } from '../../src/domain/school.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import type { Actor } from '../../src/services/actor.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { startApiServer, type TestServer } from './support/api-server.ts';
import { provisionedRecordStore } from './support/provisioned-site.ts';

/**
 * Publishing without fear (issue 11), through the API as the tab calls it, over the real
 * service and the SharePoint record store on the Graph emulator: the confirmation's counts per
 * audience, then a withdrawal, then `countersign verify` over what it left.
 */
const SCHOOL: School = {
  id: 'school-1',
  name: 'Oakfield Primary School',
  timeZone: 'Europe/London',
  audiences: [
    { key: 'staff', label: 'Staff', groupIds: ['g-staff'] },
    { key: 'governors', label: 'Governors', groupIds: ['g-governors'] },
  ],
  approverIds: [],
  adminIds: ['u-dsl'],
};
const KEY = 'staff-aup';

function aup(passwordClause: string): PolicyDocument {
  return {
    title: 'Staff Acceptable Use Policy',
    sections: [
      {
        heading: 'My use of school systems',
        clauses: [
          { number: '1', text: 'I will only use school systems for school purposes.', items: [] },
          { number: '2', text: passwordClause, items: [] },
        ],
      },
    ],
    declaration: 'I have read, understood and agree to the Staff Acceptable Use Policy.',
    consents: [],
    approval: null,
  };
}

const PEOPLE = [
  { id: 'u-alex', displayName: 'Alex Signed-Both', userPrincipalName: 'alex@school.example' },
  { id: 'u-bea', displayName: 'Bea Only-Withdrawn', userPrincipalName: 'bea@school.example' },
  { id: 'u-cy', displayName: 'Cy Governor', userPrincipalName: 'cy@school.example' },
  { id: 'u-dee', displayName: 'Dee Never', userPrincipalName: 'dee@school.example' },
  { id: 'u-dsl', displayName: 'Dana Lee', userPrincipalName: 'dana.lee@school.example' },
  { id: 'u-staff', displayName: 'Sam Patel', userPrincipalName: 'sam.patel@school.example' },
];

const actor = (id: string, roles: Actor['roles'] = []): Actor => {
  const person = PEOPLE.find((p) => p.id === id);
  if (person === undefined) throw new Error(id);
  return { id, displayName: person.displayName, upn: person.userPrincipalName, roles };
};
const dsl = actor('u-dsl', ['Policy.Admin']);

describe('publish confirmation and withdrawal (API, Graph emulator)', () => {
  let emulator: GraphEmulator;
  let service: CountersignService;
  let server: TestServer;
  let idp: DevIdentityProvider;
  let now = new Date('2026-09-01T08:00:00.000Z');
  const keys = memoryEvidenceKeys();
  const dir = mkdtempSync(join(tmpdir(), 'countersign-withdraw-'));
  const ringFile = join(dir, 'keys.json');
  let env: Record<string, string>;

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    const records = await provisionedRecordStore(emulator);
    // No approvals here: what a withdrawal does to signatures, not to decisions.
    await records.putPolicy({
      key: KEY,
      schoolId: SCHOOL.id,
      title: 'Staff Acceptable Use Policy',
      audiences: ['staff', 'governors'],
      renewal: { kind: 'anniversary', months: 12 },
      approvalMode: 'none',
    });
    const directory = new MemoryDirectory({
      people: PEOPLE,
      groups: [
        { id: 'g-staff', members: ['u-alex', 'u-bea', 'u-dee', 'u-dsl', 'u-staff'] },
        { id: 'g-governors', members: ['u-cy'] },
      ],
    });
    service = createCountersignService({
      records,
      directory,
      clock: { now: () => now },
      sealKey: 'withdraw-tests-seal-key-0123456789abcdef0123',
      evidence: keys,
      school: SCHOOL,
      readCache: false,
    });
    idp = await createDevIdentityProvider({
      users: [
        { key: 'dsl', ...actor('u-dsl'), roles: DEV_USER_ROLES.dsl },
        { key: 'staff', ...actor('u-staff'), roles: DEV_USER_ROLES.staff },
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
    writeFileSync(ringFile, JSON.stringify(keys.keyRing));
    env = { COUNTERSIGN_GRAPH_BASE_URL: emulator.url, COUNTERSIGN_SITE: emulator.siteId };
  });
  afterAll(async () => {
    await server.close();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(
    who: 'dsl' | 'staff',
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await idp.issueToken(who)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  }

  async function sign(id: string, at: string): Promise<void> {
    now = new Date(at);
    const [view] = (await service.myPolicies(actor(id))).filter((v) => v.policy.key === KEY);
    if (view === undefined) throw new Error(`${id} has nothing to sign`);
    const outcome = await service.sign(actor(id), {
      policyKey: KEY,
      versionNumber: view.version.number,
      contentHash: view.version.contentHash,
      declarationAccepted: true,
      typedName: actor(id).displayName,
      statedRole: 'Teacher',
      consents: {},
      channel: 'tab',
    });
    expect(outcome.kind).toBe('signed');
  }

  async function statuses(): Promise<Record<string, unknown>> {
    const page = await call('dsl', 'GET', `/api/admin/people?policyKey=${KEY}&pageSize=50`);
    expect(page.status).toBe(200);
    const rows = (page.body as { rows: { id: string; statuses: Record<string, unknown> }[] }).rows;
    return Object.fromEntries(rows.map((r) => [r.id, r.statuses[KEY]]));
  }

  it('confirms with counts per audience, then withdraws a mistaken version: nobody signs twice, nothing is deleted, verify holds', async () => {
    // Version 1, signed by Alex and Cy.
    const v1 = await service.saveDraft(dsl, {
      policyKey: KEY,
      label: 'Spring 2026',
      changeKind: 'material',
      document: aup('I will keep my password private.'),
    });
    await service.publish(dsl, KEY, v1.number);
    await sign('u-alex', '2026-09-02T08:00:00.000Z');
    await sign('u-cy', '2026-09-02T09:00:00.000Z');

    // Version 2, material: the confirmation says who will have to sign again, per audience.
    now = new Date('2026-09-10T08:00:00.000Z');
    const v2 = await service.saveDraft(dsl, {
      policyKey: KEY,
      label: 'Autumn 2026',
      changeKind: 'material',
      document: aup('I will share my password with the office.'),
    });
    const preview = await call(
      'dsl',
      'GET',
      `/api/admin/policies/${KEY}/versions/${v2.number}/publish-preview`,
    );
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      versionNumber: v2.number,
      changeKind: 'material',
      fromVersion: 1,
      summary: '1 new clause, 1 removed',
      audiences: [
        {
          audience: 'staff',
          label: 'Staff',
          people: 5,
          mustSignAgain: 1,
          stillToSign: 4,
          signedAgain: 0,
        },
        {
          audience: 'governors',
          label: 'Governors',
          people: 1,
          mustSignAgain: 1,
          stillToSign: 0,
          signedAgain: 0,
        },
      ],
    });
    expect(
      (
        await call(
          'staff',
          'GET',
          `/api/admin/policies/${KEY}/versions/${v2.number}/publish-preview`,
        )
      ).status,
    ).toBe(403);
    expect(
      (await call('dsl', 'POST', `/api/admin/policies/${KEY}/versions/${v2.number}/publish`))
        .status,
    ).toBe(200);

    // While it stands, Alex signs it again and Bea (who had never signed) signs it.
    await sign('u-alex', '2026-09-11T08:00:00.000Z');
    await sign('u-bea', '2026-09-11T09:00:00.000Z');

    // Only an admin withdraws, only with a reason, only the current version.
    const path = `/api/admin/policies/${KEY}/versions/2/withdraw`;
    const reason = { reason: 'Published the wrong draft: clause 2 was reversed.' };
    expect((await call('staff', 'POST', path, reason)).status).toBe(403);
    expect((await call('dsl', 'POST', path, { reason: '  ' })).status).toBe(422);
    expect(
      (await call('dsl', 'POST', `/api/admin/policies/${KEY}/versions/1/withdraw`, reason)).status,
    ).toBe(409);

    // Before confirming, the dialog shows who is affected: computed as the withdrawal computes
    // it, nothing written.
    const previewPath = `/api/admin/policies/${KEY}/versions/2/withdraw-preview`;
    expect((await call('staff', 'GET', previewPath)).status).toBe(403);
    expect(
      (await call('dsl', 'GET', `/api/admin/policies/${KEY}/versions/1/withdraw-preview`)).status,
    ).toBe(409);
    const beforeWithdrawing = await call('dsl', 'GET', previewPath);
    expect(beforeWithdrawing.status).toBe(200);
    expect(beforeWithdrawing.body).toMatchObject({
      withdrawn: { number: 2, status: 'published' },
      restored: { number: 1, status: 'retired' },
      audiences: [
        { audience: 'staff', people: 5, mustSignAgain: 0, stillToSign: 3, signedAgain: 0 },
        { audience: 'governors', people: 1, signedAgain: 1 },
      ],
    });
    expect(
      ((await call('dsl', 'GET', '/api/admin/policies')).body as { versions: unknown[] }[])[0]
        ?.versions,
    ).toContainEqual(expect.objectContaining({ number: 2, status: 'published' }));

    now = new Date('2026-09-12T08:00:00.000Z');
    const withdrawn = await call('dsl', 'POST', path, reason);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({
      withdrawn: { number: 2, status: 'withdrawn' },
      restored: { number: 1, status: 'published' },
      audiences: [
        { audience: 'staff', people: 5, mustSignAgain: 0, stillToSign: 3, signedAgain: 0 },
        { audience: 'governors', people: 1, signedAgain: 1 },
      ],
    });
    expect((await call('dsl', 'POST', path, reason)).status).toBe(409);

    const after = await statuses();
    // Signed version 1 (and version 2): signed on version 1, from that signature.
    expect(after['u-alex']).toEqual({
      kind: 'signed',
      versionNumber: 1,
      signedAt: '2026-09-02T08:00:00.000Z',
      validUntil: '2027-09-02T08:00:00.000Z',
    });
    // Signed only the withdrawn version: it stands for version 1.
    expect(after['u-bea']).toMatchObject({ kind: 'signed', versionNumber: 2, standsFor: 1 });
    // Signed version 1 and never version 2: signed again.
    expect(after['u-cy']).toMatchObject({ kind: 'signed', versionNumber: 1 });
    expect(after['u-dee']).toEqual({ kind: 'due', reason: 'never-signed', versionNumber: 1 });

    // History keeps version 2, marked withdrawn; its signatures stay in the record.
    const policies = await call('dsl', 'GET', '/api/admin/policies');
    const [entry] = policies.body as { versions: { number: number; status: string }[] }[];
    expect(entry?.versions.map((v) => [v.number, v.status])).toEqual([
      [1, 'published'],
      [2, 'withdrawn'],
    ]);
    const history = await service.myHistory(actor('u-alex'));
    expect(history.map((a) => a.versionNumber).sort()).toEqual([1, 2]);

    // In the audit log as a signed, chained event, and verify holds over all of it.
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), env };
    const code = await runCli(['verify', '--keys', ringFile, '--json'], io);
    const report = JSON.parse(out.join('')) as {
      evidence: { findings: Finding[]; counts: { auditEvents: { rows: number; holding: number } } };
    };
    expect(report.evidence.findings).toEqual([]);
    expect(code).toBe(0);
    expect(report.evidence.counts.auditEvents.holding).toBe(
      report.evidence.counts.auditEvents.rows,
    );
  });
});
