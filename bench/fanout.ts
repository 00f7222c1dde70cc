import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
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
import { POLICY_KEY, flag, option, startBenchEmulator } from './bench-emulator.ts';

/**
 * Campaign fan-out against a Bot Connector emulator that enforces the Teams limits
 * (DESIGN.md §5: ≥ 97 % of 50 sends a second, 0 lost, 0 duplicates, ≤ 100 SharePoint RUs).
 *
 *   npm run bench:fanout -- --recipients 10000 --json [--kill-after 60]
 *
 * Set-up (not timed): the Graph emulator with the lists, the AUP and `--recipients` people in
 * one staff group; a conversation stored for each (so each needs exactly one send, as in
 * Microsoft's large-scale notification sample); the campaign launched through CampaignService
 * (audience resolved through Graph, one campaign record in SharePoint).
 * Timed (`seconds`): the sender, run as a child process (as production runs it apart from the
 * emulators), from the moment it starts until the connector accepted the last send; with
 * --kill-after that includes the kill, the restart and the wait for the dead sender's lease.
 * resourceUnits: what the Graph emulator charged for SharePoint from the launch to the end
 * (the campaign record, its totals, and the launch's reads of the policy and signatures).
 * With --kill-after S the sender runs as a child process, is SIGKILLed after S seconds and
 * started again; inFlightAtKill is the rows it had claimed but not settled.
 */
const args = process.argv.slice(2);
const TENANT = 'bench-tenant';
const LEASE_TTL_MS = 5_000;

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

interface Wiring {
  graphUrl: string;
  siteId: string;
  connectorUrl: string;
  workPath: string;
  school: School;
  /** Overrides of the pacer's margin and minimum gap (experiments). */
  pacing?: Partial<PacerOptions>;
  loneThrottleHoldMs?: number;
}

function service(wiring: Wiring, work: WorkStore, holderId: string): CampaignService {
  const graph = createGraphAdapters({ baseUrl: wiring.graphUrl, site: wiring.siteId });
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
    sender: {
      leaseTtlMs: LEASE_TTL_MS,
      renewEveryMs: 1_000,
      idlePollMs: 100,
      ...(wiring.pacing === undefined ? {} : { pacing: wiring.pacing }),
      ...(wiring.loneThrottleHoldMs === undefined
        ? {}
        : { loneThrottleHoldMs: wiring.loneThrottleHoldMs }),
    },
    onError: (error) => {
      process.stderr.write(`sender error: ${String(error)}\n`);
    },
  });
}

/** The child: run the sender until nothing is left, then exit. */
async function child(): Promise<void> {
  const wiring = JSON.parse(value('wiring')) as Wiring;
  const work = openSqliteWorkStore({ path: wiring.workPath });
  const campaigns = service(wiring, work, `child-${process.pid}`);
  process.send?.({ senderStartedAt: Date.now() });
  campaigns.startSender();
  await campaigns.sender.untilIdle();
  await campaigns.stop();
  await work.close();
  process.stderr.write(`${JSON.stringify({ child: process.pid, ...campaigns.sender.stats() })}\n`);
  // Timers of a stopped sender (a totals nap) must not hold the process open.
  process.exit(0);
}

interface Child {
  done: Promise<number | null>;
  kill: () => void;
  /** Epoch ms when its sender started. */
  started: Promise<number>;
}

