import type { EvidenceSigner } from '../../domain/evidence/evidence-signer.ts';
import type { Clock } from '../../ports/clock.ts';
import type { RecordStore } from '../../ports/record-store.ts';
import type { SettingsStore } from '../../ports/settings-store.ts';
import type { Actor } from '../../services/actor.ts';
import type { CountersignService } from '../../services/countersign-service.ts';
import { seedSchoolSettings } from '../../services/school-settings.ts';
import type { EmulatorSetup } from '../graph-emulator/graph-emulator.ts';
import { DEMO_SCHOOL, type DemoPerson } from './demo-school.ts';
import { trustSettingsRow } from '../../domain/trust.ts';
import { DEMO_TRUST } from './demo-trust.ts';
import { seedDemoPolicy } from './seed-demo-policy.ts';

function actorOf(person: DemoPerson): Actor {
  return {
    id: person.id,
    displayName: person.displayName,
    upn: person.userPrincipalName,
    roles: [],
  };
}

/**
 * The demo trust's people and groups in the emulator's directory (upserts, so a data folder from
 * before the trust gets them on its next start), each school's settings in the settings list,
 * then, once: the trust AUP published by the trust lead to every school, the two schools' own
 * clauses published by their admins, and Northfield Academy's own policy. Everything goes
 * through the service as a person would do it, so the records are evidence like any other.
 * Answers whether it published anything.
 */
export async function seedDemoTrust(input: {
  directory: Pick<EmulatorSetup, 'putUsers' | 'putGroup'>;
  settings: SettingsStore;
  records: RecordStore;
  service: CountersignService;
  clock: Clock;
  signer: EvidenceSigner;
}): Promise<boolean> {
  const { records, service, clock } = input;
  input.directory.putUsers(
    [DEMO_TRUST.trustLead, ...DEMO_TRUST.schools.flatMap((s) => s.people)].map((p) => ({
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
  for (const { group } of DEMO_TRUST.schools) {
    input.directory.putGroup({
      id: group.id,
      displayName: group.displayName,
      description: `Every member of staff of ${group.displayName.replace(/ Staff$/, '')}`,
      memberIds: group.memberIds,
    });
  }
  const deps = {
    store: input.settings,
    records,
    clock,
    newId: () => crypto.randomUUID(),
  };
  // The trust's own row names its lead; every school row of the site is then one of its schools.
  await seedSchoolSettings(
    deps,
    trustSettingsRow({ name: DEMO_TRUST.name, leadIds: [DEMO_TRUST.trustLead.id] }),
  );
  for (const { school } of DEMO_TRUST.schools) await seedSchoolSettings(deps, school);
  // The demo school is one of the trust's too: a site kept from before the trust gets its
  // contacts, which the trust AUP names.
  const demo = await input.settings.get(DEMO_SCHOOL.school.id);
  if (demo !== null && demo.school.contacts === undefined) {
    await input.settings.replace(
      { ...demo.school, contacts: DEMO_SCHOOL.school.contacts },
      demo.revision,
      { by: 'bootstrap', at: clock.now().toISOString() },
    );
  }

  if ((await records.getPolicy(DEMO_TRUST.trustPolicyKey)) !== null) return false;
  const lead = actorOf(DEMO_TRUST.trustLead);
  await service.trust.create(lead, {
    key: DEMO_TRUST.trustPolicyKey,
    title: 'Northfield Learning Trust — Staff Acceptable Use Policy',
    audiences: ['staff'],
    approvalMode: 'none',
  });
  const master = await service.trust.saveMasterDraft(lead, {
    policyKey: DEMO_TRUST.trustPolicyKey,
    label: '2026-27',
    changeKind: 'material',
    document: DEMO_TRUST.trustAup,
  });
  await service.trust.publishMaster(lead, DEMO_TRUST.trustPolicyKey, master.number);
  for (const { school, admin, variant } of DEMO_TRUST.schools) {
    if (variant === undefined) continue;
    await service.trust.publishVariant(actorOf(admin), {
      policyKey: DEMO_TRUST.trustPolicyKey,
      schoolId: school.id,
      changeKind: 'material',
      variant,
    });
  }
  const own = DEMO_TRUST.ownPolicy;
  await seedDemoPolicy(records, {
    key: own.key,
    schoolId: own.school.school.id,
    audiences: ['staff'],
    document: own.document,
    actorId: own.school.admin.id,
    now: clock.now(),
    signer: input.signer,
  });
  return true;
}
