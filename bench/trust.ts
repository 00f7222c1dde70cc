import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryEvidenceKeys } from '../src/adapters/evidence-keys/local-evidence-keys.ts';
import { createGraphAdapters } from '../src/adapters/graph/create-graph-adapters.ts';
import { emulatorAppToken } from '../src/adapters/graph/emulator-app-token.ts';
import { provisionSite } from '../src/adapters/graph/provision.ts';
import { openSqliteWorkStore } from '../src/adapters/sqlite/sqlite-work-store.ts';
import { startConnectorEmulator } from '../src/dev/connector-emulator/connector-emulator.ts';
import { DEMO_SCHOOL } from '../src/dev/demo/demo-school.ts';
import { startGraphEmulator, syntheticPeople } from '../src/dev/graph-emulator/graph-emulator.ts';
import type { School } from '../src/domain/school.ts';
import { TRUST_SETTINGS_ID, trustOf, trustSettingsRow } from '../src/domain/trust.ts';
import type { Actor } from '../src/services/actor.ts';
import { createCountersignService } from '../src/services/create-countersign-service.ts';
import { ReportSnapshots } from '../src/services/report-snapshot.ts';
import type { TrustContext } from '../src/services/service-context.ts';
import { createTrustCompliance } from '../src/services/trust-compliance.ts';
import { createTrustReportRead } from '../src/services/trust-report-read.ts';
import { BENCH_SEAL_KEY, flag, option, seedSignatures } from './bench-emulator.ts';
import { deliveryFigures, storeConversations, until } from './delivery-figures.ts';
import type { InstanceRequest, InstanceWiring } from './trust-instance.ts';
import { z } from 'zod';

/**
 * A trust in one tenant (issue 14, Scale), on the Graph emulator:
 *
 *   npm run bench:trust -- --people 50000 --schools 30 --json [--signed-percent 75]
 *
 * Set-up: a fresh site provisioned (counted: `provisioning`), the settings of `--schools`
 * schools and the trust's '@trust' row stored side by side in the settings list (counted:
 * `settings`), `--people` people shared among the schools in different sizes (school i has
 * weight 1 + i mod 6), each school's staff one Entra group (written straight into the emulator's
 * directory), a trust AUP whose master the trust lead publishes to every school (the service's
 * own calls), and `--signed-percent` of each school's staff signed (sealed rows in `$batch`es).
 *
 * Counted: the trust report as GET /api/trust/compliance builds it for the trust lead
 * (trust-compliance.ts over trust-report-read.ts), first open (`cold`: nothing kept) and again
 * (`warm`: from the report snapshots the first kept), each with its Graph requests, resource
 * units and milliseconds. The emulator runs in this process (the new-starter step adds people to
 * groups through its set-up), so `ms` includes the emulator's own work. Every query runs under
 * the emulator's list view threshold (5,000, SharePoint's): a query SharePoint would refuse at
 * this size fails the run.
 *
 * Then the trust-wide campaign, as a deployment runs it (server/school-services.ts): the trust
 * lead launches the trust AUP's campaign in every school at once through the deployment's sender
 * (launchTrust, what POST /api/trust/policies/:key/campaigns calls; trust-campaign-launch.ts: each
 * school's own campaign, the lists read once for all), one service (the first school's) holds the
 * one tenant sender that sends every school's jobs from the one work store (SQLite here) at the
 * production pacing, against the connector emulator enforcing the Teams limits (50 a second per
 * tenant, the per-conversation windows). Every school's campaign service and the sender run in a
 * service instance of their own (bench/trust-instance.ts, asked over IPC), apart from both
 * emulators as production runs apart from Graph and Teams; its event-loop lag is reported.
 * Each person has a stored conversation (one send each, as in bench:fanout). `campaign` gives,
 * from the first launch to the last send, the figures bench:fanout gives (delivery-figures.ts:
 * ceilingRatio, lost, duplicates…) and the Graph requests and resource units of the launches,
 * the sends and the final totals written to the campaign records.
 *
 * Last, new starters (`--new-starters`, 300): people added to the schools' staff groups, found by
 * each school's scheduled work (scheduled-work.ts, every 5 minutes) and prompted by the sender.
 * The interval is simulated on the services' clock, not slept: `minutesUntilLastPrompted` is one
 * interval (the worst case: joined just after their school's run) plus the real seconds from the
 * schools' runs to the last starter's card. `scheduledRun*` are the Graph requests and RU of one
 * round of every school's scheduled work.
 */
