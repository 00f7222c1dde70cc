import { createLocalJWKSet } from 'jose';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { z } from 'zod';
import { memoryEvidenceKeys } from '../src/adapters/evidence-keys/local-evidence-keys.ts';
import { createGraphAdapters } from '../src/adapters/graph/create-graph-adapters.ts';
import { teamsAppInstaller } from '../src/adapters/graph/teams-app-installer.ts';
import { createJsonLinesLogger } from '../src/adapters/logging/json-lines-logger.ts';
import { openSqliteWorkStore } from '../src/adapters/sqlite/sqlite-work-store.ts';
import { ConnectorMessenger } from '../src/adapters/teams-connector/connector-messenger.ts';
import { createTokenVerifier } from '../src/api/auth/token-verifier.ts';
import { DEV_SEAL_KEY } from '../src/config/env.ts';
import {
  startConnectorEmulator,
  type DeliveredActivity,
} from '../src/dev/connector-emulator/connector-emulator.ts';
import { DEMO_SCHOOL } from '../src/dev/demo/demo-school.ts';
import { localBotToken } from '../src/dev/local-bot-token.ts';
import { LOCAL_APP_ID } from '../src/dev/local-stack.ts';
import { systemClock } from '../src/ports/clock.ts';
import type { WorkStore } from '../src/ports/work-store.ts';
import { composeService } from '../src/server/compose-service.ts';
import { close, listen } from '../src/server/http-server.ts';
import { emulatorAppToken } from '../src/adapters/graph/emulator-app-token.ts';

/**
 * The service under `bench:soak`, in a process of its own so that the load generator's work
 * and the Graph emulator's (a third process) are in none of its figures. Composed as the local
 * stack composes it (compose-service.ts, a SQLite work store, the connector emulator for
 * campaign sends), except that the tab's tokens are checked against the benchmark's own key so
 * that each of 2,000 people can sign as themselves. Input: one JSON message over IPC; it answers
 * `{ url }`, then `measure` (start counting: heap after a GC, event-loop lag), `report`
 * (the figures since `measure`) and `deliveries` (campaign cards per person) messages.
 */
const inputSchema = z.object({
  graphUrl: z.url(),
  siteId: z.string().min(1),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
  issuer: z.string().min(1),
  audience: z.string().min(1),
  scope: z.string().min(1),
});
const commandSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start'), input: inputSchema }),
  z.object({ kind: z.literal('measure') }),
  z.object({ kind: z.literal('report') }),
  z.object({ kind: z.literal('deliveries') }),
  z.object({ kind: z.literal('stop') }),
]);

const gc = (): void => {
  // --expose-gc: the heap figures are what survives a full collection, not garbage not yet swept.
  (globalThis as { gc?: () => void }).gc?.();
};
const send = (message: unknown): void => {
  process.send?.(message);
};

let stopAll: (() => Promise<void>) | null = null;
let delivered: () => readonly DeliveredActivity[] = () => [];
let workStore: WorkStore | null = null;
const lag = monitorEventLoopDelay({ resolution: 10 });
let start = { heapUsed: 0, rss: 0, at: 0 };
let errorsLogged = 0;

process.on('message', (raw: unknown) => {
  const command = commandSchema.parse(raw);
  switch (command.kind) {
    case 'start':
      void begin(command.input).then(
        (url) => send({ kind: 'started', url }),
        (error: unknown) => {
          process.stderr.write(`soak service failed to start: ${String(error)}\n`);
          process.exit(1);
        },
      );
      return;
    case 'measure':
      gc();
      start = {
        heapUsed: process.memoryUsage().heapUsed,
        rss: process.memoryUsage().rss,
        at: Date.now(),
      };
      lag.reset();
      lag.enable();
      send({ kind: 'measuring' });
      return;
    case 'report': {
      lag.disable();
      gc();
      const end = process.memoryUsage();
      send({
        kind: 'figures',
        heapUsedMb: { start: mb(start.heapUsed), end: mb(end.heapUsed) },
        rssMb: { start: mb(start.rss), end: mb(end.rss) },
        maxEventLoopLagMs: Math.round(lag.max / 1e6),
        p99EventLoopLagMs: Math.round(lag.percentile(99) / 1e6),
        errorsLogged,
      });
      return;
    }
    case 'deliveries':
      void deliveries().then(send, (error: unknown) => {
        process.stderr.write(`soak service could not count deliveries: ${String(error)}\n`);
        process.exit(1);
      });
      return;
    case 'stop':
      void (stopAll ?? (() => Promise.resolve()))().then(() => process.exit(0));
      return;
  }
});

