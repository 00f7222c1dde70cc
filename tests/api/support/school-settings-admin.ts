import { MemoryDirectory } from '../../../src/adapters/memory/memory-directory.ts';
import { MemoryRecordStore } from '../../../src/adapters/memory/memory-record-store.ts';
import { MemorySettingsStore } from '../../../src/adapters/memory/memory-settings-store.ts';
import type { School } from '../../../src/domain/school.ts';
import type { Actor } from '../../../src/services/actor.ts';
import { deploymentSchool } from '../../../src/services/actor-school.ts';
import {
  createSchoolSettingsAdmin,
  type SchoolSettingsAdmin,
} from '../../../src/services/school-settings-admin.ts';
import { seedSchoolSettings } from '../../../src/services/school-settings.ts';
import { PEOPLE } from './tokens.ts';

/** The school the API tests' admin administers, stored as revision 1 (seeded, as a fresh site is). */
export const SETTINGS_SCHOOL: School = {
  id: 'demo',
  name: 'Oakfield Primary',
  timeZone: 'Europe/London',
  audiences: [{ key: 'staff', label: 'Staff', groupIds: ['g-staff'] }],
  approverIds: [PEOPLE.approver.oid],
  adminIds: [PEOPLE.admin.oid],
  workingHours: { startHour: 8, endHour: 17 },
};

export interface TestSettingsAdmin {
  admin: SchoolSettingsAdmin;
  records: MemoryRecordStore;
  store: MemorySettingsStore;
}

/**
 * The real settings service over memory adapters, seeded with SETTINGS_SCHOOL; `calls` is told
 * of each use, as the fake service's are, so the matrix can check who reached it.
 */
export function testSettingsAdmin(
  calls: { method: string; actorId: string }[] = [],
): TestSettingsAdmin {
  let id = 0;
  const records = new MemoryRecordStore();
  const store = new MemorySettingsStore();
  const clock = { now: () => new Date('2026-12-04T09:00:00Z') };
  const deps = { store, records, clock, newId: () => `settings-event-${++id}` };
  // Seeded before any use (memory: at once); each use waits for it.
  const seeded = seedSchoolSettings(deps, SETTINGS_SCHOOL);
  const directory = new MemoryDirectory({
    people: Object.values(PEOPLE).map((p) => ({
      id: p.oid,
      userPrincipalName: p.upn,
      displayName: p.name,
    })),
    groups: [{ id: 'g-staff', displayName: 'All Staff', members: [PEOPLE.staff.oid] }],
  });
  const real = createSchoolSettingsAdmin({
    settings: deps,
    directory,
    actorSchool: deploymentSchool(() => SETTINGS_SCHOOL.id),
  });
  const use = async (method: string, actor: Actor): Promise<void> => {
    calls.push({ method, actorId: actor.id });
    await seeded;
  };
  return {
    records,
    store,
    admin: {
      read: async (actor) => {
        await use('settings.read', actor);
        return real.read(actor);
      },
      save: async (actor, input) => {
        await use('settings.save', actor);
        return real.save(actor, input);
      },
      history: async (actor) => {
        await use('settings.history', actor);
        return real.history(actor);
      },
      searchGroups: async (actor, search) => {
        await use('settings.searchGroups', actor);
        return real.searchGroups(actor, search);
      },
    },
  };
}