const args = process.argv.slice(2);
const people = option(args, 'people', 50_000);
const schools = option(args, 'schools', 30);
const signedPercent = Math.min(100, option(args, 'signed-percent', 75));
const newStarterCount = option(args, 'new-starters', 300);
/** How often each school's scheduled work runs (campaign-runtime.ts: its default, 5 minutes). */
const SCHEDULE_EVERY_MS = 300_000;
const dir = mkdtempSync(join(tmpdir(), 'countersign-bench-trust-'));

/** The trust AUP's key; each school's copy is `${TRUST_POLICY}--${school id}`. */
const TRUST_POLICY = 'trust-aup';
const lead: Actor = {
  id: 'bench-trust-lead',
  upn: 'lead@bench.example',
  displayName: 'Trust Lead',
  roles: [],
};

/**
 * The clock every service reads: real time moving on from a moment set by `clockAt` (the master
 * published on 1 September, the report read in October), so a run is the same on any day.
 */
let clockOffsetMs = 0;
const clock = { now: () => new Date(Date.now() + clockOffsetMs) };
const clockAt = (iso: string): void => {
  clockOffsetMs = Date.parse(iso) - Date.now();
};

/** Each school's share of the people: weights 1–6, so sizes differ as a trust's schools do. */
function schoolSizes(total: number, count: number): number[] {
  const weights = Array.from({ length: count }, (_, i) => 1 + (i % 6));
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.floor((total * w) / sum));
  sizes[count - 1] = (sizes[count - 1] ?? 0) + total - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** What the instance answers (bench/trust-instance.ts), as much of it as the bench reads. */
const launchOutcome = z
  .object({
    schools: z.array(
      z.object({
        schoolId: z.string(),
        kind: z.enum(['launched', 'not-launched']),
        reason: z.string().optional(),
        campaign: z.object({ id: z.string() }).optional(),
      }),
    ),
  })
  .transform(({ schools }) => ({
    schools: schools.map((s) => ({ ...s, campaignId: s.campaign?.id })),
  }));
const flushOutcome = z.object({
  errors: z.array(z.string()),
  maxEventLoopLagMs: z.number(),
  eventLoopLagP99Ms: z.number(),
});
const scheduledOutcome = z.array(
  z.object({ ran: z.boolean(), newStarters: z.array(z.object({ recipients: z.number() })) }),
);

interface ServiceInstance {
  holdsLease: boolean;
  ask(request: DistributiveOmit<InstanceRequest, 'id'>): Promise<unknown>;
  stop(): Promise<void>;
}
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const reply = z.union([
  z.object({ holdsLease: z.boolean() }),
  // The error first: `value: unknown` would take a message without one too.
  z.object({ id: z.number(), error: z.string() }),
  z.object({ id: z.number(), value: z.unknown() }),
]);

