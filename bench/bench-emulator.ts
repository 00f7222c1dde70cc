import type { EvidenceSigner } from '../src/domain/evidence/evidence-signer.ts';
import {
  createGraphAdapters,
  type GraphAdapters,
} from '../src/adapters/graph/create-graph-adapters.ts';
import type { BatchCall, GraphGateway } from '../src/adapters/graph/graph-gateway.ts';
import { provisionSite } from '../src/adapters/graph/provision.ts';
import { acknowledgementFields } from '../src/adapters/graph/sharepoint-rows.ts';
import { acknowledgementId } from '../src/domain/acknowledgement.ts';
import { sealAcknowledgement } from '../src/domain/seal.ts';
import type { AuditEvent } from '../src/domain/audit-event.ts';
import { contentHash } from '../src/domain/content-hash.ts';
import type { Policy, PolicyVersion } from '../src/domain/policy.ts';
import { DEMO_SCHOOL } from '../src/dev/demo/demo-school.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../src/dev/graph-emulator/graph-emulator.ts';
import { emulatorAppToken } from '../src/adapters/graph/emulator-app-token.ts';

/** Shared set-up of the Graph benchmarks: an emulator with the lists and one published AUP. */

export const BENCH_SEAL_KEY = 'bench-seal-key-0123456789abcdef0123456789abcdef';
export const POLICY_KEY = 'staff-aup';

export function flag(args: string[], name: string): boolean {
  return args.includes(`--${name}`);
}

export function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  const raw = at >= 0 ? args[at + 1] : undefined;
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} needs a positive integer`);
  return value;
}

export function benchPolicy(schoolId: string): Policy {
  return {
    key: POLICY_KEY,
    schoolId,
    title: 'Staff Acceptable Use Policy',
    audiences: ['staff'],
    renewal: { kind: 'anniversary', months: 12 },
    approvalMode: 'none',
  };
}

export function benchVersion(): PolicyVersion {
  return {
    policyKey: POLICY_KEY,
    number: 1,
    label: '2026-27',
    status: 'published',
    changeKind: 'material',
    publishedAt: '2026-09-01T07:00:00.000Z',
    document: DEMO_SCHOOL.aup,
    contentHash: contentHash(DEMO_SCHOOL.aup),
  };
}

export function benchAudit(subject: string): AuditEvent {
  return {
    id: crypto.randomUUID(),
    type: 'policy.saved',
    actorId: DEMO_SCHOOL.dsl.id,
    at: new Date().toISOString(),
    subject,
    details: {},
  };
}

/** Starts an emulator (file or memory), provisions the lists and publishes the AUP. */
export async function startBenchEmulator(
  dbPath: string,
  seed: 'demo' | 'none',
  /** Signs and chains the audit events, as the service does (bench:sign). */
  evidenceSigner?: EvidenceSigner,
): Promise<{ emulator: GraphEmulator; graph: GraphAdapters }> {
  const emulator = await startGraphEmulator({ dbPath, seed });
  const graph = createGraphAdapters({
    baseUrl: emulator.url,
    accessToken: emulatorAppToken,
    site: emulator.siteId,
    ...(evidenceSigner === undefined ? {} : { evidenceSigner }),
  });
  await provisionSite(graph.gateway, graph.records.site);
  await graph.records.putPolicy(benchPolicy(DEMO_SCHOOL.school.id));
  await graph.records.createVersion(benchVersion(), benchAudit(`${POLICY_KEY}:v1`));
  await graph.records.warmUp();
  return { emulator, graph };
}

/** One seeded signature: `i` numbers the person (their name, UPN and signing second). */
export interface SeededSignature {
  policyKey: string;
  version: Pick<PolicyVersion, 'number' | 'contentHash'>;
  userId: string;
  i: number;
}

/**
 * Writes signatures as the service stores them (sealed with BENCH_SEAL_KEY), in `$batch`es of
 * 20, eight batches at a time: set-up, not what a benchmark counts.
 */
export async function seedSignatures(
  gateway: GraphGateway,
  acknowledgementsPath: string,
  signatures: readonly SeededSignature[],
): Promise<void> {
  const items = `${acknowledgementsPath}/items`;
  const calls: BatchCall[] = signatures.map(({ policyKey, version, userId, i }, n) => {
    const fields = {
      policyKey,
      versionNumber: version.number,
      contentHash: version.contentHash,
      userId,
      upn: `person${i}@bench.example`,
      displayName: `Person ${i}`,
      typedName: `Person ${i}`,
      statedRole: 'Teaching assistant',
      signedAt: new Date(Date.UTC(2026, 8, 2, 8, 0, 0) + i * 1000).toISOString(),
      channel: 'tab' as const,
      consents: { photo: i % 2 === 0 },
    };
    const ack = {
      ...fields,
      id: acknowledgementId(policyKey, version.number, userId),
      approvalState: 'not-required' as const,
      seal: sealAcknowledgement(fields, BENCH_SEAL_KEY),
    };
    return {
      id: String(n),
      method: 'POST',
      url: items,
      body: { fields: acknowledgementFields(ack, crypto.randomUUID()) },
    };
  });
  const batches: BatchCall[][] = [];
  for (let i = 0; i < calls.length; i += 20) batches.push(calls.slice(i, i + 20));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) {
        const batch = batches[next++] ?? [];
        const replies = await gateway.batch(batch);
        for (const reply of replies.values()) {
          if (reply.status !== 201) throw new Error(`seeding failed: ${reply.status}`);
        }
      }
    }),
  );
}
