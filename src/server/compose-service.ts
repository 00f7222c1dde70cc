import { tenantPacing } from '../services/campaigns/pacing.ts';
import type { Server } from 'node:http';
import type { GraphAdapters } from '../adapters/graph/create-graph-adapters.ts';
import type { DevIdentityProvider } from '../api/auth/dev-sign-in.ts';
import type { TokenVerifier } from '../api/auth/token-verifier.ts';
import { createApiHandler } from '../api/create-api-handler.ts';
import { createBot } from '../bot/bot-app.ts';
import type { BotDeps } from '../bot/bot-deps.ts';
import { teamsSdkLogger } from '../bot/teams-sdk-logger.ts';
import type { CardsConfig } from '../bot/cards/index.ts';
import { withSettingsRoles } from '../api/auth/settings-roles-verifier.ts';
import { createLiveSchoolSettings } from '../services/live-school-settings.ts';
import { schoolScopedRecords } from '../services/school-scoped-records.ts';
import { createTrustCompliance } from '../services/trust-compliance.ts';
import { createTrustEvidence } from '../services/trust-evidence.ts';
import { PdfLibRenderer } from '../adapters/pdf/pdf-lib-renderer.ts';
import { createTrustReportRead } from '../services/trust-report-read.ts';
import { ReportSnapshots } from '../services/report-snapshot.ts';
import { PolicyChanges, reportingPolicyChanges } from '../services/read-cache.ts';
import type { School } from '../domain/school.ts';
import { importPolicyFile } from '../importer/read-policy-file.ts';
import type { CheckpointArchive } from '../ports/checkpoint-archive.ts';
import type { Clock } from '../ports/clock.ts';
import type { EvidenceKeys } from '../ports/evidence-keys.ts';
import type { Logger } from '../ports/logger.ts';
import { noTelemetry, type Telemetry } from '../ports/telemetry.ts';
import type { Messenger } from '../ports/messenger.ts';
import type { WorkStore } from '../ports/work-store.ts';
import type { CampaignService } from '../services/campaigns/campaign-service.ts';
import type { CountersignService } from '../services/countersign-service.ts';
import { createCountersignService } from '../services/create-countersign-service.ts';
import type { TrustContext } from '../services/service-context.ts';
import { TRUST_SETTINGS_ID, trustOf } from '../domain/trust.ts';
import { createHttpServer, type HttpServerOptions } from './http-server.ts';
import { createReadiness } from './readiness.ts';
import { createRequestScope, withSignGraphBudget, type RequestScope } from './request-observer.ts';
import { createTrustSchools, type SchoolParts } from './school-services.ts';
import { createStaticHandler } from './static-files.ts';
import { tabConfigHandler, type TabConfig } from './tab-config.ts';

export interface ComposeInput {
  graph: GraphAdapters;
  school: School;
  clock: Clock;
  sealKey: string;
  /** The evidence signer and the public key ring published at GET /api/evidence/keys. */
  evidence: EvidenceKeys;
  work: WorkStore;
  messenger: Messenger;
  /**
   * Local run only: where an admin's own test card goes while the Agents Playground runs (its
   * chat on screen); absent in production, where it goes to the admin's 1:1 chat like any card.
   */
  previewsTo?: () => Messenger | undefined;
  cards: CardsConfig;
  /** Verifies the tab's bearer tokens (Entra in production, the dev IdP locally). */
  auth: TokenVerifier;
  /** Dev mode only: registers /dev/* (sign-in as a demo user). */
  devIdentityProvider?: DevIdentityProvider;
  /** The bot's transport settings: credentials in production, the Playground's locally. */
  bot: Pick<
    BotDeps,
    | 'devMode'
    | 'allowUnauthenticated'
    | 'clientId'
    | 'clientSecret'
    | 'tenantId'
    | 'token'
    | 'serviceUrl'
    | 'inbound'
  >;
  /**
   * Where each signed checkpoint is copied besides the work store (the WORM Blob container in
   * Azure); none locally.
   */
  checkpointArchives?: readonly CheckpointArchive[];
  /** This instance's name for the sender and scheduler leases. */
  holderId: string;
  /**
   * How often the sweeper mends signatures a fault left without their audit event or Approvals
   * row (default 6 h; each run lists the acknowledgements, signature events and approvals once).
   */
  repairEveryMs?: number;
  /** How often campaign totals go to SharePoint (default 30 s). */
  totalsEveryMs?: number;
  /** The sender's ceiling on Teams calls a second for the tenant (default 50). */
  teamsTenantRps?: number;
  tabConfig: TabConfig;
  /** The built tab; absent in tests that need only the API and the bot. */
  tabDir?: string;
  /** Where the service logs (JSON lines); failures in the background (sender, sweeper) included. */
  log: Logger;
  /** Spans and counters (Application Insights when configured; default none). */
  telemetry?: Telemetry;
  /**
   * Each request's id, span and log scope; pass the one whose `logContext` the logger reads,
   * so log entries carry the request id (default: a scope of its own).
   */
  requestScope?: RequestScope;
  /** Overload protection of the HTTP server (defaults in http-server.ts). */
  http?: Pick<HttpServerOptions, 'maxInFlight' | 'handlerTimeoutMs'>;
}

