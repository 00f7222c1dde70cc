import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { openSqliteWorkStore } from '../../src/adapters/sqlite/sqlite-work-store.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import { DEMO_SCHOOL, type DemoPerson } from '../../src/dev/demo/demo-school.ts';
import { DEMO_TRUST } from '../../src/dev/demo/demo-trust.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import type { RecordStore } from '../../src/ports/record-store.ts';
import type { WorkStore } from '../../src/ports/work-store.ts';
import type { SchoolRepair, TrustSchools } from '../../src/server/school-services.ts';
import type { Actor } from '../../src/services/actor.ts';
import { approvalJobId } from '../../src/services/approval-requests.ts';
import { provisionedDemoSite, PRODUCTION_TENANT } from './support/production-fixture.ts';
import {
  seedTrustDirectory,
  trustSchoolsOverEmulator,
  writeTrustSettings,
} from './support/trust-schools-fixture.ts';

// The repair sweep runs per school (issue 14): a Kingsmead signature that lost its Approvals row
// (the write failed after the signature was stored) is mended by Kingsmead's own sweep, through
// Kingsmead's service, and its request goes to Kingsmead's approvers; the deployment's school's
// sweep leaves it alone. Each school sweeps under its own lease. Composed as compose-service.ts
// composes the schools (createTrustSchools), over the Graph emulator.

const [, kings] = DEMO_TRUST.schools;
const KEY = 'kingsmead-laptops';
const signer = kings.people.find((p) => p !== kings.admin && p !== kings.head) as DemoPerson;
let emulator: GraphEmulator;
let graph: GraphAdapters;
let work: WorkStore;
let schools: TrustSchools;
let now = new Date('2026-03-05T10:30:00.000Z');
const errors: unknown[] = [];
let approvalsFail = false;

const actorOf = (person: DemoPerson, roles: Actor['roles'] = []): Actor => ({
  id: person.id,
  upn: person.userPrincipalName,
  displayName: person.displayName,
  roles,
});

/** The site's records, whose Approvals writes fail while `approvalsFail` is set. */
function failingApprovals<T extends RecordStore>(records: T): T {
  return new Proxy(records, {
    get(target, name, receiver): unknown {
      if (name === 'createApproval' && approvalsFail) {
        return () => Promise.reject(new CountersignError('unavailable', 'Graph is failing'));
      }
      const value: unknown = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? (value.bind(target) as unknown) : value;
    },
  });
}

const sweptBy = (results: SchoolRepair[], schoolId: string): SchoolRepair | undefined =>
  results.find((r) => r.schoolId === schoolId);

beforeAll(async () => {
  emulator = await startGraphEmulator(PRODUCTION_TENANT);
  ({ graph } = await provisionedDemoSite(emulator));
  seedTrustDirectory(emulator, {
    people: kings.people,
    schools: [kings],
  });
  await writeTrustSettings(graph.settings, [DEMO_SCHOOL.school, kings.school], now);
  work = openSqliteWorkStore({ path: ':memory:' });
  schools = trustSchoolsOverEmulator({
    graph: { ...graph, records: failingApprovals(graph.records) },
    clock: { now: () => now },
    work,
    report: (error) => {
      errors.push(error);
    },
  });
  await schools.sync();

  // Kingsmead's admin publishes a policy whose every signature the head approves.
  const kingsmead = await schools.school(kings.school.id);
  if (kingsmead === undefined) throw new Error('Kingsmead is composed from the settings list');
  const admin = actorOf(kings.admin, ['Policy.Admin']);
  await kingsmead.service.createPolicy(admin, {
    key: KEY,
    title: 'Kingsmead Laptop Loan Agreement',
    audiences: ['staff'],
    approvalMode: 'every-signature',
  });
  await kingsmead.service.saveDraft(admin, {
    policyKey: KEY,
    label: '2026-27',
    changeKind: 'material',
    document: {
      ...DEMO_TRUST.ownPolicy.document,
      title: 'Kingsmead Laptop Loan Agreement',
      approval: { statement: 'The headteacher approves each laptop loan.' },
    },
  });
  const published = await kingsmead.service.publish(admin, KEY, 1);

  // A teacher signs; the Approvals write fails after the signature is stored (best effort:
  // the signer is told it is signed, the failure reported, the row left to the sweep).
  approvalsFail = true;
  const signed = await kingsmead.service.sign(actorOf(signer), {
    policyKey: KEY,
    versionNumber: 1,
    contentHash: published.contentHash,
    declarationAccepted: true,
    typedName: signer.displayName,
    statedRole: signer.jobTitle,
    consents: {},
    channel: 'tab',
  });
  expect(signed.kind).toBe('signed');
  approvalsFail = false;
  expect(errors).toHaveLength(1);
  errors.length = 0;
  // Past the ten minutes a signature's own writes get.
  now = new Date(now.getTime() + 11 * 60_000);
}, 60_000);