/**
 * Campaign cards the connector emulator took, per person (bench:outage: none twice), and apart
 * from them the approval cards per signature and approver (one each is expected: the benchmark
 * compares with SharePoint's approvals, approval-cards.ts), with the work store's approval rows
 * by state (the benchmark waits until none is queued or in flight).
 */
async function deliveries(): Promise<unknown> {
  const perUser = new Map<string, number>();
  const approvalCards = new Map<string, { acknowledgementId: string; userId: string; n: number }>();
  for (const activity of delivered()) {
    if (activity.kind !== 'create') continue;
    if (activity.refreshAction === 'refreshApproval') {
      const acknowledgementId = activity.refreshAcknowledgementId ?? '(none named)';
      const key = `${acknowledgementId}\n${activity.userId}`;
      const known = approvalCards.get(key) ?? { acknowledgementId, userId: activity.userId, n: 0 };
      known.n += 1;
      approvalCards.set(key, known);
      continue;
    }
    perUser.set(activity.userId, (perUser.get(activity.userId) ?? 0) + 1);
  }
  const approvalQueue = { jobs: 0, queued: 0, inFlight: 0, sent: 0, failed: 0, skipped: 0 };
  for (const job of (await workStore?.listJobs({ kind: 'approval' })) ?? []) {
    const counts = await workStore?.countDeliveries({ jobId: job.id });
    if (counts === undefined) continue;
    approvalQueue.jobs += 1;
    approvalQueue.queued += counts.queued;
    approvalQueue.inFlight += counts.inFlight;
    approvalQueue.sent += counts.sent;
    approvalQueue.failed += counts.failed;
    approvalQueue.skipped += counts.skipped;
  }
  const sends = [...perUser.values()];
  return {
    kind: 'deliveries',
    people: sends.length,
    cards: sends.reduce((a, b) => a + b, 0),
    duplicates: sends.reduce((a, n) => a + Math.max(0, n - 1), 0),
    approvalCards: [...approvalCards.values()],
    approvalQueue,
  };
}

function mb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

async function begin(input: z.infer<typeof inputSchema>): Promise<string> {
  const evidence = memoryEvidenceKeys();
  const graph = createGraphAdapters({
    baseUrl: input.graphUrl,
    accessToken: emulatorAppToken,
    site: input.siteId,
    evidenceSigner: evidence.signer,
  });
  await graph.records.warmUp();
  const connector = await startConnectorEmulator({ tenantId: DEMO_SCHOOL.tenantId });
  delivered = () => connector.delivered();
  const log = createJsonLinesLogger({
    // Only errors are kept (to stderr, and counted): a soak's info lines are noise.
    level: 'error',
    write: (line) => {
      errorsLogged += 1;
      process.stderr.write(line);
    },
  });
  const { server, stop } = await composeService({
    graph,
    school: DEMO_SCHOOL.school,
    clock: systemClock,
    sealKey: DEV_SEAL_KEY,
    evidence,
    work: (workStore = openSqliteWorkStore({ path: ':memory:' })),
    messenger: new ConnectorMessenger({
      serviceUrl: connector.url,
      tenantId: DEMO_SCHOOL.tenantId,
      botId: LOCAL_APP_ID,
      getToken: () => Promise.resolve('local-dev-token'),
      installApp: teamsAppInstaller(graph.gateway, LOCAL_APP_ID),
    }),
    cards: { appId: LOCAL_APP_ID, timeZone: DEMO_SCHOOL.school.timeZone },
    auth: createTokenVerifier({
      tenantId: DEMO_SCHOOL.tenantId,
      issuers: [input.issuer],
      audiences: [input.audience],
      keys: createLocalJWKSet(input.jwks),
      requiredScope: input.scope,
    }),
    bot: {
      devMode: true,
      allowUnauthenticated: true,
      clientId: LOCAL_APP_ID,
      token: localBotToken(LOCAL_APP_ID),
    },
    holderId: `soak-${process.pid}`,
    tabConfig: { mode: 'dev' },
    log,
  });
  const port = await listen(server, 0, '127.0.0.1');
  stopAll = async () => {
    await stop();
    await close(server);
    await connector.close();
  };
  return `http://127.0.0.1:${port}`;
}