function runChild(wiring: Wiring): Child {
  const node = process.execPath;
  const proc = spawn(
    node,
    [process.argv[1] ?? 'bench/fanout.ts', '--child', '--wiring', JSON.stringify(wiring)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  return {
    done: new Promise((resolve) => proc.on('exit', (code) => resolve(code))),
    kill: () => proc.kill('SIGKILL'),
    started: new Promise((resolve) =>
      proc.on('message', (message) => {
        const parsed = z.object({ senderStartedAt: z.number() }).safeParse(message);
        if (parsed.success) resolve(parsed.data.senderStartedAt);
      }),
    ),
  };
}

async function main(): Promise<void> {
  const recipients = option(args, 'recipients', 10_000);
  const killAfter = args.includes('--kill-after') ? option(args, 'kill-after', 60) : undefined;
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
  const work = openSqliteWorkStore({ path: join(dir, 'work.sqlite') });
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
    const updatedAt = new Date().toISOString();
    for (const person of people) {
      await work.putConversation({
        userId: person.id,
        conversationId: connector.conversationIdFor(person.id),
        serviceUrl: connector.url,
        tenantId: TENANT,
        updatedAt,
      });
    }
    const wiring: Wiring = {
      graphUrl: graphEmulator.url,
      siteId: graphEmulator.siteId,
      connectorUrl: connector.url,
      workPath: join(dir, 'work.sqlite'),
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

    graphEmulator.resetCounters();
    const launcher = service(wiring, work, `parent-${process.pid}`);
    const campaign = await launcher.launch(benchAdmin, {
      policyKey: POLICY_KEY,
      versionNumber: 1,
      deadline: new Date(Date.now() + 21 * 86_400_000).toISOString(),
    });

    let inFlightAtKill: number | undefined;
    let restartGapSeconds: number | undefined;
    const spawnedAt = Date.now();
    let senderStartedAt: number;
    if (killAfter === undefined) {
      const run = runChild(wiring);
      senderStartedAt = await run.started;
      const code = await run.done;
      if (code !== 0) throw new Error(`the sender exited with ${String(code)}`);
    } else {
      const first = runChild(wiring);
      senderStartedAt = await first.started;
      await new Promise((resolve) => setTimeout(resolve, killAfter * 1000));
      first.kill();
      await first.done;
      const killedAt = Date.now();
      inFlightAtKill = (await work.countDeliveries({ jobId: campaign.id })).inFlight;
      const second = runChild(wiring);
      // The restarted sender waits for the killed one's lease to expire before it sends.
      const restartedAt = await second.started;
      const code = await second.done;
      if (code !== 0) throw new Error(`the restarted sender exited with ${String(code)}`);
      const firstAfter = connector
        .delivered()
        .find((d) => performance.timeOrigin + d.at >= restartedAt);
      restartGapSeconds =
        Math.round(
          ((firstAfter ? performance.timeOrigin + firstAfter.at : killedAt) - killedAt) / 10,
        ) / 100;
    }
    const perUser = connector.sendsPerUser();
    const delivered = perUser.size;
    const duplicates = [...perUser.values()].reduce((sum, n) => sum + n - 1, 0);
    const counters = connector.counters();
    const sent = counters.activitiesSent;
    const times = connector.delivered().map((d) => performance.timeOrigin + d.at);
    // From the sender's start to the last send accepted: the fan-out itself.
    const seconds = ((times.at(-1) ?? senderStartedAt) - senderStartedAt) / 1000;
    const spanSeconds = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
    const record = await graph.records.getCampaign(campaign.id);
    const report = {
      recipients,
      sent,
      lost: recipients - delivered,
      duplicates,
      seconds: Math.round(seconds * 100) / 100,
      ceilingRatio: Math.round((sent / seconds / 50) * 1000) / 1000,
      resourceUnits: graphEmulator.counters().resourceUnits,
      throttled: counters.throttled,
      maxPerSecond: counters.maxTenantPerSecond,
      /** Sends a second between the first and the last send (no start-up or idle detection). */
      steadyRatio: Math.round(((sent - 1) / spanSeconds / 50) * 1000) / 1000,
      recordSent: record?.value.counts.sent ?? null,
      /** Process start-up before the sender ran (node, imports), not in `seconds`. */
      startupSeconds: Math.round((senderStartedAt - spawnedAt) / 10) / 100,
      ...(flag(args, 'verbose') ? { throttles: connector.throttles() } : {}),
      ...(killAfter === undefined
        ? {}
        : { killAfterSeconds: killAfter, inFlightAtKill, restartGapSeconds }),
    };
    if (flag(args, 'json')) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      process.stdout.write(
        `${sent} sends to ${recipients} people in ${report.seconds} s: ${report.ceilingRatio} of the 50/s ceiling ` +
          `(budget 0.97); lost ${report.lost}, duplicates ${duplicates}, 429s ${counters.throttled}; ` +
          `${report.resourceUnits} SharePoint resource units (budget 100).\n`,
      );
    }
  } finally {
    await work.close();
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
else await main();
