import type { GraphAdapters } from '../adapters/graph/create-graph-adapters.ts';
import type { SchoolRouter } from '../api/route-context.ts';
import type { EverySchoolOf, RouteActivity, SchoolBotDeps } from '../bot/bot-deps.ts';
import { createBotNotifications } from '../bot/bot-notifications.ts';
import { queuedApprovalRequests } from '../services/approval-requests.ts';
import { botCardRenderer } from '../bot/campaign-card-renderer.ts';
import type { CardsConfig } from '../bot/cards/index.ts';
import { recordsDecisionFinder } from '../bot/decision-finder.ts';
import { schoolActorResolver } from '../bot/resolve-actor.ts';
import { permissionChoicesOf } from '../domain/additional-permissions.ts';
import { CountersignError } from '../domain/errors.ts';
import type { School } from '../domain/school.ts';
import { TRUST_SETTINGS_ID } from '../domain/trust.ts';
import type { CheckpointArchive } from '../ports/checkpoint-archive.ts';
import type { Clock } from '../ports/clock.ts';
import type { EvidenceKeys } from '../ports/evidence-keys.ts';
import type { LeaseGrant } from '../ports/lease-store.ts';
import type { Messenger } from '../ports/messenger.ts';
import type { RecordStore } from '../ports/record-store.ts';
import type { RoleSource } from '../ports/role-source.ts';
import type { Telemetry } from '../ports/telemetry.ts';
import type { WorkStore } from '../ports/work-store.ts';
import { deploymentSchool } from '../services/actor-school.ts';
import {
  createCampaignService,
  type CampaignDeps,
  type CampaignService,
} from '../services/campaigns/campaign-service.ts';
import type { SenderOptions } from '../services/campaigns/campaign-sender.ts';
import type { CountersignService } from '../services/countersign-service.ts';
import type { RepairReport } from '../services/repair-records.ts';
import {
  createCountersignService,
  type ServiceDeps,
} from '../services/create-countersign-service.ts';
import {
  createLiveSchoolSettings,
  type LiveSchoolSettings,
} from '../services/live-school-settings.ts';
import { createPersonSchools, type PersonSchools } from '../services/person-schools.ts';
import { schoolRoleSource } from '../services/school-role-source.ts';
import {
  createSchoolSettingsAdmin,
  type SchoolSettingsAdmin,
} from '../services/school-settings-admin.ts';
import { schoolScopedRecords } from '../services/school-scoped-records.ts';
import type { PolicyChanges } from '../services/read-cache.ts';
import type { ReportSnapshots } from '../services/report-snapshot.ts';
import type { SchoolSettingsDeps } from '../services/school-settings.ts';
import type { TrustContext } from '../services/service-context.ts';

/** What every school of the deployment is composed from (compose-service.ts passes its own). */
export interface SchoolParts {
  graph: GraphAdapters;
  /**
   * The people report's snapshots, one per policy (keys are the site's), shared by every school's
   * service and the trust report (trust-report-read.ts), so each school's writes keep both warm.
   */
  reportSnapshots: ReportSnapshots;
  /**
   * Policy writes anywhere in this instance (read-cache.ts), shared by every school's read cache
   * and the trust's own writes, so a publish or withdrawal is seen by every school at once.
   */
  policyChanges: PolicyChanges;
  /** The evidence pack's PDFs: the site's signed rows as stored, and the one renderer. */
  evidencePack: NonNullable<ServiceDeps['evidencePack']>;
  settingsDeps: SchoolSettingsDeps & { records: Pick<RecordStore, 'appendAudit' | 'listAudit'> };
  clock: Clock;
  work: WorkStore;
  messenger: Messenger;
  previewsTo?: () => Messenger | undefined;
  cards: CardsConfig;
  sealKey: string;
  evidence: EvidenceKeys;
  telemetry: Telemetry;
  checkpointArchives: readonly CheckpointArchive[];
  holderId: string;
  /** One pacing for every school's cards: the Teams limits are the tenant's, not a school's. */
  pacing: Partial<SenderOptions>;
  totalsEveryMs?: number;
  trust: TrustContext;
  report: (error: unknown, context: string) => void;
}