export interface ComposedService {
  service: CountersignService;
  campaigns: CampaignService;
  server: Server;
  /**
   * Reads the settings list again now: a school added to it is served at once (its people's
   * requests and cards, its scheduled work) rather than within 15 s.
   */
  syncSchools: () => Promise<void>;
  /** Stops the campaign sender and the sweeper (the caller closes the server). */
  stop: () => Promise<void>;
}

/**
 * The one wiring of the service, shared by `npm start` (local-stack.ts) and a tenant
 * (main.ts): use cases, campaigns, the API, the bot and the tab on one node:http server. The
 * campaign sender is started; the caller listens and stops it.
 */
export async function composeService(input: ComposeInput): Promise<ComposedService> {
  const { graph, clock, work, messenger, log } = input;
  const telemetry = input.telemetry ?? noTelemetry;
  const report = (error: unknown, context: string): void =>
    log.error(`${context} failed`, { error });
  // The school's settings live in the site's settings list; input.school (COUNTERSIGN_SCHOOL)
  // only seeds it when it holds nothing for the school. Every part below holds the live view.
  const settingsDeps = {
    store: graph.settings,
    records: graph.records,
    clock,
    newId: () => crypto.randomUUID(),
  };
  const settings = createLiveSchoolSettings({
    deps: settingsDeps,
    bootstrap: input.school,
    onError: (error) => report(error, 'reading the school settings'),
  });
  await settings.current();
  // A trust keeps every school's records in one site: each school's services see its own
  // school only (another school's policies, signatures, approvals and campaigns are not found),
  // through the API and the bot alike. The evidence lists stay whole for the checkpoints and
  // records check. Every checkpoint goes to the site, the work store and any archive beyond (the
  // WORM container); the nightly records check reads them back from the same places.
  // The evidence pack's PDFs read the site's signed rows as stored, rendered here.
  const evidencePack = { rows: graph.records, renderer: new PdfLibRenderer() };
  // The people report's snapshots, one per policy, shared by every school's service and the trust
  // report: each is kept current by the signatures and decisions made through those services.
  const reportSnapshots = new ReportSnapshots(clock);
  // Policy writes made here through any school's service or the trust's own calls: every school's
  // read cache sees them at once (a master withdrawn by the lead is not served for another 30 s).
  const policyChanges = new PolicyChanges();
  const parts: SchoolParts = {
    graph,
    reportSnapshots,
    policyChanges,
    evidencePack,
    settingsDeps,
    clock,
    work,
    messenger,
    ...(input.previewsTo === undefined ? {} : { previewsTo: input.previewsTo }),
    cards: input.cards,
    sealKey: input.sealKey,
    evidence: input.evidence,
    telemetry,
    checkpointArchives: [work, ...(input.checkpointArchives ?? [])],
    holderId: input.holderId,
    pacing: { pacing: tenantPacing(input.teamsTenantRps ?? 50) },
    ...(input.totalsEveryMs === undefined ? {} : { totalsEveryMs: input.totalsEveryMs }),
    // The trust's calls (trust-policies.ts) span its schools: the site's records, whole.
    trust: trustContext(graph.settings, reportingPolicyChanges(graph.records, policyChanges)),
    report,
  };
  // The deployment's own school, and every other school of the settings list: composed when
  // first seen, its scheduled work run here too; each request and card action goes to its
  // person's school.
  const schools = createTrustSchools(parts, settings);
  const { own } = schools;
  const { school, service, campaigns } = own;
  await schools.sync();
  // The trust's schools side by side: each school through its own service (a school the list
  // gained since the last read through a service of its own over that school's view, made once
  // per version of its settings; only its reads are used: the people report, and the evidence
  // pack the trust lead downloads per school).
  const otherSchools = new Map<string, { settings: string; service: CountersignService }>();
  const serviceFor = (other: School): CountersignService => {
    const known = schools.known(other.id);
    if (known !== undefined) return known.service;
    const key = JSON.stringify(other);
    const made = otherSchools.get(other.id);
    if (made?.settings === key) return made.service;
    const service = createCountersignService({
      records: schoolScopedRecords(graph.records, () => other.id),
      directory: graph.directory,
      clock,
      sealKey: input.sealKey,
      evidence: input.evidence,
      school: other,
      telemetry,
      evidencePack,
      readCache: { policyChanges },
    });
    otherSchools.set(other.id, { settings: key, service });
    return service;
  };
  const api = createApiHandler({
    service,
    // The API's actor holds the roles of the school serving the request (schools.api).
    schools: schools.api,
    importPolicy: importPolicyFile,
    auth: withSettingsRoles(input.auth, own.roles),
    // Read per request, not copied: a Key Vault ring grows when a new key version is read.
    get keyRing() {
      return input.evidence.keyRing;
    },
    log: log.child({ component: 'api' }),
    telemetry,
    ...(input.devIdentityProvider ? { devIdentityProvider: input.devIdentityProvider } : {}),
    campaigns,
    // The trust's schools side by side, from one read of each list shared by the schools, its
    // snapshots the service's own (kept current by every write through it).
    trust: createTrustCompliance({
      settings: graph.settings,
      read: createTrustReportRead({
        records: graph.records,
        directory: graph.directory,
        clock,
        snapshots: reportSnapshots,
      }),
    }),
    trustEvidence: createTrustEvidence({ settings: graph.settings, serviceFor }),
    // The Admin view's settings page: the actor's school, saved over the revision read, and
    // read again at once so this instance's live settings hold the change.
    settings: own.settingsAdmin,
  });
  const bot = createBot({
    ...own.bot,
    route: schools.bot,
    everySchool: schools.botEvery,
    audit: (event) => graph.records.appendAudit([event]),
    clock,
    logger: teamsSdkLogger(log.child({ component: 'bot' })),
    telemetry,
    signBudget: withSignGraphBudget,
    ...input.bot,
  });
  await bot.initialize();
  campaigns.startSender();
  // What the workbook's health tiles read at each export: is Graph's circuit open, and which
  // instance sends campaigns.
  telemetry.observe('countersign.graph.circuit_state', () => {
    const state = graph.gateway.circuit;
    switch (state.kind) {
      case 'closed':
        return 0;
      case 'half-open':
        return 1;
      case 'open':
        return 2;
    }
  });
  telemetry.observe(
    'countersign.sender.lease_held',
    () => (campaigns.sender.stats().holdsLease ? 1 : 0),
    { holder: input.holderId },
  );

  const server = createHttpServer(
    [
      async (req, res) => {
        if (!bot.matches(req)) return false;
        await bot.handle(req, res);
        return true;
      },
      api,
      tabConfigHandler(input.tabConfig, () => school.timeZone),
      ...(input.tabDir ? [createStaticHandler(input.tabDir)] : []),
    ],
    (error, req) => report(error, `${req.method ?? ''} ${(req.url ?? '').split('?')[0] ?? ''}`),
    {
      // A tenant's service is reached over HTTPS only; the local demo is plain http://localhost.
      hsts: input.tabConfig.mode === 'production',
      observe: (input.requestScope ?? createRequestScope(telemetry)).observer(log),
      ...input.http,
      readiness: createReadiness({
        probeGraph: () => graph.records.site.probe(),
        checkWorkStore: () => work.checkIntegrity(),
        scheduledRun: () => campaigns.scheduledRun(),
        now: () => clock.now().getTime(),
      }),
    },
  );
  const repairEveryMs = input.repairEveryMs ?? 6 * 60 * 60 * 1000;
  // Each school's sweep through its own service, under its own lease (school-services.ts).
  const sweep = (): void => {
    schools.repairSweep().then(
      (results) => {
        for (const result of results) {
          if (result.kind !== 'swept') continue;
          const repaired = result.report;
          const mended =
            repaired.auditEventsRecreated.length +
            repaired.approvalsCreated.length +
            repaired.approvalRequestsQueued.length +
            repaired.policyEventsRecreated.length;
          if (mended > 0) {
            log.warn('repair sweep mended records a fault had left incomplete', {
              schoolId: result.schoolId,
              auditEventsRecreated: repaired.auditEventsRecreated.length,
              approvalsCreated: repaired.approvalsCreated.length,
              approvalRequestsQueued: repaired.approvalRequestsQueued.length,
              policyEventsRecreated: repaired.policyEventsRecreated.length,
            });
          }
        }
      },
      (error: unknown) => report(error, 'repair sweep'),
    );
  };
  const sweeper = setInterval(sweep, repairEveryMs);
  sweeper.unref();
  // Also soon after start (jittered, so instances restarted together do not sweep together):
  // an instance restarted more often than every 6 h would otherwise never sweep.
  const firstSweep = setTimeout(sweep, Math.min(repairEveryMs, 120_000 + Math.random() * 120_000));
  firstSweep.unref();
  return {
    service,
    campaigns,
    server,
    syncSchools: () => schools.sync(),
    stop: async () => {
      clearInterval(sweeper);
      clearTimeout(firstSweep);
      await Promise.all([campaigns.stop(), schools.stop()]);
    },
  };
}

/** The trust as the settings list says, read at each use (a save in the Admin view shows at once). */
function trustContext(
  settings: GraphAdapters['settings'],
  records: GraphAdapters['records'],
): TrustContext {
  return {
    id: TRUST_SETTINGS_ID,
    records,
    read: async () => {
      const trust = trustOf((await settings.list()).map((stored) => stored.school));
      return { name: trust.settings.name, leadIds: trust.settings.leadIds, schools: trust.schools };
    },
  };
}
