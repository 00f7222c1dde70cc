import { createJsonLinesLogger } from '../adapters/logging/json-lines-logger.ts';
import { noTelemetry } from '../ports/telemetry.ts';
import { createRequestScope } from '../server/request-observer.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadEvidenceKeyFile,
  memoryEvidenceKeys,
} from '../adapters/evidence-keys/local-evidence-keys.ts';
import { createGraphAdapters } from '../adapters/graph/create-graph-adapters.ts';
import { emulatorAppToken } from '../adapters/graph/emulator-app-token.ts';
import { provisionSite } from '../adapters/graph/provision.ts';
import { teamsAppInstaller } from '../adapters/graph/teams-app-installer.ts';
import { openSqliteWorkStore } from '../adapters/sqlite/sqlite-work-store.ts';
import { ConnectorMessenger } from '../adapters/teams-connector/connector-messenger.ts';
import { createDemoIdentityProvider } from './demo/demo-identities.ts';
import type { DevUser } from './identity/dev-identity-provider.ts';
import { createTokenVerifier } from '../api/auth/token-verifier.ts';
import { localBotToken } from './local-bot-token.ts';
import { DEV_SEAL_KEY } from '../config/env.ts';
import { DEMO_SCHOOL } from './demo/demo-school.ts';
import { startGraphEmulator, type GraphEmulator } from './graph-emulator/graph-emulator.ts';
import {
  startConnectorEmulator,
  type ConnectorEmulator,
} from './connector-emulator/connector-emulator.ts';
import type { KeyRing } from '../domain/evidence/key-ring.ts';
import { systemClock, type Clock } from '../ports/clock.ts';
import type { CampaignService } from '../services/campaigns/campaign-service.ts';
import type { CountersignService } from '../services/countersign-service.ts';
import { composeService } from '../server/compose-service.ts';
import { close, listen } from '../server/http-server.ts';
import { seedDemoPolicy } from './demo/seed-demo-policy.ts';
import { LOCAL_APP_ID } from './local-app-id.ts';
import { DEMO_TRUST } from './demo/demo-trust.ts';
import { seedDemoTrust } from './demo/seed-demo-trust.ts';
import { PlaygroundChat } from './playground/playground-chat.ts';

export { LOCAL_APP_ID };

/** A fixed key for local runs only, so a restart still verifies the seals it wrote. */
export { DEV_SEAL_KEY };

export interface LocalStackOptions {
  port?: number;
  host?: string;
  /** The Graph emulator's port (0, the default, picks a free one). */
  graphPort?: number;
  /** Where the emulator and work store keep their SQLite files; in memory when absent. */
  dataDir?: string;
  /** The built tab (vite build output). */
  tabDir?: string;
  /** The Bot Connector for proactive sends (the Agents Playground's /_connector). */
  connectorUrl?: string;
  clock?: Clock;
  log?: (line: string) => void;
  /**
   * Seeds the demo trust beside the demo school (src/dev/demo/demo-trust.ts: three schools, the
   * trust AUP with variants, one school's own policy) and adds its lead and school admins to the
   * dev switcher. `npm start` turns it on; tests that do not ask for it get the demo school only.
   */
  demoTrust?: boolean;
}

export interface LocalStack {
  /** The service: tab, API and bot endpoint. */
  url: string;
  emulator: GraphEmulator;
  /** The Bot Connector emulator that campaign messages go to. */
  connector: ConnectorEmulator;
  /**
   * The Agents Playground's chat on screen: once attached (npm start, when the Playground
   * listens), an admin's own test card goes there rather than to the connector emulator.
   */
  playgroundChat: PlaygroundChat;
  campaigns: CampaignService;
  service: CountersignService;
  /** The public keys that verify what this stack signs (also at GET /api/evidence/keys). */
  keyRing: KeyRing;
  devUsers: readonly DevUser[];
  close(): Promise<void>;
}