/** One school's part of the deployment: its use cases, campaigns, settings page and bot deps. */
export interface ComposedSchool {
  /** The school as its settings row says now (a live view: read property by property). */
  school: School;
  settings: LiveSchoolSettings;
  service: CountersignService;
  campaigns: CampaignService;
  settingsAdmin: SchoolSettingsAdmin;
  roles: RoleSource;
  bot: SchoolBotDeps;
}

/**
 * One school's services over its own view of the site (schoolScopedRecords): another school's
 * policies, versions, signatures, approvals and campaigns do not exist for it. The deployment's
 * own school (`primary`) also runs the site-wide work: the checkpoints in its scheduled work,
 * and, in a trust, the one campaign sender that sends every school's jobs (one work store and one
 * tenant's Teams limits), each card drawn with its school's cards (`cardsOf`); another school runs
 * its own scheduled work (reminders, digests, new starters, renewals, its records check) under
 * its own lease.
 */
function composeSchool(
  parts: SchoolParts,
  settings: LiveSchoolSettings,
  options: {
    primary: boolean;
    /** The sender's: the cards of the school a job is of (its own when it knows none other). */
    cardsOf?: (schoolId: string) => SchoolBotDeps['cards'] | undefined;
    /** The schools' records checks, one at a time on this instance (each reads the site). */
    oneCheckAtATime: <T>(work: () => Promise<T>) => Promise<T>;
  },
): ComposedSchool {
  const { primary, cardsOf, oneCheckAtATime } = options;
  const { graph, clock, work } = parts;
  const school = settings.school;
  const records = schoolScopedRecords(graph.records, () => school.id);
  // Read from the live settings at each use, so an approver added in the Admin view gets cards.
  const cards = {
    ...parts.cards,
    // Every action on its cards names the school, so a press is served here (bot-app.ts).
    schoolId: school.id,
    get timeZone() {
      return school.timeZone;
    },
    get approverIds() {
      return school.approverIds;
    },
    get approversApprover() {
      return school.approversApprover;
    },
    get permissionChoices() {
      return permissionChoicesOf(school);
    },
  };
  const notifications = createBotNotifications({
    workStore: work,
    messenger: parts.messenger,
    clock,
  });
  // Every signature that needs approval asks its approvers (this school's), signed in the tab or
  // a card: queued in the work store and sent by the campaign sender (paced, retried, survives a
  // restart), never sent in the sign request.
  const approvalRequests = queuedApprovalRequests({ queue: work, school, clock });
  const checkpoints = { ledger: graph.records, archives: parts.checkpointArchives };
  const service = createCountersignService({
    reportSnapshots: parts.reportSnapshots,
    readCache: { policyChanges: parts.policyChanges },
    checkpoints,
    records,
    directory: graph.directory,
    clock,
    sealKey: parts.sealKey,
    evidence: parts.evidence,
    school,
    telemetry: parts.telemetry,
    onRepairError: (error, what) => parts.report(error, what),
    approvalRequests,
    // The Admin view's evidence pack PDFs: the site's signed rows as stored, rendered here.
    evidencePack: parts.evidencePack,
    // The trust's calls (trust-policies.ts) span its schools: the site's records, whole.
    trust: parts.trust,
  });
  // Every school's own records check: nightly in its time zone (and soon after a start when none
  // ran in 24 h), under its own scheduler lease, kept as its own records.checked event, so its
  // Admin view and digests show its check. Each reads the site's evidence whole (the chains are
  // the site's), so an instance runs one school's check at a time.
  const runner = service.recordsCheckRunner;
  const recordsCheck: CampaignDeps['recordsCheck'] = {
    runIfDue: (now) => oneCheckAtATime(() => runner.runIfDue(now)),
    latest: () => runner.latest(),
  };
  const siteWide: Partial<CampaignDeps> = primary
    ? {
        // Every scheduled run: a signed checkpoint in the site, copied to the work store and beyond.
        checkpoints: {
          ...checkpoints,
          signer: parts.evidence.signer,
          keyRing: parts.evidence.keyRing,
        },
      }
    : {};
  const campaigns = createCampaignService({
    records,
    directory: graph.directory,
    work,
    messenger: parts.messenger,
    ...(parts.previewsTo === undefined ? {} : { previewsTo: parts.previewsTo }),
    // The live settings' cards: an approval card offers the school's permission choices now.
    // The one sender draws each job's card with the settings of the job's school.
    cards: botCardRenderer(
      cards,
      primary ? (id) => (id === school.id ? cards : cardsOf?.(id)) : undefined,
    ),
    school,
    clock,
    newId: () => crypto.randomUUID(),
    holderId: parts.holderId,
    sender: parts.pacing,
    recordsCheck,
    ...siteWide,
    // Each school's digests say how many of its approvals reached no approver.
    approvalsNotReached: () => service.approvalsNotReached(),
    // The deployment's school sends every school's jobs (its scheduler lease the one of a
    // school of one); each other school runs its scheduled work under a lease of its own.
    trust: primary
      ? { role: { kind: 'sender', siteRecords: graph.records, trust: parts.trust } }
      : { role: { kind: 'scheduled-only' }, lease: `campaign-scheduler:${school.id}` },
    ...(parts.totalsEveryMs === undefined ? {} : { totalsEveryMs: parts.totalsEveryMs }),
    telemetry: parts.telemetry,
    onError: (error) => parts.report(error, `campaign (${school.id})`),
  });
  // One source of truth for who administers and approves: the tab's token and the card's
  // activity both take their person's roles from the school's settings.
  const roles = schoolRoleSource(async () => (await settings.current()).school);
  const settingsAdmin = createSchoolSettingsAdmin({
    settings: parts.settingsDeps,
    directory: graph.directory,
    actorSchool: deploymentSchool(() => school.id),
    // Read again at once so this instance's live settings hold the change.
    afterSave: () => settings.refresh(),
  });
  return {
    school,
    settings,
    service,
    campaigns,
    settingsAdmin,
    roles,
    bot: {
      service,
      resolveActor: schoolActorResolver({ directory: graph.directory, roles }),
      cards,
      notifications,
      findDecision: recordsDecisionFinder(records),
    },
  };
}

