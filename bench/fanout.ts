import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { openAzureTablesWorkStore } from '../src/adapters/azure-tables/azure-tables-work-store.ts';
import { createGraphAdapters } from '../src/adapters/graph/create-graph-adapters.ts';
import { openSqliteWorkStore } from '../src/adapters/sqlite/sqlite-work-store.ts';
import { ConnectorMessenger } from '../src/adapters/teams-connector/connector-messenger.ts';
import type { School } from '../src/domain/school.ts';
import type { WorkStore } from '../src/ports/work-store.ts';
import { DEMO_SCHOOL } from '../src/dev/demo/demo-school.ts';
import { syntheticPeople } from '../src/dev/graph-emulator/graph-emulator.ts';
import { startConnectorEmulator } from '../src/dev/connector-emulator/connector-emulator.ts';
import type { Actor } from '../src/services/actor.ts';
import {
  createCampaignService,
  type CampaignService,
} from '../src/services/campaigns/campaign-service.ts';
import type { PacerOptions } from '../src/services/campaigns/pacing.ts';
import { placeholderCards } from '../src/services/campaigns/placeholder-cards.ts';
import { startAzurite } from '../tests/support/start-azurite.ts';
import { startStorageProxy } from '../tests/support/storage-proxy.ts';
import { POLICY_KEY, flag, option, startBenchEmulator } from './bench-emulator.ts';
import { deliveryFigures, sleep, storeConversations, until } from './delivery-figures.ts';
import { emulatorAppToken } from '../src/adapters/graph/emulator-app-token.ts';

/**
 * Campaign fan-out against a Bot Connector emulator that enforces the Teams limits
 * (DESIGN.md §5: ≥ 97 % of 50 sends a second, 0 lost, 0 duplicates, ≤ 100 SharePoint RUs).
 *
 *   npm run bench:fanout -- --recipients 10000 --json [--kill-after 60]
 *   npm run bench:fanout -- --store azure-tables --instances 2 --recipients 2500 --json
 *       [--kill-after 20 | --freeze-after 20 | --handover-after 20] [--idle-seconds 30]
 *
 * Set-up (not timed): the Graph emulator with the lists, the AUP and `--recipients` people in
 * one staff group; a conversation stored for each (so each needs exactly one send, as in
 * Microsoft's large-scale notification sample); the work store: a SQLite file, or Azurite's
 * Table service behind a proxy that counts storage requests (`--store azure-tables`).
 * `--instances N` service instances run as child processes (as production runs them apart from
 * the emulators), each with the campaign sender at the production settings (15 s lease); one
 * holds the sender lease. Once they run, the campaign is launched through CampaignService (the
 * audience resolved through Graph, one campaign record in SharePoint), as an admin would
 * through an instance's API, and the instances find it in the store.
 *
 * Figures:
 * - `ceilingRatio`: sends a second from the launch to the last send, over 50 (what an admin
 *   waits for); `steadyRatio`: between the first and the last send.
 * - `lost`, `duplicates`: from the connector's record of accepted activities.
 * - `storageRequestsPerRecipient` (Azure Tables): requests through the proxy from the launch
 *   to the end (the launch's enqueue, every instance's claims, settles, conversation reads,
 *   lease renewals and polls), over the recipients.
 * - `idle` (with --idle-seconds): storage requests a second with the campaign done and every
 *   instance still running (holder and standbys), and what that makes in a 30-day month.
 * - `resourceUnits`: what the Graph emulator charged for SharePoint from the launch to the end.
 * - With --kill-after S the lease holder is SIGKILLed S seconds after the launch (one instance:
 *   started again; several: a standby takes over when the lease expires); --freeze-after S
 *   stops it (SIGSTOP) for --freeze-seconds (default 20, longer than the lease), then lets it
 *   run again; --handover-after S asks it to stop (SIGTERM, a clean shutdown: the lease is
 *   released). `inFlightAtKill` is the rows it had claimed and not settled (at most these may
 *   repeat), `gapSeconds` the time from then to the next send.
 */
const args = process.argv.slice(2);
const TENANT = 'bench-tenant';

function value(name: string): string {
  const at = args.indexOf(`--${name}`);
  const found = at >= 0 ? args[at + 1] : undefined;
  if (found === undefined) throw new Error(`--${name} is required`);
  return found;
}