afterAll(async () => {
  await schools?.stop();
  await work?.close();
  await emulator?.close();
});

describe('the repair sweep runs per school', () => {
  it('Kingsmead’s sweep mends Kingsmead’s signature, under Kingsmead’s own lease', async () => {
    const [ack] = await graph.records.listAcknowledgements({ policyKey: KEY });
    if (ack === undefined) throw new Error('the signature was stored');
    expect(await graph.records.listApprovals({ userId: signer.id })).toEqual([]);

    // The deployment's school alone mends only its own: Kingsmead's signature stays as it was.
    const ownOnly = await schools.own.service.repairRecords();
    expect(ownOnly.approvalsCreated).toEqual([]);
    expect(await graph.records.listApprovals({ userId: signer.id })).toEqual([]);

    // Another instance is sweeping Kingsmead: this one leaves it to that instance.
    const held = await work.acquireLease(`repair-sweep:${kings.school.id}`, 'other', 60_000, now);
    if (held === null) throw new Error('the lease was free');
    const whileHeld = await schools.repairSweep();
    expect(sweptBy(whileHeld, kings.school.id)).toEqual({
      kind: 'held-elsewhere',
      schoolId: kings.school.id,
    });
    expect(sweptBy(whileHeld, DEMO_SCHOOL.school.id)?.kind).toBe('swept');
    expect(await graph.records.listApprovals({ userId: signer.id })).toEqual([]);
    await work.releaseLease(held);

    const results = await schools.repairSweep();
    const own = sweptBy(results, DEMO_SCHOOL.school.id);
    const kingsmead = sweptBy(results, kings.school.id);
    if (own?.kind !== 'swept' || kingsmead?.kind !== 'swept') {
      throw new Error(`both schools swept: ${JSON.stringify(results)}`);
    }
    expect(own.report.approvalsCreated).toEqual([]);
    expect(own.report.signaturesChecked).toBe(0);
    expect(kingsmead.report).toMatchObject({
      signaturesChecked: 1,
      approvalsCreated: [ack.id],
    });
    expect(
      (await graph.records.listApprovals({ userId: signer.id })).map((a) => a.value),
    ).toMatchObject([{ acknowledgementId: ack.id, decision: 'pending' }]);
    // Kingsmead's head is asked, by Kingsmead's settings; the deployment's approvers are not.
    expect(await work.getDelivery(approvalJobId(ack.id), kings.head.id)).not.toBeNull();
    for (const approver of DEMO_SCHOOL.school.approverIds) {
      expect(await work.getDelivery(approvalJobId(ack.id), approver)).toBeNull();
    }
    // Each lease was given back: another instance may sweep next time.
    for (const school of [DEMO_SCHOOL.school.id, kings.school.id]) {
      const next = await work.acquireLease(`repair-sweep:${school}`, 'other', 60_000, now);
      expect(next).not.toBeNull();
      if (next !== null) await work.releaseLease(next);
    }
    expect(errors).toEqual([]);
  });
});
