import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { GraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { openSqliteWorkStore } from '../../src/adapters/sqlite/sqlite-work-store.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { School } from '../../src/domain/school.ts';
import { trustSettingsRow } from '../../src/domain/trust.ts';
import type { Messenger } from '../../src/ports/messenger.ts';
import type { WorkStore } from '../../src/ports/work-store.ts';
import type { Actor } from '../../src/services/actor.ts';
import {
  createCampaignService,
  type CampaignService,
} from '../../src/services/campaigns/campaign-service.ts';
import { placeholderCards } from '../../src/services/campaigns/placeholder-cards.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { schoolScopedRecords } from '../../src/services/school-scoped-records.ts';
import type { TrustContext } from '../../src/services/service-context.ts';
import { emulatorGraphAdapters } from '../support/emulator-graph.ts';

/**
 * The trust lead's campaign of a trust policy in every school at once (issue 14, Scale), on the
 * Graph emulator with its resource units counted: each school gets its own campaign (its record,
 * its totals, its `campaign.launched` event, in its admin's list and nobody else's), and the lists
 * are read once for all the schools: a school's own launch reads its signatures in 16 partitions
 * (32 RU) and its policy, versions and record twice (about 52 RU a school).
 */
const SCHOOLS = 4;
const STAFF = 12;
const SEAL = 'trust-campaign-launch-seal-key-0123456789abcdef';
const now = new Date('2026-09-10T09:00:00.000Z');
const clock = { now: () => now };
const keys = memoryEvidenceKeys();
const DEADLINE = '2026-10-01T16:00:00.000Z';

const person = (id: string) => ({
  id,
  displayName: `Person ${id}`,
  userPrincipalName: `${id}@trust.example`,
});
const actorOf = (id: string, roles: Actor['roles'] = []): Actor => ({
  id,
  displayName: `Person ${id}`,
  upn: `${id}@trust.example`,
  roles,
});
const staffOf = (i: number) =>
  Array.from({ length: STAFF }, (_, n) => person(`s${String(i)}-staff-${String(n)}`));
const schoolOf = (i: number): School => ({
  id: `school-${String(i)}`,
  name: `School ${String(i)}`,
  timeZone: 'Europe/London',
  audiences: [{ key: 'staff', label: 'Staff', groupIds: [`g-${String(i)}-staff`] }],
  approverIds: [`s${String(i)}-admin`],
  adminIds: [`s${String(i)}-admin`],
  contacts: [],
});
const document: PolicyDocument = {
  title: 'Trust AUP',
  sections: [
    { heading: 'Use', clauses: [{ number: '1', text: 'I keep my password private.', items: [] }] },
  ],
  declaration: 'I agree.',
  consents: [],
  approval: null,
};
const refuse = (): Promise<never> => Promise.reject(new Error('nothing is sent in this test'));
const sendsNothing: Messenger = {
  trusts: () => false,
  ensureInstalled: refuse,
  createConversation: refuse,
  teamsUserId: refuse,
  sendActivity: refuse,
  updateActivity: refuse,
};

describe('a trust-wide campaign launch (Graph emulator, resource units counted)', () => {
  let emulator: GraphEmulator;
  let graph: GraphAdapters;
  let work: WorkStore;
  const schools = Array.from({ length: SCHOOLS }, (_, i) => schoolOf(i));
  const lead = 'trust-lead';
  /** School i: the first i + 1 of its staff signed before the campaign. */
  const signedIn = (i: number): number => i + 1;
  let trust: TrustContext;
  /** As composeSchool composes them: the first school's sends for all and has the trust. */
  let campaigns: CampaignService[];
  const serve = (school: School): CountersignService =>
    createCountersignService({
      records: schoolScopedRecords(graph.records, () => school.id),
      directory: graph.directory,
      clock,
      sealKey: SEAL,
      evidence: keys,
      school,
      trust,
      readCache: false,
    });

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    graph = emulatorGraphAdapters(emulator);
    await provisionSite(graph.gateway, graph.records.site);
    trust = {
      id: '@trust',
      read: () => Promise.resolve({ name: 'Test Trust', leadIds: [lead], schools }),
      records: graph.records,
    };
    const everyone = schools.flatMap((_, i) => staffOf(i));
    emulator.setup.putUsers(
      everyone.map((p) => ({
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
    for (const [i] of schools.entries()) {
      emulator.setup.putGroup({
        id: `g-${String(i)}-staff`,
        displayName: `School ${String(i)} staff`,
        memberIds: staffOf(i).map((p) => p.id),
      });
    }
    for (const row of [...schools, trustSettingsRow({ name: 'Test Trust', leadIds: [lead] })]) {
      await graph.settings.create(row, { by: 'test', at: now.toISOString() });
    }
    const first = serve(schools[0] as School);
    await first.trust.create(actorOf(lead), {
      key: 'trust-aup',
      title: 'Trust AUP',
      audiences: ['staff'],
      approvalMode: 'none',
    });
    await first.trust.saveMasterDraft(actorOf(lead), {
      policyKey: 'trust-aup',
      label: '2026-27',
      changeKind: 'material',
      document,
    });
    await first.trust.publishMaster(actorOf(lead), 'trust-aup', 1);
    for (const [i, school] of schools.entries()) {
      const service = serve(school);
      for (const who of staffOf(i).slice(0, signedIn(i))) {
        await service.sign(actorOf(who.id), {
          policyKey: `trust-aup--${school.id}`,
          versionNumber: 1,
          declarationAccepted: true,
          typedName: who.displayName,
          statedRole: 'Teacher',
          consents: {},
          channel: 'tab',
        });
      }
    }
    work = openSqliteWorkStore({ path: ':memory:' });
    campaigns = schools.map((school, i) =>
      createCampaignService({
        records: schoolScopedRecords(graph.records, () => school.id),
        directory: graph.directory,
        work,
        messenger: sendsNothing,
        cards: placeholderCards,
        school,
        clock,
        newId: () => crypto.randomUUID(),
        holderId: 'test',
        trust:
          i === 0
            ? { role: { kind: 'sender', siteRecords: graph.records, trust } }
            : { role: { kind: 'scheduled-only' }, lease: `campaign-scheduler:${school.id}` },
        scheduleEveryMs: 0,
        onError: (error) => {
          throw error;
        },
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all((campaigns ?? []).map((c) => c.stop()));
    await work?.close();
    await emulator?.close();
  });

  it('refuses anyone but the trust lead, a school admin too, and writes nothing', async () => {
    const sender = campaigns[0] as CampaignService;
    const refused = await sender
      .launchTrust(actorOf('s0-admin', ['Policy.Admin']), 'trust-aup', { deadline: DEADLINE })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(CountersignError);
    expect(refused).toMatchObject({ code: 'forbidden' });
    expect(await graph.records.listCampaigns({})).toEqual([]);
    // Only the trust's sender has the trust: another school's service launches nothing trust-wide.
    await expect(
      (campaigns[1] as CampaignService).launchTrust(actorOf(lead), 'trust-aup', {
        deadline: DEADLINE,
      }),
    ).rejects.toMatchObject({ code: 'not-found' });
  });

  it("launches each school's own campaign, reading each list once for all the schools", async () => {
    const sender = campaigns[0] as CampaignService;
    // Every query must be valid with the threshold below the lists' sizes (whole-list paging is
    // not subject to it; a filter matching more than this many items would be refused).
    emulator.setup.setListViewThreshold(3);
    emulator.resetCounters();
    const launched = await sender.launchTrust(actorOf(lead), 'trust-aup', { deadline: DEADLINE });
    const { resourceUnits, requests, batchedRequests } = emulator.counters();
    emulator.setup.setListViewThreshold(5000);

    expect(launched.schools.map((s) => [s.schoolId, s.kind])).toEqual(
      schools.map((s) => [s.id, 'launched']),
    );
    for (const [i, school] of schools.entries()) {
      const outcome = launched.schools[i];
      if (outcome?.kind !== 'launched') throw new Error(`${school.id} launched`);
      expect(outcome.campaign).toMatchObject({
        schoolId: school.id,
        policyKey: `trust-aup--${school.id}`,
        versionNumber: 1,
        deadline: DEADLINE,
        status: 'running',
        createdBy: lead,
        counts: { recipients: STAFF - signedIn(i), signed: signedIn(i), sent: 0, failed: 0 },
      });
      // The job is released and holds one row per person of the school's staff.
      expect((await work.getJob(outcome.campaign.id))?.status).toBe('running');
      const counts = await work.countDeliveries({ jobId: outcome.campaign.id });
      expect(counts.total).toBe(STAFF);
      expect(counts.queued).toBe(STAFF - signedIn(i));
      // Its admin sees it, and only it, in their own school's campaigns.
      const admin = actorOf(`s${String(i)}-admin`, ['Policy.Admin']);
      const listed = await (campaigns[i] as CampaignService).list(admin);
      expect(listed.map((s) => s.campaign.id)).toEqual([outcome.campaign.id]);
    }
    const events = (await graph.records.listAudit({})).filter(
      (e) => e.type === 'campaign.launched',
    );
    expect(events.map((e) => [e.subject, e.actorId]).sort()).toEqual(
      launched.schools.map((s) => [s.kind === 'launched' ? s.campaign.id : '', lead]).sort(),
    );

    // The cost: the settings' policies, the versions, the campaigns and the signatures each
    // read once (2 RU a page), the campaigns listed again after the releases, and each school's
    // record and event written (4 RU). Each school launching its own copy costs about 52 RU.
    expect(resourceUnits).toBeLessThanOrEqual(2 * 5 + 4 * SCHOOLS + 2);
    // Graph requests: the four listings and the last, each school's groups and its one $batch.
    expect(requests).toBeLessThanOrEqual(6 + 2 * SCHOOLS);
    expect(batchedRequests).toBe(2 * SCHOOLS);
  });

  it("draws each school's first card from what the launch read: no Graph request", async () => {
    const sender = campaigns[0] as CampaignService;
    const jobs = await work.listJobs({});
    expect(jobs).toHaveLength(SCHOOLS);
    emulator.resetCounters();
    for (const job of jobs) {
      const [delivery] = await work.listDeliveries({ jobId: job.id, limit: 1 });
      if (delivery === undefined) throw new Error(`${job.id} has deliveries`);
      expect(await sender.render(job, delivery)).not.toBeNull();
    }
    // A school's own launch leaves each job's first card 2 reads (its policy, its versions).
    expect(emulator.counters().requests).toBe(0);
  });

  it('lands on the same campaigns when launched again: no second record or event', async () => {
    const sender = campaigns[0] as CampaignService;
    const before = await graph.records.listCampaigns({});
    const again = await sender.launchTrust(actorOf(lead), 'trust-aup', { deadline: DEADLINE });
    expect(again.schools.map((s) => (s.kind === 'launched' ? s.campaign.id : s.reason))).toEqual(
      before
        .map((c) => c.value)
        .sort((a, b) => a.schoolId.localeCompare(b.schoolId))
        .map((c) => c.id),
    );
    expect(await graph.records.listCampaigns({})).toHaveLength(SCHOOLS);
    const events = (await graph.records.listAudit({})).filter(
      (e) => e.type === 'campaign.launched',
    );
    expect(events).toHaveLength(SCHOOLS);
  });
});