const benchAdmin: Actor = {
  id: DEMO_SCHOOL.dsl.id,
  upn: DEMO_SCHOOL.dsl.userPrincipalName,
  displayName: DEMO_SCHOOL.dsl.displayName,
  roles: ['Policy.Admin'],
};

type StoreKind = 'sqlite' | 'azure-tables';

interface Wiring {
  graphUrl: string;
  siteId: string;
  connectorUrl: string;
  store: { kind: 'sqlite'; path: string } | { kind: 'azure-tables'; connectionString: string };
  school: School;
  /** Overrides of the pacer's margin and minimum gap (experiments). */
  pacing?: Partial<PacerOptions>;
  loneThrottleHoldMs?: number;
}

function openStore(store: Wiring['store']): Promise<WorkStore> {
  return store.kind === 'sqlite'
    ? Promise.resolve(openSqliteWorkStore({ path: store.path }))
    : openAzureTablesWorkStore({ connectionString: store.connectionString });
}

function service(wiring: Wiring, work: WorkStore, holderId: string): CampaignService {
  const graph = createGraphAdapters({
    baseUrl: wiring.graphUrl,
    accessToken: emulatorAppToken,
    site: wiring.siteId,
  });
  const messenger = new ConnectorMessenger({
    serviceUrl: wiring.connectorUrl,
    tenantId: TENANT,
    botId: 'bench-bot',
    getToken: () => Promise.resolve('bench-token'),
    installApp: () => Promise.resolve(),
  });
  return createCampaignService({
    records: graph.records,
    directory: graph.directory,
    work,
    messenger,
    cards: placeholderCards,
    school: wiring.school,
    clock: { now: () => new Date() },
    newId: randomUUID,
    holderId,
    // The production lease settings (DEFAULT_SENDER_OPTIONS: a 15 s lease renewed every 5 s).
    sender: {
      ...(wiring.pacing === undefined ? {} : { pacing: wiring.pacing }),
      ...(wiring.loneThrottleHoldMs === undefined
        ? {}
        : { loneThrottleHoldMs: wiring.loneThrottleHoldMs }),
    },
    // The scheduled work (reminders, digests, checkpoints) is not what this measures.
    scheduleEveryMs: 0,
    onError: (error) => {
      process.stderr.write(`sender error: ${String(error)}\n`);
    },
  });
}

const storageMessage = z.union([
  z.object({ direct: z.string(), proxied: z.string() }),
  z.object({ requests: z.number() }),
]);

/** The storage process: Azurite's Table service and the counting proxy in front of it. */
async function storageChild(): Promise<void> {
  const azurite = await startAzurite({ service: 'table' });
  const proxy = await startStorageProxy(azurite.connectionString);
  process.on('message', (message) => {
    if (message === 'requests') process.send?.({ requests: proxy.requests() });
  });
  process.send?.({ direct: azurite.connectionString, proxied: proxy.connectionString });
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await proxy.close();
  await azurite.stop();
  process.exit(0);
}

interface StorageProcess {
  direct: string;
  proxied: string;
  requests(): Promise<number>;
  stop(): Promise<void>;
}