/** The service instance in its own process (bench/trust-instance.ts), asked over IPC. */
function startInstance(wiring: InstanceWiring): Promise<ServiceInstance> {
  const proc = spawn(
    process.execPath,
    ['bench/trust-instance.ts', '--wiring', JSON.stringify(wiring)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  return new Promise((resolve) => {
    const instance: ServiceInstance = {
      holdsLease: false,
      ask: (request) =>
        new Promise((answered, failed) => {
          next += 1;
          waiting.set(next, { resolve: answered, reject: failed });
          proc.send({ ...request, id: next });
        }),
      stop: async () => {
        proc.kill('SIGTERM');
        await exited;
      },
    };
    proc.on('message', (message) => {
      const parsed = reply.parse(message);
      if ('holdsLease' in parsed) {
        instance.holdsLease = parsed.holdsLease;
        resolve(instance);
        return;
      }
      const asked = waiting.get(parsed.id);
      waiting.delete(parsed.id);
      if ('error' in parsed) asked?.reject(new Error(parsed.error));
      else asked?.resolve(parsed.value);
    });
  });
}

try {
  const emulator = await startGraphEmulator({ dbPath: join(dir, 'graph.sqlite'), seed: 'none' });
  try {
    const graph = createGraphAdapters({
      baseUrl: emulator.url,
      accessToken: emulatorAppToken,
      site: emulator.siteId,
    });
    const counted = async <T>(work: () => Promise<T>) => {
      emulator.resetCounters();
      const started = performance.now();
      const value = await work();
      const { requests, resourceUnits } = emulator.counters();
      return {
        value,
        figures: {
          graphRequests: requests,
          resourceUnits,
          ms: Math.round(performance.now() - started),
        },
      };
    };

    clockAt('2026-09-01T07:30:00.000Z');
    const provisioning = await counted(() => provisionSite(graph.gateway, graph.records.site));

    // The people, shared among the schools; each school's staff one group.
    const everyone = syntheticPeople(people, { prefix: 'trust' });
    emulator.setup.putUsers(everyone);
    const staffOf: (typeof everyone)[] = [];
    const trustSchools: School[] = [];
    let from = 0;
    for (const [i, size] of schoolSizes(people, schools).entries()) {
      const id = `school-${String(i + 1)}`;
      const staff = everyone.slice(from, from + size);
      from += size;
      const groupId = emulator.setup.putGroup({
        id: `${id}-staff`,
        displayName: `School ${String(i + 1)} staff`,
        memberIds: staff.map((p) => p.id),
      });
      staffOf.push(staff);
      trustSchools.push({
        ...DEMO_SCHOOL.school,
        id,
        name: `School ${String(i + 1)}`,
        audiences: [{ key: 'staff', label: 'Staff', groupIds: [groupId] }],
        adminIds: [`${id}-admin`],
        approverIds: [`${id}-admin`],
      });
    }
    const settings = await counted(async () => {
      const at = clock.now().toISOString();
      for (const school of trustSchools) await graph.settings.create(school, { by: 'bench', at });
      // The trust's own row ('@trust': its name and leads), which is not a school.
      await graph.settings.create(
        trustSettingsRow({ name: 'Bench Learning Trust', leadIds: [lead.id] }),
        { by: 'bench', at },
      );
    });
    const stored = trustOf((await graph.settings.list()).map((row) => row.school)).schools;
    if (stored.length !== schools) {
      throw new Error(`the settings list holds ${String(stored.length)} of ${String(schools)}`);
    }

    // The trust AUP: the lead creates and publishes its master, so every school has its copy.
    // As compose-service.ts's: the settings list read at each use (counted where it is used).
    const trust: TrustContext = {
      id: TRUST_SETTINGS_ID,
      read: async () => {
        const read = trustOf((await graph.settings.list()).map((row) => row.school));
        return { name: read.settings.name, leadIds: read.settings.leadIds, schools: read.schools };
      },
      records: graph.records,
    };
    const trustService = createCountersignService({
      records: graph.records,
      directory: graph.directory,
      clock,
      sealKey: BENCH_SEAL_KEY,
      evidence: memoryEvidenceKeys(),
      school: stored[0] as School,
      trust,
      readCache: false,
    });
    await trustService.trust.create(lead, {
      key: TRUST_POLICY,
      title: 'Trust Acceptable Use Policy',
      audiences: ['staff'],
      approvalMode: 'none',
    });
    await trustService.trust.saveMasterDraft(lead, {
      policyKey: TRUST_POLICY,
      label: '2026-27',
      changeKind: 'material',
      // The demo AUP for staff alone (its clauses for governors and volunteers made everyone's).
      document: {
        ...DEMO_SCHOOL.aup,
        sections: DEMO_SCHOOL.aup.sections.map((section) => ({
          ...section,
          clauses: section.clauses.map(({ audience: _audience, ...clause }) => clause),
        })),
      },
    });
    await trustService.trust.publishMaster(lead, TRUST_POLICY, 1);

    // Signatures: the first `signedPercent` of each school's staff signed its copy's version 1.
    const signatures = [];
    for (const [i, school] of stored.entries()) {
      const policyKey = `${TRUST_POLICY}--${school.id}`;
      const version = (await graph.records.listVersions(policyKey)).find(
        (v) => v.value.number === 1,
      )?.value;
      if (version === undefined) throw new Error(`${policyKey} has no version 1`);
      const staff = staffOf[trustSchools.findIndex((s) => s.id === school.id)] ?? [];
      const signers = staff.slice(0, Math.round((staff.length * signedPercent) / 100));
      signatures.push(
        ...signers.map((p, n) => ({ policyKey, version, userId: p.id, i: i * 100_000 + n })),
      );
    }
    await seedSignatures(
      graph.gateway,
      await graph.records.site.listPath('acknowledgements'),
      signatures,
    );

    // The trust report, as the trust lead opens it: cold, then warm (the snapshots it kept).
    clockAt('2026-10-06T08:30:00.000Z');
    const compliance = createTrustCompliance({
      settings: graph.settings,
      read: createTrustReportRead({
        records: graph.records,
        directory: graph.directory,
        clock,
        snapshots: new ReportSnapshots(clock),
      }),
    });
    const cold = await counted(() => compliance.compliance(lead));
    const warm = await counted(() => compliance.compliance(lead));
    const totals = (report: typeof cold.value) => {
      const policies = report.schools.flatMap((s) => s.policies);
      return {
        schools: report.schools.length,
        people: policies.reduce((n, p) => n + p.people, 0),
        signed: policies.reduce((n, p) => n + p.overall.signed, 0),
      };
    };
    const counts = totals(cold.value);
    if (counts.people !== people || counts.signed !== signatures.length) {
      throw new Error(
        `the trust report counts ${String(counts.people)} people, ${String(counts.signed)} signed; ` +
          `seeded ${String(people)}, ${String(signatures.length)}`,
      );
    }
    if (JSON.stringify(totals(warm.value)) !== JSON.stringify(counts)) {
      throw new Error('the warm trust report differs from the cold one');
    }

    // The trust-wide campaign: the lead launches it in every school; one tenant sender, in the
    // service instance's own process (bench/trust-instance.ts), as production runs it apart from
    // Graph and Teams (the emulators stay in this one).
    const TENANT = 'bench-tenant';
    const connector = await startConnectorEmulator({ tenantId: TENANT });
    const workPath = join(dir, 'work.sqlite');
    // This process's reads of the store (conversations at set-up, the counts it watches).
    const work = openSqliteWorkStore({ path: workPath });
    let instance: ServiceInstance | undefined;
    try {
      await storeConversations(
        work,
        connector,
        TENANT,
        everyone.map((p) => p.id),
      );
      instance = await startInstance({
        graphUrl: emulator.url,
        siteId: emulator.siteId,
        connectorUrl: connector.url,
        tenantId: TENANT,
        workPath,
        clockOffsetMs,
        lead: { id: lead.id, upn: lead.upn, displayName: lead.displayName },
      });
      await until(() => instance?.holdsLease === true, 'the sender lease');

      const recipients = people - signatures.length;
      emulator.resetCounters();
      const launchedAt = Date.now();
      // The lead's launch in every school (POST /api/trust/policies/:key/campaigns calls this
      // same method of the deployment's sender): each school's own campaign.
      const trustLaunch = launchOutcome.parse(
        await instance.ask({
          type: 'launch',
          policyKey: TRUST_POLICY,
          deadline: '2026-10-27T16:00:00.000Z',
        }),
      );
      const launched = trustLaunch.schools.map((outcome) => {
        if (outcome.kind !== 'launched' || outcome.campaignId === undefined) {
          throw new Error(`${outcome.schoolId} was not launched: ${outcome.reason ?? ''}`);
        }
        return outcome.campaignId;
      });
      const launchSeconds = round2((Date.now() - launchedAt) / 1000);
      await until(() => connector.sendsPerUser().size >= recipients, 'every recipient');
      await until(async () => {
        for (const id of launched) {
          const counts = await work.countDeliveries({ jobId: id });
          if (counts.queued > 0 || counts.inFlight > 0) return false;
        }
        return true;
      }, 'every delivery settled');
      const sent = deliveryFigures(connector, recipients, launchedAt);
      // The campaign records' final totals are part of what the campaign costs SharePoint.
      const flushed = flushOutcome.parse(await instance.ask({ type: 'flush' }));
      const { requests, resourceUnits } = emulator.counters();
      let recordSent = 0;
      for (const id of launched) {
        recordSent += (await graph.records.getCampaign(id))?.value.counts.sent ?? 0;
      }
      const campaignFigures = {
        campaigns: launched.length,
        ...sent,
        launchSeconds,
        graphRequests: requests,
        resourceUnits,
        recordSent,
        senderErrors: flushed.errors.length,
        senderProcess: 'own',
        maxEventLoopLagMs: flushed.maxEventLoopLagMs,
        eventLoopLagP99Ms: flushed.eventLoopLagP99Ms,
      };

      // New starters: `--new-starters` people join the schools' staff groups (round the schools).
      // Each school's scheduled work runs every SCHEDULE_EVERY_MS on the instance; at worst a
      // starter joins just after their school's run read its groups, so waits one interval, then
      // that school's next run (which finds them: scheduled-work.ts policyStep) and the sends.
      // Simulated: every school's run once (the first run only notes who is there), the people
      // added, the clock moved on one interval, every school's run again (all at once, as their
      // timers on one instance can be), then the real time until the last starter's card is sent.
      const baselineRuns = scheduledOutcome.parse(await instance.ask({ type: 'scheduled' }));
      if (baselineRuns.some((run) => !run.ran)) throw new Error('a scheduled run did not run');
      const starters = syntheticPeople(newStarterCount, { prefix: 'starter' });
      emulator.setup.putUsers(starters);
      for (const [k, person] of starters.entries()) {
        const school = stored[k % stored.length] as School;
        emulator.setup.addGroupMember(`${school.id}-staff`, person.id);
      }
      clockOffsetMs += SCHEDULE_EVERY_MS;
      await instance.ask({ type: 'clock', offsetMs: clockOffsetMs });
      emulator.resetCounters();
      const runsStarted = Date.now();
      const runs = scheduledOutcome.parse(await instance.ask({ type: 'scheduled' }));
      const runSeconds = (Date.now() - runsStarted) / 1000;
      const found = runs.flatMap((run) => run.newStarters).reduce((n, x) => n + x.recipients, 0);
      if (found !== starters.length) {
        throw new Error(`the scheduled work found ${String(found)} of ${String(starters.length)}`);
      }
      const runCounters = emulator.counters();
      await until(
        () => starters.every((p) => connector.sendsPerUser().has(p.id)),
        'every new starter prompted',
      );
      const promptedSeconds = (Date.now() - runsStarted) / 1000;
      const newStarters = {
        people: starters.length,
        scheduleEveryMinutes: SCHEDULE_EVERY_MS / 60_000,
        scheduledRunSeconds: round2(runSeconds),
        lastPromptedSeconds: round2(promptedSeconds),
        minutesUntilLastPrompted: round2((SCHEDULE_EVERY_MS / 1000 + promptedSeconds) / 60),
        duplicates: starters.reduce((n, p) => n + (connector.sendsPerUser().get(p.id) ?? 1) - 1, 0),
        scheduledRunGraphRequests: runCounters.requests,
        scheduledRunResourceUnits: runCounters.resourceUnits,
        graphRequests: emulator.counters().requests,
        resourceUnits: emulator.counters().resourceUnits,
      };

      const figures = {
        people,
        schools,
        signed: signatures.length,
        provisioning: provisioning.figures,
        settings: { ...settings.figures, schoolsStored: stored.length },
        trustReport: {
          ...counts,
          cold: cold.figures,
          warm: warm.figures,
          coldGraphRequestsPerSchool: round2(cold.figures.graphRequests / schools),
        },
        campaign: campaignFigures,
        listViewThreshold: 5_000,
        newStarters,
        loadAverage: loadavg().map((l) => round2(l)),
        budget: {
          campaignCeilingRatio: 0.97,
          campaignResourceUnits: 250,
          trustReportGraphRequestsCold: 150,
          trustReportWarmMs: 1000,
          newStartersPromptedMinutes: 10,
        },
      };
      if (flag(args, 'json')) process.stdout.write(`${JSON.stringify(figures)}\n`);
      else {
        process.stdout.write(
          `Trust of ${String(schools)} schools, ${String(people)} people ` +
            `(${String(signatures.length)} signed): provisioning ` +
            `${String(provisioning.figures.graphRequests)} Graph requests; settings of every school ` +
            `${String(settings.figures.graphRequests)} requests; trust report cold ` +
            `${String(cold.figures.graphRequests)} requests, ${String(cold.figures.resourceUnits)} RU, ` +
            `${String(cold.figures.ms)} ms; warm ${String(warm.figures.graphRequests)} requests, ` +
            `${String(warm.figures.ms)} ms (budget ≤ 150 requests cold, < 1 s warm); ` +
            `campaign ${JSON.stringify(campaignFigures)} (budget ≥ 0.97, 0 lost, 0 duplicates, ` +
            `≤ 250 RU); new starters ${JSON.stringify(newStarters)} (budget 10 minutes); ` +
            `load ${figures.loadAverage.join(' ')}.\n`,
        );
      }
    } finally {
      await instance?.stop();
      await work.close();
      await connector.close();
    }
  } finally {
    await emulator.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
