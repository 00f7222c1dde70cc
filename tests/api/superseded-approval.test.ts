import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { SharePointRecordStore } from '../../src/adapters/graph/sharepoint-record-store.ts';
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
import type { Acknowledgement } from '../../src/domain/acknowledgement.ts';
import type { Finding } from '../../src/domain/evidence/finding.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { PolicyVersion } from '../../src/domain/policy.ts';
import type { School } from '../../src/domain/school.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import type { Actor } from '../../src/services/actor.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { startApiServer, type TestServer } from './support/api-server.ts';
import { provisionedRecordStore } from './support/provisioned-site.ts';

/**
 * Approvals that close (issue 11): when a person signs again while an earlier signature still
 * waits for a decision, the earlier one is superseded. The API refuses deciding it (409), and
 * the record says so: a signed, chained `approval.superseded` event naming both signatures.
 * Through the real service and the SharePoint record store on the Graph emulator, then
 * `countersign verify`: it holds (exit 0), and a closure the service's key signed but that does
 * not stand (naming someone else's signature, to hide a pending one) is a failure.
 */
const SCHOOL: School = {
  id: 'school-1',
  name: 'Oakfield Primary School',
  timeZone: 'Europe/London',
  audiences: [{ key: 'staff', label: 'Staff', groupIds: ['g-staff'] }],
  approverIds: ['u-head'],
  adminIds: ['u-dsl'],
};
const KEY = 'staff-aup';

const aup = (clause: string): PolicyDocument => ({
  title: 'Staff Acceptable Use Policy',
  sections: [{ heading: 'Use', clauses: [{ number: '1', text: clause, items: [] }] }],
  declaration: 'I have read and agree to the Staff Acceptable Use Policy.',
  consents: [],
  approval: { statement: 'I approve this user to be allocated credentials.' },
});

const PEOPLE = [
  { id: 'u-ana', displayName: 'Ana Okafor', userPrincipalName: 'ana@school.example' },
  { id: 'u-ben', displayName: 'Ben Price', userPrincipalName: 'ben@school.example' },
  { id: 'u-dsl', displayName: 'Dana Lee', userPrincipalName: 'dana@school.example' },
  { id: 'u-head', displayName: 'Helen Head', userPrincipalName: 'helen@school.example' },
];
const actor = (id: string, roles: Actor['roles'] = []): Actor => {
  const person = PEOPLE.find((p) => p.id === id);
  if (person === undefined) throw new Error(id);
  return { id, displayName: person.displayName, upn: person.userPrincipalName, roles };
};
const dsl = actor('u-dsl', ['Policy.Admin']);
const head = actor('u-head', ['Policy.Approver']);

