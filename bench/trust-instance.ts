import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { z } from 'zod';
import { createGraphAdapters } from '../src/adapters/graph/create-graph-adapters.ts';
import { emulatorAppToken } from '../src/adapters/graph/emulator-app-token.ts';
import { openSqliteWorkStore } from '../src/adapters/sqlite/sqlite-work-store.ts';
import { ConnectorMessenger } from '../src/adapters/teams-connector/connector-messenger.ts';
import { TRUST_SETTINGS_ID, trustOf } from '../src/domain/trust.ts';
import type { Actor } from '../src/services/actor.ts';
import {
  createCampaignService,
  type CampaignService,
} from '../src/services/campaigns/campaign-service.ts';
import { placeholderCards } from '../src/services/campaigns/placeholder-cards.ts';
import { schoolScopedRecords } from '../src/services/school-scoped-records.ts';
import type { TrustContext } from '../src/services/service-context.ts';

/**
 * bench:trust's service instance (bench/trust.ts starts it): the deployment's campaign side in a
 * process of its own, as production runs it apart from Graph and Teams (here: both emulators, in
 * the bench's process). Every school of the settings list composed as composeSchool composes its
 * campaigns (school-services.ts): the first school's runtime holds the one tenant sender and the
 * trust (launchTrust, what POST /api/trust/policies/:key/campaigns calls); every other school's
 * runs its scheduled work under its own lease. The bench asks it, over IPC, to launch, flush the
 * totals, move its clock and run every school's scheduled work, and it answers with what they
 * returned and this process's event-loop lag while it sent.
 */
export const instanceWiring = z.object({
  graphUrl: z.string(),
  siteId: z.string(),
  connectorUrl: z.string(),
  tenantId: z.string(),
  workPath: z.string(),
  clockOffsetMs: z.number(),
  lead: z.object({ id: z.string(), upn: z.string(), displayName: z.string() }),
});
export type InstanceWiring = z.infer<typeof instanceWiring>;

export const instanceRequest = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('launch'),
    id: z.number(),
    policyKey: z.string(),
    deadline: z.string(),
  }),
  z.object({ type: z.literal('flush'), id: z.number() }),
  z.object({ type: z.literal('clock'), id: z.number(), offsetMs: z.number() }),
  z.object({ type: z.literal('scheduled'), id: z.number() }),
]);
export type InstanceRequest = z.infer<typeof instanceRequest>;

async function main(): Promise<void> {
  const at = process.argv.indexOf('--wiring');
  const wiring = instanceWiring.parse(JSON.parse(process.argv[at + 1] ?? '{}'));
  let offsetMs = wiring.clockOffsetMs;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const graph = createGraphAdapters({
    baseUrl: wiring.graphUrl,
    accessToken: emulatorAppToken,
    site: wiring.siteId,
    // 30 s, not the gateway's 10 s: the emulator answers from the bench's process, on 2 cores
    // shared with other work; at load ~14 a 5,000-item page of the trust's 37,500 signatures
    // (the launch's one read of the list) passed 10 s in the first 50,000-person run.
    timeoutMs: 30_000,
  });
  // As compose-service.ts's: the settings list read at each use.
  const trust: TrustContext = {
    id: TRUST_SETTINGS_ID,
    read: async () => {
      const read = trustOf((await graph.settings.list()).map((row) => row.school));
      return { name: read.settings.name, leadIds: read.settings.leadIds, schools: read.schools };
    },
    records: graph.records,
  };
  const { schools } = await trust.read();
  const work = openSqliteWorkStore({ path: wiring.workPath });
  const messenger = new ConnectorMessenger({
    serviceUrl: wiring.connectorUrl,
    tenantId: wiring.tenantId,
    botId: 'bench-bot',
    getToken: () => Promise.resolve('bench-token'),
    installApp: () => Promise.resolve(),
  });
  const errors: string[] = [];
  const services: CampaignService[] = schools.map((school, i) =>
    createCampaignService({
      records: schoolScopedRecords(graph.records, () => school.id),
      directory: graph.directory,
      work,
      messenger,
      cards: placeholderCards,
      school,
      clock,
      newId: randomUUID,
      holderId: 'bench-instance',
      trust:
        i === 0
          ? { role: { kind: 'sender', siteRecords: graph.records, trust } }
          : { role: { kind: 'scheduled-only' }, lease: `campaign-scheduler:${school.id}` },
      // The scheduled work is run when the bench asks (new starters), on the bench's clock.
      scheduleEveryMs: 0,
      onError: (error) => {
        errors.push(String(error));
        process.stderr.write(`campaign error: ${String(error)}\n`);
      },
    }),
  );
  const sender = services[0];
  if (sender === undefined) throw new Error('the settings list holds no school');
  const lead: Actor = { ...wiring.lead, roles: [] };
  const lag = monitorEventLoopDelay({ resolution: 5 });

  const answer = async (request: InstanceRequest): Promise<unknown> => {
    switch (request.type) {
      case 'launch': {
        lag.reset();
        lag.enable();
        return sender.launchTrust(lead, request.policyKey, { deadline: request.deadline });
      }
      case 'flush': {
        await sender.flushTotals();
        lag.disable();
        return {
          errors,
          maxEventLoopLagMs: Math.round(lag.max / 1e6),
          eventLoopLagP99Ms: Math.round(lag.percentile(99) / 1e6),
        };
      }
      case 'clock':
        offsetMs = request.offsetMs;
        return {};
      case 'scheduled':
        return Promise.all(services.map((service) => service.runScheduled()));
    }
  };
  process.on('message', (message) => {
    const request = instanceRequest.parse(message);
    answer(request).then(
      (value) => process.send?.({ id: request.id, value }),
      (error: unknown) => process.send?.({ id: request.id, error: String(error) }),
    );
  });
  sender.startSender();
  const ticker = setInterval(() => {
    process.send?.({ holdsLease: sender.sender.stats().holdsLease });
  }, 200);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  clearInterval(ticker);
  await Promise.all(services.map((service) => service.stop()));
  await work.close();
  // Timers of a stopped sender (a totals nap) must not hold the process open.
  process.exit(0);
}

await main();
