import type { EvidenceSigner } from '../src/domain/evidence/evidence-signer.ts';
import {
  createGraphAdapters,
  type GraphAdapters,
} from '../src/adapters/graph/create-graph-adapters.ts';
import { provisionSite } from '../src/adapters/graph/provision.ts';
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