/**
 * Everything `npm start` runs except the Agents Playground: the Graph emulator with the demo
 * school, the lists provisioned and the demo AUP published, and one HTTP server for the API (with
 * the dev identity provider), the bot endpoint and the tab. Browser and end-to-end tests start
 * the same thing on port 0.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? systemClock;
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const emulator = await startGraphEmulator({
    dbPath: options.dataDir ? join(options.dataDir, 'graph-emulator.sqlite') : ':memory:',
    seed: 'demo',
    port: options.graphPort ?? 0,
    // Strict, as Graph is: the service presents the dev app token below (Countersign's
    // registration, fullcontrol on the site), and the catalog holds the demo's own app only.
    permissions: { catalog: [LOCAL_APP_ID] },
  });
  const stops: (() => Promise<void>)[] = [() => emulator.close()];
  try {
    // The evidence key: a file beside the emulator's data, so a restart verifies what it signed.
    const evidence = options.dataDir
      ? loadEvidenceKeyFile(join(options.dataDir, 'evidence-key.pem'), { create: true })
      : memoryEvidenceKeys();
    const graph = createGraphAdapters({
      baseUrl: emulator.url,
      site: emulator.siteId,
      accessToken: emulatorAppToken,
      evidenceSigner: evidence.signer,
    });
    const provisioned = await provisionSite(graph.gateway, graph.records.site);
    if (provisioned.changes.length > 0)
      log(`provisioned ${provisioned.changes.length} list changes`);
    const school = DEMO_SCHOOL.school;
    if (
      await seedDemoPolicy(graph.records, {
        schoolId: school.id,
        audiences: school.audiences.map((a) => a.key),
        document: DEMO_SCHOOL.aup,
        actorId: DEMO_SCHOOL.dsl.id,
        now: clock.now(),
        signer: evidence.signer,
      })
    ) {
      log('published the demo AUP as version 1');
    }
    const demoTrust = options.demoTrust === true;
    const idp = await createDemoIdentityProvider({ trust: demoTrust });

    // Campaign fan-out goes to the Bot Connector emulator, which enforces the Teams limits and
    // records what each person received (the Playground's fake users are not the demo school).
    const connector = await startConnectorEmulator({
      tenantId: DEMO_SCHOOL.tenantId,
      recordBodies: true,
      // The demo's people have Entra ids and the messenger names the tenant, as Teams requires.
      strict: true,
    });
    stops.unshift(() => connector.close());
    const playgroundChat = new PlaygroundChat();
    // The service logs JSON lines (as in production) to the same place as the stack's own lines.
    const requestScope = createRequestScope(noTelemetry);
    const serviceLog = createJsonLinesLogger({
      write: (line) => log(calmLocalLine(line.trimEnd())),
      context: requestScope.logContext,
    });
    const { service, campaigns, server, stop, syncSchools } = await composeService({
      graph,
      school,
      clock,
      sealKey: DEV_SEAL_KEY,
      evidence,
      work: openSqliteWorkStore({
        path: options.dataDir ? join(options.dataDir, 'work.sqlite') : ':memory:',
      }),
      messenger: new ConnectorMessenger({
        serviceUrl: connector.url,
        tenantId: DEMO_SCHOOL.tenantId,
        botId: LOCAL_APP_ID,
        getToken: () => Promise.resolve('local-dev-token'),
        installApp: teamsAppInstaller(graph.gateway, LOCAL_APP_ID),
      }),
      previewsTo: playgroundChat.previewsTo,
      cards: { appId: LOCAL_APP_ID, timeZone: school.timeZone },
      auth: createTokenVerifier(idp.verifierConfig()),
      devIdentityProvider: idp,
      // The Agents Playground sends no Bot Connector token: accepted in dev mode only.
      bot: {
        devMode: true,
        allowUnauthenticated: true,
        clientId: LOCAL_APP_ID,
        token: localBotToken(LOCAL_APP_ID),
        ...(options.connectorUrl ? { serviceUrl: options.connectorUrl } : {}),
      },
      holderId: `local-${process.pid}`,
      totalsEveryMs: 2_000,
      tabConfig: { mode: 'dev' },
      ...(options.tabDir ? { tabDir: options.tabDir } : {}),
      log: serviceLog,
      requestScope,
    });
    stops.unshift(stop);
    if (
      demoTrust &&
      (await seedDemoTrust({
        directory: emulator.setup,
        settings: graph.settings,
        records: graph.records,
        service,
        clock,
        signer: evidence.signer,
      }))
    ) {
      log(`seeded the demo trust: ${DEMO_TRUST.name}, its AUP published to three schools`);
    }
    // The trust's schools are served from the first request: their people sign, their admins
    // run campaigns (the settings list is read again now, not 15 s from now).
    if (demoTrust) await syncSchools();
    const host = options.host ?? '127.0.0.1';
    const port = await listen(server, options.port ?? 0, host);
    stops.unshift(() => close(server));
    return {
      url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
      emulator,
      connector,
      playgroundChat,
      campaigns,
      service,
      keyRing: evidence.keyRing,
      devUsers: idp.users,
      close: async () => {
        for (const stop of stops) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops) await stop();
    throw error;
  }
}

/**
 * The Teams SDK warns, rightly, that the bot takes unauthenticated requests: on `npm start` that
 * is the point (the Agents Playground signs nothing) and it is allowed in dev mode only
 * (bot-app.ts refuses it otherwise; a tenant's service checks every Bot Connector token through
 * the inbound gate). An IT lead trying it read the yellow warning as a fault, so the local run
 * says what it means instead. Every other line passes unchanged.
 */
export function calmLocalLine(line: string): string {
  if (!line.includes('dangerouslyAllowUnauthenticatedRequests is enabled')) return line;
  return 'bot: accepting the Agents Playground’s unsigned messages on /api/messages (local run only; a school’s own deployment refuses any message without a genuine Bot Connector token)';
}