/** The deployment's schools: its own, and every other school of the settings list. */
export interface TrustSchools {
  /** The deployment's own school (COUNTERSIGN_SCHOOL's): the sender of every school's jobs. */
  own: ComposedSchool;
  /** The school composed for this id, if the settings list has it (read at most every 15 s). */
  school(id: string): Promise<ComposedSchool | undefined>;
  /** The schools known now (synchronously: the trust report's services). */
  known(id: string): ComposedSchool | undefined;
  /** Which school serves a person (src/services/person-schools.ts). */
  people: PersonSchools;
  /** Each request of the API served by its person's school. */
  api: SchoolRouter;
  /** Each card action and message served by its sender's school. */
  bot: RouteActivity;
  /** Every school of a message's sender ("status" and "sign" answer from each). */
  botEvery: EverySchoolOf;
  /**
   * Reads the settings list now, composes (and starts) any school new to it and drops any school
   * gone from it (its scheduled work stopped, its records kept; a failed read is reported and
   * drops nothing; the next request reads again).
   */
  sync(): Promise<void>;
  /**
   * The repair sweep (repair-records.ts), per school: each school of the list through its own
   * service (its scoped view, its approvers), under its own lease `repair-sweep:<school>`, so
   * two instances never sweep one school at once; the site's rows read once for the schools
   * this instance holds. The deployment's school also mends what no composed school owns (the
   * trust's masters, a removed school's signatures' events, rows naming no policy).
   */
  repairSweep(): Promise<SchoolRepair[]>;
  /** Stops the other schools' scheduled work (and waits for removed schools' to stop). */
  stop(): Promise<void>;
}

/** What one school's part of a repair sweep came to. */
export type SchoolRepair =
  | { kind: 'swept'; schoolId: string; report: RepairReport }
  /** Another instance holds the school's sweep lease: it sweeps the school. */
  | { kind: 'held-elsewhere'; schoolId: string }
  /** Reported through `parts.report`; the other schools are swept all the same. */
  | { kind: 'failed'; schoolId: string };

