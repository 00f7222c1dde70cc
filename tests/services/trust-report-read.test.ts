import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { GraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { School } from '../../src/domain/school.ts';
import { trustSettingsRow } from '../../src/domain/trust.ts';
import type { Actor } from '../../src/services/actor.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { ReportSnapshots } from '../../src/services/report-snapshot.ts';
import { schoolScopedRecords } from '../../src/services/school-scoped-records.ts';
import type { TrustContext } from '../../src/services/service-context.ts';
import { createTrustCompliance } from '../../src/services/trust-compliance.ts';
import { createTrustReportRead } from '../../src/services/trust-report-read.ts';
import { campaign } from '../contract/record-fixtures.ts';
import { emulatorGraphAdapters } from '../support/emulator-graph.ts';
import { perSchoolCompliance } from './support/per-school-compliance.ts';

/**
 * The trust report's shared read (issue 14, Scale) against a generated trust on the Graph
 * emulator: every figure is the one each school's own people report gives, every query stays
 * valid with the list view threshold lowered below the lists' sizes, and a warm report reads only
 * the policies, versions and running campaigns.
 */
const SCHOOLS = 5;
const SEAL = 'trust-report-read-seal-key-0123456789abcdef';
const now = new Date('2026-09-10T09:00:00.000Z');
const clock = { now: () => now };
const keys = memoryEvidenceKeys();

interface Person {
  id: string;
  displayName: string;
  userPrincipalName: string;
}
const person = (id: string): Person => ({
  id,
  displayName: `Person ${id}`,
  userPrincipalName: `${id}@trust.example`,
});
const actorOf = (p: Person, roles: Actor['roles'] = []): Actor => ({
  id: p.id,
  displayName: p.displayName,
  upn: p.userPrincipalName,
  roles,
});

/** School i: 4 + i staff, 2 governors (one of them staff too); staff 0 of school 1 is school 0's too. */
function generatedSchool(i: number): { school: School; staff: Person[]; governors: Person[] } {
  const staff = Array.from({ length: 4 + i }, (_, n) => person(`s${String(i)}-staff-${String(n)}`));
  const governors = [person(`s${String(i)}-gov-0`), staff[0] as Person];
  return {
    school: {
      id: `school-${String(i)}`,
      name: `School ${String(i)}`,
      timeZone: 'Europe/London',
      audiences: [
        { key: 'staff', label: 'Staff', groupIds: [`g-${String(i)}-staff`] },
        { key: 'governors', label: 'Governors', groupIds: [`g-${String(i)}-gov`] },
      ],
      approverIds: [`s${String(i)}-admin`],
      adminIds: [`s${String(i)}-admin`],
      contacts: [{ key: 'dsl', name: `DSL ${String(i)}`, role: 'Designated Safeguarding Lead' }],
    },
    staff,
    governors,
  };
}

const document = (title: string): PolicyDocument => ({
  title,
  sections: [
    {
      heading: 'Use',
      clauses: [
        { number: '1', text: 'I keep my password private. Speak to {{contact:dsl}}.', items: [] },
        { number: '2', text: 'I keep board papers safe.', audience: ['governors'], items: [] },
      ],
    },
  ],
  declaration: 'I agree to the policy of {{school}}.',
  consents: [],
  approval: null,
});

describe('the trust report read once for every school (generated trust, Graph emulator)', () => {
  let emulator: GraphEmulator;
  let graph: GraphAdapters;
  const generated = Array.from({ length: SCHOOLS }, (_, i) => generatedSchool(i));
  const schools = generated.map((g) => g.school);
  const lead = person('trust-lead');
  const trust: TrustContext = {
    id: '@trust',
    read: () => Promise.resolve({ name: 'Generated Trust', leadIds: [lead.id], schools }),
  };
  /** Each school's service as the composition makes it: its view of the site, shared snapshots. */
  const serve = (school: School, snapshots?: ReportSnapshots): CountersignService =>
    createCountersignService({
      records: schoolScopedRecords(graph.records, () => school.id),
      directory: graph.directory,
      clock,
      sealKey: SEAL,
      evidence: keys,
      school,
      trust: { ...trust, records: graph.records },
      ...(snapshots === undefined ? { readCache: false } : { reportSnapshots: snapshots }),
    });
  const sign = (service: CountersignService, who: Person, policyKey: string) =>
    service.sign(actorOf(who), {
      policyKey,
      versionNumber: 1,
      declarationAccepted: true,
      typedName: who.displayName,
      statedRole: 'Teacher',
      consents: {},
      channel: 'tab',
    });

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    graph = emulatorGraphAdapters(emulator);
    await provisionSite(graph.gateway, graph.records.site);
    emulator.setup.putUsers(
      [lead, ...generated.flatMap((g) => [...g.staff, ...g.governors])].map((p) => ({
        ...p,
        givenName: 'Person',
        surname: p.id,
        mail: p.userPrincipalName,
        jobTitle: null,
        department: null,
        officeLocation: null,
        accountEnabled: true,
      })),
    );
    for (const [i, g] of generated.entries()) {
      const extra = i === 0 ? [(generated[1]?.staff[0] as Person).id] : [];
      emulator.setup.putGroup({
        id: `g-${String(i)}-staff`,
        displayName: `School ${String(i)} staff`,
        memberIds: [...g.staff.map((p) => p.id), ...extra],
      });
      emulator.setup.putGroup({
        id: `g-${String(i)}-gov`,
        displayName: `School ${String(i)} governors`,
        memberIds: g.governors.map((p) => p.id),
      });
    }
    for (const school of [
      ...schools,
      trustSettingsRow({ name: 'Generated Trust', leadIds: [lead.id] }),
    ]) {
      await graph.settings.create(school, { by: 'test', at: now.toISOString() });
    }
    // The trust AUP, published to every school; each school's own policy, school 2's needing
    // approval (first signature).
    const first = serve(schools[0] as School);
    const leadActor = actorOf(lead);
    await first.trust.create(leadActor, {
      key: 'trust-aup',
      title: 'Trust AUP',
      audiences: ['staff', 'governors'],
      approvalMode: 'none',
    });
    await first.trust.saveMasterDraft(leadActor, {
      policyKey: 'trust-aup',
      label: '2026-27',
      changeKind: 'material',
      document: document('Trust AUP'),
    });
    await first.trust.publishMaster(leadActor, 'trust-aup', 1);
    for (const [i, { school, staff, governors }] of generated.entries()) {
      const service = serve(school);
      const admin = { ...person(`s${String(i)}-admin`), roles: ['Policy.Admin' as const] };
      const adminActor: Actor = { ...actorOf(admin), roles: ['Policy.Admin', 'Policy.Approver'] };
      const own = `own-aup-${String(i)}`;
      await service.createPolicy(adminActor, {
        key: own,
        title: `School ${String(i)} devices`,
        audiences: ['staff'],
        approvalMode: i === 2 ? 'first-signature' : 'none',
      });
      await service.saveDraft(adminActor, {
        policyKey: own,
        label: '2026-27',
        changeKind: 'material',
        document: document('Devices'),
      });
      await service.publish(adminActor, own, 1);
      // Some of each school sign: more in the later schools; a governor signs the trust AUP.
      for (const who of staff.slice(0, 1 + i)) await sign(service, who, `trust-aup--${school.id}`);
      for (const who of staff.slice(1, 3)) await sign(service, who, own);
      await sign(service, governors[0] as Person, `trust-aup--${school.id}`);
      if (i === 2) {
        const [pending] = await service.pendingApprovals(adminActor);
        if (pending === undefined) throw new Error('school 2 has a signature to approve');
        await service.decide(adminActor, {
          acknowledgementId: pending.acknowledgement.id,
          decision: 'rejected',
          additionalPermissions: [],
          comment: 'Please read clause 1 again.',
        });
      }
    }
    // School 3's trust AUP under a running campaign whose deadline has passed: its unsigned are
    // overdue, in both reports.
    await graph.records.createCampaign(
      campaign('trust-aup--school-3', 1, {
        schoolId: 'school-3',
        audiences: ['staff', 'governors'],
        deadline: '2026-09-09T16:00:00.000Z',
      }),
      {
        id: 'campaign-launched-school-3',
        type: 'campaign.launched',
        at: now.toISOString(),
        actorId: 's3-admin',
        subject: 'trust-aup--school-3',
        details: {},
      },
    );
    // Every list the report reads now holds more rows than this: each query must still be valid.
    emulator.setup.setListViewThreshold(8);
  }, 120_000);
  afterAll(async () => {
    await emulator?.close();
  });

  it('gives every school the figures its own people report gives', async () => {
    const reader = createTrustReportRead({
      records: graph.records,
      directory: graph.directory,
      clock,
      snapshots: new ReportSnapshots(clock),
    });
    const compliance = createTrustCompliance({ settings: graph.settings, read: reader });
    emulator.resetCounters();
    const shared = await compliance.compliance(actorOf(lead));
    const sharedRequests = emulator.counters().requests;

    emulator.resetCounters();
    const perSchool = [];
    for (const school of schools) perSchool.push(await perSchoolCompliance(serve(school), school));
    const perSchoolRequests = emulator.counters().requests;

    expect(shared.schools).toEqual(perSchool);
    // Not vacuous: every kind of figure is there.
    const all = shared.schools.flatMap((s) => s.policies);
    expect(all).toHaveLength(SCHOOLS * 2);
    const sum = (kind: keyof (typeof all)[number]['overall']) =>
      all.reduce((n, p) => n + p.overall[kind], 0);
    expect(sum('signed')).toBeGreaterThan(0);
    expect(sum('overdue')).toBeGreaterThan(0);
    expect(sum('rejected')).toBe(1);
    expect(sum('due')).toBeGreaterThan(0);
    // One read of each list, not a report per school.
    expect(sharedRequests).toBeLessThan(perSchoolRequests / 2);
  });

  it('warm, reads only policies, versions and running campaigns, and shows a signature made since', async () => {
    const snapshots = new ReportSnapshots(clock);
    const reader = createTrustReportRead({
      records: graph.records,
      directory: graph.directory,
      clock,
      snapshots,
    });
    const before = await reader.policiesOf(schools);
    const school = schools[4] as School;
    const policyKey = `trust-aup--${school.id}`;
    const signedBefore = before.get(school.id)?.find((p) => p.policy.key === policyKey)?.tally
      .overall.signed;
    // Signed through the school's service, which keeps the same snapshots.
    await sign(serve(school, snapshots), generated[4]?.staff.at(-1) as Person, policyKey);
    emulator.resetCounters();
    const warm = await reader.policiesOf(schools);
    expect(emulator.counters().requests).toBe(3);
    expect(warm.get(school.id)?.find((p) => p.policy.key === policyKey)?.tally.overall.signed).toBe(
      (signedBefore ?? 0) + 1,
    );
    // And still what the school's own report says, read afresh.
    const fresh = await perSchoolCompliance(serve(school), school);
    expect(fresh.policies.find((p) => p.key === policyKey)?.overall).toEqual(
      warm.get(school.id)?.find((p) => p.policy.key === policyKey)?.tally.overall,
    );
  });

  it('a school admin reads their own school only, from the same read', async () => {
    const reader = createTrustReportRead({
      records: graph.records,
      directory: graph.directory,
      clock,
      snapshots: new ReportSnapshots(clock),
    });
    const compliance = createTrustCompliance({ settings: graph.settings, read: reader });
    const admin = await compliance.compliance(actorOf(person('s1-admin')));
    expect(admin.view).toBe('school-admin');
    expect(admin.schools.map((s) => s.id)).toEqual(['school-1']);
    expect(admin.schools[0]?.policies.map((p) => p.key)).toEqual([
      'own-aup-1',
      'trust-aup--school-1',
    ]);
    // A school's view of the records lists its own policies' versions only.
    const scoped = schoolScopedRecords(graph.records, () => 'school-1');
    const listed = await scoped.listVersionsOf(['own-aup-1', 'own-aup-2', 'trust-aup']);
    expect(listed.map((v) => v.value.policyKey)).toEqual(['own-aup-1']);
  });
});
