import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyClient } from '@azure/keyvault-keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKeyVaultEvidenceKeys } from '../../src/adapters/evidence-keys/key-vault-evidence-keys.ts';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../src/adapters/graph/sharepoint-record-store.ts';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import {
  startKeyVaultEmulator,
  type KeyVaultEmulator,
} from '../../src/dev/key-vault-emulator/key-vault-emulator.ts';
import type { Finding } from '../../src/domain/evidence/finding.ts';
import type { KeyRing } from '../../src/domain/evidence/key-ring.ts';
import type { PolicyVersion } from '../../src/domain/policy.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { School } from '../../src/domain/school.ts';
import type { EvidenceKeys } from '../../src/ports/evidence-keys.ts';
import type { Actor } from '../../src/services/actor.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { emulatorGateway } from '../support/emulator-graph.ts';

// Signing, a Key Vault key rotation, signing again; then `countersign verify` with nothing but
// the ring the service publishes (GET /api/evidence/keys returns `evidence.keyRing`).
const MINUTE = 60_000;
// Whole seconds (Key Vault's precision), two days back so the SDK's not-before check against the
// real clock never interferes with the test clock.
const T0 = Math.floor((Date.now() - 2 * 24 * 60 * MINUTE) / 1000) * 1000;
const clientOptions = { disableChallengeResourceVerification: true, allowInsecureConnection: true };

const school: School = {
  id: 'oakfield',
  name: 'Oakfield Primary',
  timeZone: 'Europe/London',
  audiences: [{ key: 'staff', label: 'Staff', groupIds: ['g-staff'] }],
  approverIds: ['u-head'],
  adminIds: ['u-dsl'],
};
const doc: PolicyDocument = {
  title: 'Staff Acceptable Use Policy',
  sections: [
    {
      heading: 'Using school systems',
      clauses: [{ number: '1', text: 'I will use school systems for school work.', items: [] }],
    },
  ],
  declaration: 'I have read, understood and agree to this policy.',
  consents: [],
  approval: null,
};
const actor = (id: string, name: string, roles: Actor['roles'] = []): Actor => ({
  id,
  displayName: name,
  upn: `${id}@oakfield.example`,
  roles,
});
const dsl = actor('u-dsl', 'Dee Safeguard', ['Policy.Admin']);

describe('evidence key rotation in Key Vault, end to end', () => {
  let graph: GraphEmulator;
  let vault: KeyVaultEmulator;
  let evidence: EvidenceKeys;
  let service: CountersignService;
  let version: PolicyVersion;
  let nowMs = T0;
  const clock = { now: () => new Date(nowMs) };
  const dir = mkdtempSync(join(tmpdir(), 'countersign-rotation-'));

  beforeAll(async () => {
    graph = await startGraphEmulator({ seed: 'none' });
    vault = await startKeyVaultEmulator({ now: clock.now });
    const admin = new KeyClient(vault.url, vault.credential, clientOptions);
    await admin.createEcKey('evidence-signing', { curve: 'P-256', keyOps: ['sign', 'verify'] });
    nowMs += MINUTE;
    evidence = await openKeyVaultEvidenceKeys({
      keyUrl: `${vault.url}/keys/evidence-signing`,
      credential: vault.credential,
      clock,
      clientOptions,
    });
    const gateway = emulatorGateway(graph);
    const records = new SharePointRecordStore({
      gateway,
      site: graph.siteId,
      evidenceSigner: evidence.signer,
    });
    await provisionSite(gateway, records.site);
    const people = ['u-ana', 'u-ben', 'u-dsl', 'u-head'];
    let n = 0;
    service = createCountersignService({
      records,
      directory: new MemoryDirectory({
        people: people.map((id) => ({ id, displayName: id, userPrincipalName: `${id}@x` })),
        groups: [{ id: 'g-staff', members: people }],
      }),
      clock,
      sealKey: 'test-seal-key-0123456789abcdef0123456789abcdef',
      evidence,
      school,
      newId: () => `evt-${++n}`,
    });
    await records.putPolicy({
      key: 'staff-aup',
      schoolId: school.id,
      title: doc.title,
      audiences: ['staff'],
      renewal: { kind: 'fixed-date', month: 9, day: 1 },
      approvalMode: 'none',
    });
  });
  afterAll(async () => {
    await graph.close();
    await vault.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function verify(ring: KeyRing): Promise<{ code: number; findings: Finding[] }> {
    const ringFile = join(dir, `ring-${ring.keys.length}.json`);
    writeFileSync(ringFile, JSON.stringify(ring));
    const out: string[] = [];
    const code = await runCli(['verify', '--keys', ringFile, '--json'], {
      stdout: (t) => out.push(t),
      stderr: () => undefined,
      env: { COUNTERSIGN_GRAPH_BASE_URL: graph.url, COUNTERSIGN_SITE: graph.siteId },
    });
    const report = JSON.parse(out.join('')) as { evidence: { findings: Finding[] } };
    return { code, findings: report.evidence.findings };
  }

  async function sign(id: string, name: string) {
    const outcome = await service.sign(actor(id, name), {
      policyKey: 'staff-aup',
      versionNumber: version.number,
      contentHash: version.contentHash,
      declarationAccepted: true,
      typedName: name,
      statedRole: 'Teacher',
      consents: {},
      channel: 'tab',
    });
    if (outcome.kind !== 'signed') throw new Error('signed expected');
    return outcome;
  }

  it('verifies records signed before and after the rotation with the published ring', async () => {
    const draft = await service.saveDraft(dsl, {
      policyKey: 'staff-aup',
      label: '2026-27',
      changeKind: 'material',
      document: doc,
    });
    version = await service.publish(dsl, 'staff-aup', draft.number);
    nowMs += MINUTE;
    await sign('u-ana', 'Ana Okafor');
    const v1 = evidence.signer.kid;

    // The rotation, as infra/README.md says: a new version with a not-before 10 minutes ahead.
    nowMs = T0 + 60 * MINUTE;
    const admin = new KeyClient(vault.url, vault.credential, clientOptions);
    const rotation = new Date(T0 + 70 * MINUTE);
    const v2 = (
      await admin.createEcKey('evidence-signing', {
        curve: 'P-256',
        keyOps: ['sign', 'verify'],
        notBefore: rotation,
      })
    ).id;
    nowMs = rotation.getTime() + MINUTE;
    await sign('u-ben', 'Ben Walsh');
    expect(evidence.signer.kid).toBe(v2);
    expect(v2).not.toBe(v1);

    const published = JSON.parse(JSON.stringify(evidence.keyRing)) as KeyRing;
    expect(published.keys.map((k) => [k.kid, k.validTo])).toEqual([
      [v1, rotation.toISOString()],
      [v2, undefined],
    ]);
    const both = await verify(published);
    expect(both.findings).toEqual([]);
    expect(both.code).toBe(0);

    // Without the new version, what it signed (Ben's acknowledgement and its audit event) fails.
    const before = await verify({ keys: published.keys.slice(0, 1) });
    expect(before.code).toBe(1);
    const unknown = before.findings.filter((f) => f.code === 'unknown-key');
    expect(unknown.map((f) => f.subject.list).sort()).toEqual(['acknowledgements', 'auditEvents']);
    expect(unknown.every((f) => f.code === 'unknown-key' && f.kid === v2)).toBe(true);
  });
});