/** How long one instance holds a school's sweep lease (a sweep takes minutes at most). */
const REPAIR_LEASE_MS = 30 * 60 * 1000;

/**
 * The schools of a trust served by one deployment (issue 14, item 3): the deployment's own school
 * and one ComposedSchool per other row of the settings list, made when first seen and started
 * (their scheduled work), never made twice while its row stays; a row gone from the list drops
 * its school (`drop`: routing and scheduled work, never its records). Every request and card action goes to the person's
 * school; while the list holds one school, everyone goes to it as before (a school of one has
 * nobody to route), so a person in none of its groups still opens the tab.
 */
export function createTrustSchools(
  parts: SchoolParts,
  ownSettings: LiveSchoolSettings,
  options: { ttlMs?: number } = {},
): TrustSchools {
  const ttlMs = options.ttlMs ?? 15_000;
  const composed = new Map<string, ComposedSchool>();
  const oneCheckAtATime = oneAtATime();
  // The deployment's own school sends every school's jobs, each card drawn with its school's.
  const own = composeSchool(parts, ownSettings, {
    primary: true,
    cardsOf: (id) => composed.get(id)?.bot.cards,
    oneCheckAtATime,
  });
  composed.set(own.school.id, own);
  let rows: { at: number; schools: School[] } | undefined;
  let reading: Promise<School[]> | undefined;
  let stopped = false;

  const compose = (row: School): void => {
    if (composed.has(row.id) || row.id === TRUST_SETTINGS_ID || stopped) return;
    const settings = createLiveSchoolSettings({
      deps: parts.settingsDeps,
      bootstrap: row,
      onError: (error) => parts.report(error, `reading the settings of ${row.id}`),
    });
    const school = composeSchool(parts, settings, { primary: false, oneCheckAtATime });
    composed.set(row.id, school);
    // Its reminders, digests, new starters and renewals run from now on this instance too.
    school.campaigns.startSender();
  };

  // Removed schools whose scheduled work is still stopping (stop() waits for them).
  const stopping = new Set<Promise<void>>();
  /**
   * A school gone from the settings list: out of the routing at once (its people are answered
   * as someone in no school is, or served by their other school), its scheduled work stopped
   * (a run under way finishes and releases its lease `campaign-scheduler:<school>`; none starts
   * after). Nothing of its records is touched: they stay in the site as evidence. Should it
   * come back, it is composed afresh. The deployment's own school is never dropped.
   */
  const drop = (id: string): void => {
    const school = composed.get(id);
    if (school === undefined || school === own) return;
    composed.delete(id);
    const stop = school.campaigns
      .stop()
      .catch((error: unknown) => {
        parts.report(error, `stopping the removed school ${id}`);
      })
      .finally(() => {
        stopping.delete(stop);
      });
    stopping.add(stop);
  };

  const read = (): Promise<School[]> => {
    reading ??= parts.graph.settings
      .list()
      .then((stored) => {
        const schools = stored.map((s) => s.school);
        rows = { at: parts.clock.now().getTime(), schools };
        const ids = new Set(schools.map((row) => row.id));
        for (const id of [...composed.keys()]) if (!ids.has(id)) drop(id);
        for (const row of schools) compose(row);
        return schools;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  const current = async (): Promise<School[]> => {
    if (rows !== undefined && parts.clock.now().getTime() - rows.at < ttlMs) return rows.schools;
    try {
      return await read();
    } catch (error) {
      // Graph failing: the rows last read stand (the live settings do the same); before any
      // read, the deployment's own school alone, as a deployment of one school is served.
      parts.report(error, 'reading the settings list');
      return rows?.schools ?? [own.school];
    }
  };
  // The live rows: each school's own live settings, so a save shows at once on this instance.
  const liveRows = async (): Promise<School[]> =>
    (await current()).map((row) => composed.get(row.id)?.school ?? row);

  const people = createPersonSchools({
    rows: liveRows,
    directory: parts.graph.directory,
    clock: parts.clock,
    preferred: () => own.school.id,
  });
  const isTrust = async (): Promise<boolean> =>
    (await current()).filter((row) => row.id !== TRUST_SETTINGS_ID).length > 1;
  const served = async (
    personId: string,
    request: Parameters<PersonSchools['choose']>[1],
  ): Promise<{ school: ComposedSchool; choice: Awaited<ReturnType<PersonSchools['choose']>> }> => {
    const choice = await people.choose(personId, request);
    const school = composed.get(choice.schoolId);
    // Every row read is composed at once (read()); only a stopped service, or a school dropped
    // by a read while this person's groups were read, has none to serve.
    if (school === undefined) {
      throw new CountersignError('unavailable', 'This school is not served just now.', {
        school: choice.schoolId,
      });
    }
    return { school, choice };
  };

  return {
    own,
    school: async (id) => {
      await current();
      return composed.get(id);
    },
    known: (id) => composed.get(id),
    people,
    api: async (actor, request) => {
      if (!(await isTrust())) {
        return {
          actor: { ...actor, roles: [...(await own.roles.rolesOf(actor.id))] },
          service: own.service,
          campaigns: own.campaigns,
          settings: own.settingsAdmin,
          school: undefined,
        };
      }
      const { school, choice } = await served(actor.id, request);
      return {
        actor: { ...actor, roles: choice.roles },
        service: school.service,
        campaigns: school.campaigns,
        settings: school.settingsAdmin,
        school: { id: choice.schoolId, memberships: choice.memberships },
      };
    },
    bot: async (identity, request) => {
      if (!(await isTrust())) return own.bot;
      return (await served(identity.aadObjectId, request)).school.bot;
    },
    botEvery: async (identity) => {
      if (!(await isTrust())) return [{ name: own.school.name, deps: own.bot }];
      // The school routing would pick first (it refuses someone in no school), then the rest.
      const { school, choice } = await served(identity.aadObjectId, {});
      const rest = choice.memberships.flatMap((m) => {
        const other = composed.get(m.id);
        return m.id === school.school.id || other === undefined
          ? []
          : [{ name: m.name, deps: other.bot }];
      });
      return [{ name: school.school.name, deps: school.bot }, ...rest];
    },
    sync: async () => {
      await read().catch((error: unknown) => {
        parts.report(error, 'reading the settings list');
      });
    },
    repairSweep: async () => {
      await current();
      const schools = [...composed.values()];
      const ids = new Set(schools.map((s) => s.school.id));
      const results: SchoolRepair[] = [];
      const held: { school: ComposedSchool; grant: LeaseGrant }[] = [];
      for (const school of schools) {
        const id = school.school.id;
        const grant = await parts.work.acquireLease(
          `repair-sweep:${id}`,
          parts.holderId,
          REPAIR_LEASE_MS,
          parts.clock.now(),
        );
        if (grant === null) results.push({ kind: 'held-elsewhere', schoolId: id });
        else held.push({ school, grant });
      }
      try {
        if (held.length === 0) return results;
        // The lists are the site's: read once for every school this instance sweeps.
        const rows = await parts.graph.records.readRepairRows();
        for (const { school } of held) {
          const id = school.school.id;
          const mends =
            school === own
              ? (of: string | undefined) => of === id || of === undefined || !ids.has(of)
              : (of: string | undefined) => of === id;
          try {
            results.push({
              kind: 'swept',
              schoolId: id,
              report: await school.service.repairRecords({ rows, mends }),
            });
          } catch (error) {
            parts.report(error, `repair sweep (${id})`);
            results.push({ kind: 'failed', schoolId: id });
          }
        }
        return results;
      } finally {
        await Promise.all(held.map(({ grant }) => parts.work.releaseLease(grant)));
      }
    },
    stop: async () => {
      stopped = true;
      await Promise.all([
        ...[...composed.values()].filter((s) => s !== own).map((s) => s.campaigns.stop()),
        ...stopping,
      ]);
    },
  };
}

/** Runs each piece of work after the one before it has settled (failed or not). */
function oneAtATime(): <T>(work: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const next = last.then(work);
    // The chain goes on whatever this one does; its own caller hears its failure.
    last = next.catch(() => undefined);
    return next;
  };
}
