import { shardOf } from '../src/domain/evidence/shard.ts';
import { signRecord } from '../src/domain/evidence/evidence-signer.ts';
import { acknowledgementId } from '../src/domain/acknowledgement.ts';
import { sealAcknowledgement } from '../src/domain/seal.ts';
import { DEMO_SCHOOL } from '../src/dev/demo/demo-school.ts';
import { createCountersignService } from '../src/services/create-countersign-service.ts';
import {
  BENCH_SEAL_KEY,
  POLICY_KEY,
  benchVersion,
  flag,
  startBenchEmulator,
} from './bench-emulator.ts';
import { memoryEvidenceKeys } from '../src/adapters/evidence-keys/local-evidence-keys.ts';

/**
 * The Graph cost of one signature (DESIGN.md §5: one round trip, a `$batch`).
 *
 *   npm run bench:sign -- --json
 *
 * graphRoundTrips: HTTP requests RecordStore.recordSignature sent (the write: acknowledgement
 * and audit event in one `$batch`); resourceUnits and innerRequests: the emulator's count for it.
 * serviceGraphRequests: the whole "sign" use case on a cold instance (it first reads the policy,
 * versions, the person's groups and acknowledgements, in parallel, then writes);
 * warmServiceGraphRequests: the same once the instance's read cache holds the policy and the
 * person's memberships (the person's own acknowledgements are always read fresh).
 */
const args = process.argv.slice(2);
// The service's evidence key: acknowledgements signed, audit events signed into their chains.
const evidence = memoryEvidenceKeys();
const { emulator, graph } = await startBenchEmulator(':memory:', 'demo', evidence.signer);
try {
  const version = benchVersion();
  const person = DEMO_SCHOOL.staff[5] ?? DEMO_SCHOOL.dsl;
  const fields = {
    policyKey: POLICY_KEY,
    versionNumber: version.number,
    contentHash: version.contentHash,
    userId: person.id,
    upn: person.userPrincipalName,
    displayName: person.displayName,
    typedName: person.displayName,
    statedRole: person.jobTitle,
    signedAt: new Date().toISOString(),
    channel: 'tab' as const,
    consents: { photo: true },
  };
  const ack = {
    ...fields,
    id: acknowledgementId(POLICY_KEY, version.number, person.id),
    approvalState: 'not-required' as const,
    seal: sealAcknowledgement(fields, BENCH_SEAL_KEY),
  };
  const signed = await signRecord(evidence.signer, {
    ...fields,
    kind: 'acknowledgement',
    id: ack.id,
    approvalAtSigning: 'not-required',
  });
  const event = (subject: string, at: string) => ({
    id: crypto.randomUUID(),
    type: 'acknowledgement.signed' as const,
    actorId: person.id,
    at,
    subject,
    details: {},
  });
  // The shard's head is already known to this instance (as after its first write there), so
  // the write is the batch alone; a shard it has not written yet costs one read of its head.
  await graph.records.appendAudit([event(ack.id, fields.signedAt)]);
  emulator.resetCounters();
  const before = graph.gateway.roundTrips;
  const started = performance.now();
  const result = await graph.records.recordSignature(ack, event(ack.id, fields.signedAt), signed);
  const ms = Math.round(performance.now() - started);
  const graphRoundTrips = graph.gateway.roundTrips - before;
  const write = emulator.counters();

  // The same through the service, for a second person (reads + the write).
  const other = DEMO_SCHOOL.staff[6] ?? DEMO_SCHOOL.itLead;
  const service = createCountersignService({
    records: graph.records,
    directory: graph.directory,
    clock: { now: () => new Date() },
    sealKey: BENCH_SEAL_KEY,
    evidence,
    school: DEMO_SCHOOL.school,
  });
  emulator.resetCounters();
  const serviceBefore = graph.gateway.roundTrips;
  const outcome = await service.sign(
    { id: other.id, upn: other.userPrincipalName, displayName: other.displayName, roles: [] },
    {
      policyKey: POLICY_KEY,
      versionNumber: version.number,
      contentHash: version.contentHash,
      declarationAccepted: true,
      typedName: other.displayName,
      statedRole: other.jobTitle,
      consents: { photo: false },
      channel: 'card',
    },
  );
  const serviceGraphRequests = graph.gateway.roundTrips - serviceBefore;
  const serviceCounters = emulator.counters();

  // A third person signing on the same instance: policy, versions and (for this person, after
  // the first status check) memberships come from the read cache, as they do in a campaign.
  const third = DEMO_SCHOOL.staff[7] ?? DEMO_SCHOOL.officeManager;
  const thirdActor = {
    id: third.id,
    upn: third.userPrincipalName,
    displayName: third.displayName,
    roles: [],
  };
  await service.myPolicies(thirdActor);
  emulator.resetCounters();
  const warmBefore = graph.gateway.roundTrips;
  const warm = await service.sign(thirdActor, {
    policyKey: POLICY_KEY,
    versionNumber: version.number,
    contentHash: version.contentHash,
    declarationAccepted: true,
    typedName: third.displayName,
    statedRole: third.jobTitle,
    consents: {},
    channel: 'card',
  });
  const warmGraphRequests = graph.gateway.roundTrips - warmBefore;
  const warmCounters = emulator.counters();

  // A fourth person whose signature falls in the same shard as the third's: the head is known.
  const thirdShard = shardOf(acknowledgementId(POLICY_KEY, version.number, third.id));
  const fourth =
    DEMO_SCHOOL.staff.find(
      (p, i) =>
        i > 7 && shardOf(acknowledgementId(POLICY_KEY, version.number, p.id)) === thirdShard,
    ) ?? DEMO_SCHOOL.staff[8];
  let knownShardGraphRequests: number | null = null;
  if (fourth !== undefined) {
    const fourthActor = {
      id: fourth.id,
      upn: fourth.userPrincipalName,
      displayName: fourth.displayName,
      roles: [],
    };
    await service.myPolicies(fourthActor);
    const knownBefore = graph.gateway.roundTrips;
    await service.sign(fourthActor, {
      policyKey: POLICY_KEY,
      versionNumber: version.number,
      contentHash: version.contentHash,
      declarationAccepted: true,
      typedName: fourth.displayName,
      statedRole: fourth.jobTitle,
      consents: {},
      channel: 'card',
    });
    knownShardGraphRequests = graph.gateway.roundTrips - knownBefore;
  }

  const report = {
    graphRoundTrips,
    resourceUnits: write.resourceUnits,
    innerRequests: write.batchedRequests,
    created: result.created,
    ms,
    serviceGraphRequests,
    serviceResourceUnits: serviceCounters.resourceUnits,
    serviceSigned: outcome.kind === 'signed' && outcome.created,
    warmServiceGraphRequests: warmGraphRequests,
    warmServiceResourceUnits: warmCounters.resourceUnits,
    warmServiceSigned: warm.kind === 'signed' && warm.created,
    knownShardServiceGraphRequests: knownShardGraphRequests,
  };
  if (flag(args, 'json')) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    process.stdout.write(
      `One signature: ${graphRoundTrips} Graph round trip(s), ${write.resourceUnits} resource units (budget: 1 round trip).\n` +
        `The whole sign use case: ${serviceGraphRequests} Graph requests cold, ${warmGraphRequests} warm (${serviceCounters.resourceUnits} / ${warmCounters.resourceUnits} resource units).\n`,
    );
  }
} finally {
  await emulator.close();
}
