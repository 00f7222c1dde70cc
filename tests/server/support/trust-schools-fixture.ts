import type { GraphAdapters } from '../../../src/adapters/graph/create-graph-adapters.ts';
import type { School } from '../../../src/domain/school.ts';
import { trustSettingsRow } from '../../../src/domain/trust.ts';
import { memoryEvidenceKeys } from '../../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { PdfLibRenderer } from '../../../src/adapters/pdf/pdf-lib-renderer.ts';
import { DEMO_SCHOOL, type DemoPerson } from '../../../src/dev/demo/demo-school.ts';
import { DEMO_TRUST, type DemoTrustSchool } from '../../../src/dev/demo/demo-trust.ts';
import type { GraphEmulator } from '../../../src/dev/graph-emulator/graph-emulator.ts';
import type { Messenger } from '../../../src/ports/messenger.ts';
import { noTelemetry } from '../../../src/ports/telemetry.ts';
import type { WorkStore } from '../../../src/ports/work-store.ts';
import { createLiveSchoolSettings } from '../../../src/services/live-school-settings.ts';
import { ReportSnapshots } from '../../../src/services/report-snapshot.ts';
import { PolicyChanges } from '../../../src/services/read-cache.ts';
import { createTrustSchools, type TrustSchools } from '../../../src/server/school-services.ts';

/**
 * The trust's settings list as a fresh trust has it: the trust's own row (the demo trust's name
 * and lead), then each school's row in the order given.
 */
export async function writeTrustSettings(
  settings: GraphAdapters['settings'],
  schools: readonly School[],
  now: Date,
): Promise<void> {
  const at = { by: 'test', at: now.toISOString() };
  await settings.create(
    trustSettingsRow({ name: DEMO_TRUST.name, leadIds: [DEMO_TRUST.trustLead.id] }),
    at,
  );
  for (const school of schools) await settings.create(school, at);
}

/**
 * The trust's directory as an IT lead sets it up in Entra: these people (office: the trust's
 * name, employee type: their demo role) and these schools' staff groups; `alsoIn` puts one
 * person into another school's group too (someone who works at both).
 */
export function seedTrustDirectory(
  emulator: GraphEmulator,
  seed: {
    people: readonly DemoPerson[];
    schools: readonly DemoTrustSchool[];
    alsoIn?: { school: DemoTrustSchool; person: DemoPerson };
  },
): void {
  emulator.setup.putUsers(
    seed.people.map((p) => ({
      id: p.id,
      displayName: p.displayName,
      givenName: p.givenName,
      surname: p.surname,
      userPrincipalName: p.userPrincipalName,
      mail: p.mail,
      jobTitle: p.jobTitle,
      department: p.department,
      officeLocation: DEMO_TRUST.name,
      accountEnabled: true,
      employeeType: p.role,
    })),
  );
  for (const school of seed.schools) {
    const { group } = school;
    emulator.setup.putGroup({
      id: group.id,
      displayName: group.displayName,
      memberIds:
        seed.alsoIn?.school === school
          ? [...group.memberIds, seed.alsoIn.person.id]
          : group.memberIds,
    });
  }
}

/** Nothing is sent in these tests: a send would be a fault of the test. */
const refuse = (): Promise<never> => Promise.reject(new Error('nothing is sent in this test'));
const sendsNothing: Messenger = {
  trusts: () => false,
  ensureInstalled: refuse,
  createConversation: refuse,
  teamsUserId: refuse,
  sendActivity: refuse,
  updateActivity: refuse,
};

/**
 * The demo school's deployment serving the trust's schools from the settings list, composed as
 * compose-service.ts composes them (createTrustSchools), over the given Graph and work store,
 * with the test's clock; every reported error goes to `report`. Not yet synced.
 */
export function trustSchoolsOverEmulator(parts: {
  graph: GraphAdapters;
  clock: { now: () => Date };
  work: WorkStore;
  report: (error: unknown) => void;
}): TrustSchools {
  const { graph, clock, work, report } = parts;
  const settingsDeps = {
    store: graph.settings,
    records: graph.records,
    clock,
    newId: () => crypto.randomUUID(),
  };
  return createTrustSchools(
    {
      graph,
      reportSnapshots: new ReportSnapshots(clock),
      policyChanges: new PolicyChanges(),
      evidencePack: { rows: graph.records, renderer: new PdfLibRenderer() },
      settingsDeps,
      clock,
      work,
      messenger: sendsNothing,
      cards: { appId: 'app', timeZone: 'Europe/London' },
      sealKey: 'k'.repeat(48),
      evidence: memoryEvidenceKeys(),
      telemetry: noTelemetry,
      checkpointArchives: [work],
      holderId: 'this-instance',
      pacing: {},
      trust: {
        id: '@trust',
        records: graph.records,
        read: () => Promise.resolve({ name: DEMO_TRUST.name, leadIds: [], schools: [] }),
      },
      report,
    },
    createLiveSchoolSettings({
      deps: settingsDeps,
      bootstrap: DEMO_SCHOOL.school,
      onError: report,
    }),
  );
}