function startStorageProcess(): Promise<StorageProcess> {
  const proc = spawn(process.execPath, [process.argv[1] ?? 'bench/fanout.ts', '--storage'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  let answer: ((requests: number) => void) | null = null;
  return new Promise((resolve) => {
    proc.on('message', (message) => {
      const parsed = storageMessage.safeParse(message);
      if (!parsed.success) return;
      if ('requests' in parsed.data) {
        answer?.(parsed.data.requests);
        answer = null;
        return;
      }
      const { direct, proxied } = parsed.data;
      resolve({
        direct,
        proxied,
        requests: () =>
          new Promise((counted) => {
            answer = counted;
            proc.send('requests');
          }),
        stop: async () => {
          proc.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

const childMessage = z.object({
  pid: z.number(),
  started: z.boolean(),
  holdsLease: z.boolean(),
  sent: z.number(),
});
type ChildReport = z.infer<typeof childMessage>;

/** The store with each call's duration kept per method (what the child reports at exit). */
function timed(store: WorkStore): { store: WorkStore; summary(): Record<string, string> } {
  const durations = new Map<string, number[]>();
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      const member: unknown = Reflect.get(target, prop, receiver);
      if (typeof member !== 'function' || typeof prop !== 'string') return member;
      return async (...callArgs: unknown[]): Promise<unknown> => {
        const started = performance.now();
        try {
          const call = member as (...a: unknown[]) => Promise<unknown>;
          return await call.apply(target, callArgs);
        } finally {
          const list = durations.get(prop) ?? [];
          list.push(performance.now() - started);
          durations.set(prop, list);
        }
      };
    },
  });
  return {
    store: wrapped,
    summary: () => {
      const out: Record<string, string> = {};
      for (const [name, list] of durations) {
        const sorted = [...list].sort((a, b) => a - b);
        const at = (q: number): number =>
          Math.round(sorted[Math.floor(q * (sorted.length - 1))] ?? 0);
        out[name] = `n ${sorted.length} p50 ${at(0.5)} p95 ${at(0.95)} max ${at(1)} ms`;
      }
      return out;
    },
  };
}

/** The child: one service instance's sender, until SIGTERM (a clean shutdown). */
async function child(): Promise<void> {
  const wiring = JSON.parse(value('wiring')) as Wiring;
  const opened = await openStore(wiring.store);
  const timing = timed(opened);
  const work = timing.store;
  const campaigns = service(wiring, work, `child-${process.pid}`);
  const tell = (started: boolean): void => {
    const { holdsLease, sent } = campaigns.sender.stats();
    process.send?.({ pid: process.pid, started, holdsLease, sent } satisfies ChildReport);
  };
  campaigns.startSender();
  tell(true);
  const ticker = setInterval(() => tell(false), 200);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  clearInterval(ticker);
  await campaigns.stop();
  await work.close();
  process.stderr.write(
    `${JSON.stringify({ child: process.pid, ...campaigns.sender.stats(), store: timing.summary() })}\n`,
  );
  // Timers of a stopped sender (a totals nap) must not hold the process open.
  process.exit(0);
}

interface Instance {
  proc: ChildProcess;
  last: ChildReport | null;
  exited: Promise<number | null>;
}

function startInstance(wiring: Wiring): Promise<Instance> {
  const proc = spawn(
    process.execPath,
    [process.argv[1] ?? 'bench/fanout.ts', '--child', '--wiring', JSON.stringify(wiring)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const instance: Instance = {
    proc,
    last: null,
    exited: new Promise((resolve) => proc.on('exit', (code) => resolve(code))),
  };
  return new Promise((resolve) => {
    proc.on('message', (message) => {
      const parsed = childMessage.safeParse(message);
      if (!parsed.success) return;
      instance.last = parsed.data;
      if (parsed.data.started) resolve(instance);
    });
  });
}

async function main(): Promise<void> {
  const recipients = option(args, 'recipients', 10_000);
  const instancesWanted = option(args, 'instances', 1);
  const storeKind = (args.includes('--store') ? value('store') : 'sqlite') as StoreKind;
  if (storeKind !== 'sqlite' && storeKind !== 'azure-tables') {
    throw new Error('--store is sqlite or azure-tables');
  }
  const disruption = (['kill', 'freeze', 'handover'] as const).find((d) =>
    args.includes(`--${d}-after`),
  );
  const disruptAfter =
    disruption === undefined ? undefined : option(args, `${disruption}-after`, 20);
  const freezeSeconds = option(args, 'freeze-seconds', 20);
  const idleSeconds = args.includes('--idle-seconds') ? option(args, 'idle-seconds', 30) : 0;
  const dir = mkdtempSync(join(tmpdir(), 'countersign-bench-fanout-'));
  const { emulator: graphEmulator, graph } = await startBenchEmulator(':memory:', 'demo');
  // --connector-limit N: a connector that allows N a second (experiments: is the sender or the
  // judge the bottleneck?). Teams' 50 otherwise.
  const connector = await startConnectorEmulator({
    tenantId: TENANT,
    // --latency-ms N: the connector answers after N ms (Teams takes 100–300 ms).
    ...(args.includes('--latency-ms') ? { latencyMs: Number(value('latency-ms')) } : {}),
    ...(args.includes('--connector-limit')
      ? { tenantRules: [{ limit: Number(value('connector-limit')), windowMs: 1_000 }] }
      : {}),
  });
  // Azurite and the counting proxy run in a process of their own, as storage runs apart from
  // the service: in this one they would share an event loop with the emulators.
  const storage = storeKind === 'azure-tables' ? await startStorageProcess() : null;
  const azurite = storage === null ? null : { connectionString: storage.direct };
  const proxy = storage === null ? null : { connectionString: storage.proxied };
  // The bench's own reads (set-up, watching the counts) go straight to the store, uncounted.
  const storeOf = (counted: boolean): Wiring['store'] =>
    azurite === null
      ? { kind: 'sqlite', path: join(dir, 'work.sqlite') }
      : {
          kind: 'azure-tables',
          connectionString:
            counted && proxy !== null ? proxy.connectionString : azurite.connectionString,
        };
  const work = await openStore(storeOf(false));
  const instances: Instance[] = [];
  try {
    // The audience: `recipients` people in one staff group, each with a stored conversation.
    const people = syntheticPeople(recipients, { prefix: 'fanout' });
    graphEmulator.setup.putUsers(people);
    const groupId = graphEmulator.setup.putGroup({
      displayName: 'Bench staff',
      memberIds: people.map((p) => p.id),
    });
    const school: School = {
      ...DEMO_SCHOOL.school,
      audiences: [{ key: 'staff', label: 'Staff', groupIds: [groupId] }],
    };
    await storeConversations(
      work,
      connector,
      TENANT,
      people.map((p) => p.id),
    );
    const wiring: Wiring = {
      graphUrl: graphEmulator.url,
      siteId: graphEmulator.siteId,
      connectorUrl: connector.url,
      store: storeOf(true),
      school,
      pacing: {
        ...(args.includes('--margin-ms') ? { marginMs: Number(value('margin-ms')) } : {}),
        ...(args.includes('--rate') ? { ratePerSecond: Number(value('rate')) } : {}),
        ...(args.includes('--margin-step-ms')
          ? { marginStepMs: Number(value('margin-step-ms')) }
          : {}),
        ...(args.includes('--catch-up-ms') ? { catchUpMs: Number(value('catch-up-ms')) } : {}),
      },
      ...(args.includes('--hold-ms') ? { loneThrottleHoldMs: Number(value('hold-ms')) } : {}),
    };

    // The instances start first, as production's run before anyone launches; one takes the lease.
    for (let i = 0; i < instancesWanted; i++) instances.push(await startInstance(wiring));
    await until(() => instances.some((x) => x.last?.holdsLease === true), 'a lease holder');
    const holder = (): Instance | undefined =>
      instances.find((x) => x.proc.exitCode === null && x.last?.holdsLease === true);

    graphEmulator.resetCounters();
    const requestsAtLaunch = (await storage?.requests()) ?? 0;
    const launchedAt = Date.now();
    // The launch goes through the proxy too: its enqueue is part of what a recipient costs.
    const launchStore = await openStore(storeOf(true));
    const launcher = service(wiring, launchStore, `launcher-${process.pid}`);
    const campaign = await launcher.launch(benchAdmin, {
      policyKey: POLICY_KEY,
      versionNumber: 1,
      deadline: new Date(Date.now() + 21 * 86_400_000).toISOString(),
    });
    await launchStore.close();

    let disrupted:
      { inFlightAtKill: number; gapSeconds: number | null; sentBefore: number } | undefined;
    if (disruption !== undefined && disruptAfter !== undefined) {
      await sleep(disruptAfter * 1000);
      const victim = holder();
      if (victim === undefined) throw new Error('no instance holds the lease to disrupt');
      const sentBefore = connector.delivered().length;
      let at = Date.now();
      let inFlightAtKill: number;
      switch (disruption) {
        case 'kill':
          victim.proc.kill('SIGKILL');
          await victim.exited;
          inFlightAtKill = (await work.countDeliveries({ jobId: campaign.id })).inFlight;
          // One instance: App Service starts it again; several: the others carry on.
          if (instancesWanted === 1) instances.push(await startInstance(wiring));
          break;
        case 'freeze':
          victim.proc.kill('SIGSTOP');
          inFlightAtKill = (await work.countDeliveries({ jobId: campaign.id })).inFlight;
          if (instancesWanted === 1) {
            throw new Error('--freeze-after needs --instances 2 or more');
          }
          setTimeout(() => victim.proc.kill('SIGCONT'), freezeSeconds * 1000);
          break;
        case 'handover':
          if (instancesWanted === 1) {
            throw new Error('--handover-after needs --instances 2 or more');
          }
          victim.proc.kill('SIGTERM');
          await victim.exited;
          // It sends what it had claimed before it stops: the gap is from its exit.
          at = Date.now();
          inFlightAtKill = (await work.countDeliveries({ jobId: campaign.id })).inFlight;
          break;
      }
      // The next send accepted after the disruption (a send already on its way when the
      // holder was stopped may land in the first milliseconds: those are not the next holder).
      const sentAfter = () =>
        connector.delivered().find((d) => performance.timeOrigin + d.at > at + 100);
      await until(
        () => sentAfter() !== undefined || connector.sendsPerUser().size >= recipients,
        'a send after the disruption',
      );
      const firstAfter = sentAfter();
      disrupted = {
        inFlightAtKill,
        sentBefore,
        gapSeconds:
          firstAfter === undefined
            ? null
            : Math.round((performance.timeOrigin + firstAfter.at - at) / 10) / 100,
      };
    }

    await until(() => connector.sendsPerUser().size >= recipients, 'every recipient');
    await until(async () => {
      const counts = await work.countDeliveries({ jobId: campaign.id });
      return counts.queued === 0 && counts.inFlight === 0;
    }, 'every delivery settled');
    const requestsAtEnd = (await storage?.requests()) ?? 0;
    const resourceUnits = graphEmulator.counters().resourceUnits;

    let idle: { seconds: number; requestsPerSecond: number; requestsPerMonth: number } | undefined;
    if (idleSeconds > 0 && storage !== null) {
      // Let the holder notice the queue ran dry and flush its totals, then count a quiet spell.
      await sleep(5_000);
      const before = await storage.requests();
      await sleep(idleSeconds * 1000);
      const perSecond = ((await storage.requests()) - before) / idleSeconds;
      idle = {
        seconds: idleSeconds,
        requestsPerSecond: Math.round(perSecond * 100) / 100,
        requestsPerMonth: Math.round(perSecond * 30 * 86_400),
      };
    }

    for (const instance of instances) {
      if (instance.proc.exitCode === null) instance.proc.kill('SIGTERM');
    }
    await Promise.all(instances.map((instance) => instance.exited));

    const figures = deliveryFigures(connector, recipients, launchedAt);
    const { duplicates } = figures;
    const record = await graph.records.getCampaign(campaign.id);
    const report = {
      store: storeKind,
      instances: instancesWanted,
      ...figures,
      resourceUnits,
      recordSent: record?.value.counts.sent ?? null,
      ...(proxy === null
        ? {}
        : {
            storageRequests: requestsAtEnd - requestsAtLaunch,
            storageRequestsPerRecipient:
              Math.round(((requestsAtEnd - requestsAtLaunch) / recipients) * 100) / 100,
          }),
      ...(idle === undefined ? {} : { idle }),
      ...(disruption === undefined || disrupted === undefined
        ? {}
        : {
            disruption,
            disruptAfterSeconds: disruptAfter,
            ...(disruption === 'freeze' ? { freezeSeconds } : {}),
            inFlightAtKill: disrupted.inFlightAtKill,
            repeatsWithinInFlight: duplicates <= disrupted.inFlightAtKill,
            gapSeconds: disrupted.gapSeconds,
          }),
      ...(flag(args, 'verbose') ? { throttles: connector.throttles() } : {}),
    };
    if (flag(args, 'json')) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      process.stdout.write(
        `${report.sent} sends to ${recipients} people in ${report.seconds} s from the launch: ${report.ceilingRatio} of the 50/s ceiling ` +
          `(steady ${report.steadyRatio}; budget 0.97); lost ${report.lost}, duplicates ${duplicates}, 429s ${report.throttled}; ` +
          `${report.resourceUnits} SharePoint resource units (budget 100)` +
          `${'storageRequestsPerRecipient' in report ? `; ${report.storageRequestsPerRecipient} storage requests a recipient` : ''}.\n`,
      );
    }
  } finally {
    for (const instance of instances) {
      if (instance.proc.exitCode === null) instance.proc.kill('SIGKILL');
    }
    await work.close();
    await storage?.stop();
    await connector.close();
    await graphEmulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The machines this runs on are shared: other suites' browsers and linters compete for two
 * cores, and a process descheduled for 50 ms delivers requests to the connector bunched up.
 * Unless --no-priority, the benchmark's own processes ask for a higher scheduling priority
 * (where permitted) so that it measures the sender, not its neighbours.
 */
function raisePriority(): void {
  if (args.includes('--no-priority')) return;
  try {
    setPriority(-10);
  } catch {
    process.stderr.write('(could not raise the scheduling priority; figures include contention)\n');
  }
}

raisePriority();
if (args.includes('--child')) await child();
else if (args.includes('--storage')) await storageChild();
else await main();