describe('a superseded signature is closed in the record (API, Graph emulator, verify)', () => {
  let emulator: GraphEmulator;
  let records: SharePointRecordStore;
  let service: CountersignService;
  let server: TestServer;
  let idp: DevIdentityProvider;
  let now = new Date('2026-09-01T08:00:00.000Z');
  const keys = memoryEvidenceKeys();
  const dir = mkdtempSync(join(tmpdir(), 'countersign-superseded-'));
  const ringFile = join(dir, 'keys.json');
  let env: Record<string, string>;

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    records = await provisionedRecordStore(emulator, keys.signer);
    await records.putPolicy({
      key: KEY,
      schoolId: SCHOOL.id,
      title: 'Staff Acceptable Use Policy',
      audiences: ['staff'],
      renewal: { kind: 'anniversary', months: 12 },
      approvalMode: 'every-signature',
    });
    service = createCountersignService({
      records,
      directory: new MemoryDirectory({
        people: PEOPLE,
        groups: [{ id: 'g-staff', members: ['u-ana', 'u-ben', 'u-dsl', 'u-head'] }],
      }),
      clock: { now: () => now },
      sealKey: 'superseded-tests-seal-key-0123456789abcdef01',
      evidence: keys,
      school: SCHOOL,
      readCache: false,
    });
    idp = await createDevIdentityProvider({
      users: [
        { key: 'head', ...actor('u-head'), roles: DEV_USER_ROLES.head },
        { key: 'dsl', ...actor('u-dsl'), roles: DEV_USER_ROLES.dsl },
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

  async function publish(label: string, clause: string): Promise<PolicyVersion> {
    const draft = await service.saveDraft(dsl, {
      policyKey: KEY,
      label,
      changeKind: 'material',
      document: aup(clause),
    });
    return service.publish(dsl, KEY, draft.number);
  }

  async function sign(id: string, version: PolicyVersion): Promise<Acknowledgement> {
    now = new Date(now.getTime() + 3_600_000);
    const outcome = await service.sign(actor(id), {
      policyKey: KEY,
      versionNumber: version.number,
      contentHash: version.contentHash,
      declarationAccepted: true,
      typedName: actor(id).displayName,
      statedRole: 'Teacher',
      consents: {},
      channel: 'tab',
    });
    if (outcome.kind !== 'signed') throw new Error('expected a signature');
    return outcome.acknowledgement;
  }

  async function verify(): Promise<{ code: number; findings: Finding[] }> {
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), env };
    const code = await runCli(['verify', '--keys', ringFile, '--json'], io);
    const report = JSON.parse(out.join('')) as { evidence: { findings: Finding[] } };
    return { code, findings: report.evidence.findings };
  }

  it('closes the earlier pending signature with a signed event, refuses deciding it, and verify holds; a closure that does not stand fails', async () => {
    const v1 = await publish('Spring 2026', 'I will keep my password private.');
    const first = await sign('u-ana', v1);
    const bens = await sign('u-ben', v1);
    expect(first.approvalState).toBe('pending');
    // A material version while Ana's first signature waits: she signs it too.
    const v2 = await publish('Autumn 2026', 'I will keep my password private and lock my screen.');
    const second = await sign('u-ana', v2);
    expect(second.approvalState).toBe('pending');

    // One item for Ana: her latest signature (and Ben's, never superseded).
    expect((await service.pendingApprovals(head)).map((p) => p.acknowledgement.id).sort()).toEqual(
      [bens.id, second.id].sort(),
    );
    // The API refuses deciding the superseded one, naming the newer.
    const response = await fetch(
      `${server.url}/api/approvals/${encodeURIComponent(first.id)}/decision`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await idp.issueToken('head')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ decision: 'approved' }),
      },
    );
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ details: { supersededBy: second.id } });

    // The record says so, once: a repeat of the newer signature writes no second closure.
    await sign('u-ana', v2);
    const closures = await records.listAudit({ type: 'approval.superseded' });
    expect(closures.map((e) => [e.id, e.subject, e.actorId, e.details])).toEqual([
      [
        `${first.id}:superseded`,
        first.id,
        'u-ana',
        { supersededBy: second.id, userId: 'u-ana', policyKey: KEY },
      ],
    ]);

    const held = await verify();
    expect(held.findings).toEqual([]);
    expect(held.code).toBe(0);

    // Ana's page for the DSL reads the closure: her first signature is closed as superseded,
    // never "waiting for approval"; her latest one waits; Ben's (never superseded) waits.
    const page = async (userId: string) => {
      const answer = await fetch(
        `${server.url}/api/admin/people/${userId}?policyKey=${encodeURIComponent(KEY)}`,
        { headers: { authorization: `Bearer ${await idp.issueToken('dsl')}` } },
      );
      expect(answer.status).toBe(200);
      return (await answer.json()) as {
        signatures: {
          acknowledgement: { id: string };
          approvalState: string;
          approvalWords: string;
          supersededBy?: string;
        }[];
      };
    };
    const anas = (await page('u-ana')).signatures;
    expect(anas.map((s) => [s.acknowledgement.id, s.approvalState, s.supersededBy])).toEqual([
      [second.id, 'pending', undefined],
      [first.id, 'superseded', second.id],
    ]);
    expect(anas[1]?.approvalWords).toMatch(
      /^Closed without a decision: superseded by the signature of .+ \(version Autumn 2026\); only the latest signature is decided$/,
    );
    expect(anas[1]?.approvalWords).not.toContain('Awaiting approval');
    expect((await page('u-ben')).signatures.map((s) => s.approvalState)).toEqual(['pending']);

    // A closure signed with the service's key but unfounded: it names Ana's signature as what
    // superseded Ben's, to take Ben's pending signature out of sight. Verify names it.
    await records.appendAudit([
      {
        id: 'forged-closure',
        type: 'approval.superseded',
        actorId: 'u-ben',
        at: now.toISOString(),
        subject: bens.id,
        details: { supersededBy: second.id, userId: 'u-ben', policyKey: KEY },
      },
    ]);
    const caught = await verify();
    expect(caught.code).not.toBe(0);
    expect(caught.findings.map((f) => [f.code, f.severity, f.subject.id])).toEqual([
      ['closure-unfounded', 'failure', 'forged-closure'],
    ]);
    expect(caught.findings[0]?.message).toContain(
      `the newer signature ${second.id} is someone else's`,
    );
    // The page does not take an unfounded closure's word for it: Ben's signature still waits.
    expect((await page('u-ben')).signatures.map((s) => s.approvalState)).toEqual(['pending']);
  });
});
