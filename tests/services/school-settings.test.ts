import { describe, expect, it } from 'vitest';
import { MemoryRecordStore } from '../../src/adapters/memory/memory-record-store.ts';
import { MemorySettingsStore } from '../../src/adapters/memory/memory-settings-store.ts';
import type { School } from '../../src/domain/school.ts';
import type { Actor } from '../../src/services/actor.ts';
import { createLiveSchoolSettings } from '../../src/services/live-school-settings.ts';
import {
  importSchoolSettings,
  saveSchoolSettings,
  seedSchoolSettings,
} from '../../src/services/school-settings.ts';

const BOOTSTRAP: School = {
  id: 'oakfield',
  name: 'Oakfield Primary',
  timeZone: 'Europe/London',
  audiences: [{ key: 'staff', label: 'Staff', groupIds: ['g-staff'] }],
  approverIds: ['head'],
  adminIds: ['dsl'],
};
const dsl: Actor = { id: 'dsl', upn: 'dsl@x', displayName: 'Daniel', roles: ['Policy.Admin'] };
const teacher: Actor = { id: 't', upn: 't@x', displayName: 'Tess', roles: [] };

function setup() {
  let now = Date.parse('2026-12-04T09:00:00Z');
  let id = 0;
  const records = new MemoryRecordStore();
  const store = new MemorySettingsStore();
  const clock = { now: () => new Date(now) };
  const deps = { store, records, clock, newId: () => `event-${++id}` };
  return { deps, records, store, advance: (ms: number) => (now += ms) };
}

describe('school settings: seeded once, then the list decides; every change audited', () => {
  it('an empty list is seeded from the bootstrap JSON, with an event naming every setting', async () => {
    const { deps, records } = setup();
    const first = await seedSchoolSettings(deps, BOOTSTRAP);
    expect(first).toMatchObject({
      seeded: true,
      settings: { revision: 1, updatedBy: 'bootstrap' },
    });
    const again = await seedSchoolSettings(deps, { ...BOOTSTRAP, adminIds: ['someone-else'] });
    expect(again.seeded).toBe(false);
    expect(again.settings.school.adminIds).toEqual(['dsl']);
    const events = await records.listAudit({ type: 'settings.changed' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorId: 'bootstrap',
      subject: 'settings:oakfield',
      details: { source: 'bootstrap', revision: 1, after: { adminIds: ['dsl'] } },
    });
  });

  it('an admin saves a change: revision 2, an event with the setting before and after', async () => {
    const { deps, records } = setup();
    await seedSchoolSettings(deps, BOOTSTRAP);
    const saved = await saveSchoolSettings(deps, dsl, {
      schoolId: 'oakfield',
      school: { ...BOOTSTRAP, adminIds: ['dsl', 'office'], retentionYears: 7 },
      expectedRevision: 1,
    });
    expect(saved.changed).toEqual(['adminIds', 'retentionYears']);
    expect(saved.settings).toMatchObject({ revision: 2, updatedBy: 'dsl' });
    const [, event] = await records.listAudit({ type: 'settings.changed' });
    expect(event).toMatchObject({
      actorId: 'dsl',
      details: {
        source: 'admin',
        revision: 2,
        changed: ['adminIds', 'retentionYears'],
        before: { adminIds: ['dsl'] },
        after: { adminIds: ['dsl', 'office'], retentionYears: 7 },
      },
    });
  });

  it('refuses a non-admin, a stale revision, another school and invalid settings, writing nothing', async () => {
    const { deps, records } = setup();
    await seedSchoolSettings(deps, BOOTSTRAP);
    const input = {
      schoolId: 'oakfield',
      school: { ...BOOTSTRAP, name: 'X' },
      expectedRevision: 1,
    };
    await expect(saveSchoolSettings(deps, teacher, input)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await saveSchoolSettings(deps, dsl, input);
    await expect(
      saveSchoolSettings(deps, dsl, { ...input, school: { ...BOOTSTRAP, name: 'Y' } }),
    ).rejects.toMatchObject({ code: 'conflict' });
    await expect(
      saveSchoolSettings(deps, dsl, {
        ...input,
        school: { ...BOOTSTRAP, id: 'ashby' },
        expectedRevision: 2,
      }),
    ).rejects.toMatchObject({ code: 'validation' });
    await expect(
      saveSchoolSettings(deps, dsl, {
        ...input,
        school: { ...BOOTSTRAP, workingHours: { startHour: 17, endHour: 8 } },
        expectedRevision: 2,
      }),
    ).rejects.toMatchObject({ code: 'validation' });
    expect(await records.listAudit({ type: 'settings.changed' })).toHaveLength(2);
  });

  it('import: created, then unchanged, then updated with only what differs', async () => {
    const { deps, records } = setup();
    expect((await importSchoolSettings(deps, BOOTSTRAP)).kind).toBe('created');
    expect((await importSchoolSettings(deps, BOOTSTRAP)).kind).toBe('unchanged');
    const updated = await importSchoolSettings(deps, {
      ...BOOTSTRAP,
      approverIds: ['head', 'deputy'],
    });
    expect(updated).toMatchObject({
      kind: 'updated',
      changed: ['approverIds'],
      settings: { revision: 2 },
    });
    const events = await records.listAudit({ type: 'settings.changed' });
    expect(events.map((e) => [e.actorId, e.details.source])).toEqual([
      ['cli', 'import'],
      ['cli', 'import'],
    ]);
  });

  it('the live view follows the list: a change saved elsewhere is seen once the ttl has passed', async () => {
    const { deps, advance } = setup();
    const errors: unknown[] = [];
    const live = createLiveSchoolSettings({
      deps,
      bootstrap: BOOTSTRAP,
      ttlMs: 1000,
      onError: (e) => errors.push(e),
    });
    await live.current();
    expect(live.school.adminIds).toEqual(['dsl']);
    await saveSchoolSettings(deps, dsl, {
      schoolId: 'oakfield',
      school: { ...BOOTSTRAP, adminIds: ['office'] },
      expectedRevision: 1,
    });
    await live.current();
    expect(live.school.adminIds).toEqual(['dsl']);
    advance(1001);
    expect((await live.current()).revision).toBe(2);
    expect(live.school.adminIds).toEqual(['office']);
    expect({ ...live.school }.name).toBe('Oakfield Primary');
    expect(errors).toEqual([]);
  });

  it('a failed read keeps the settings last read and reports it', async () => {
    const { deps, advance } = setup();
    const errors: unknown[] = [];
    const failing = {
      ...deps,
      store: {
        list: () => deps.store.list(),
        create: (school: School, write: { by: string; at: string }) =>
          deps.store.create(school, write),
        replace: () => Promise.reject(new Error('not used')),
        get: () => Promise.reject(new Error('Graph down')),
      },
    };
    await seedSchoolSettings(deps, { ...BOOTSTRAP, adminIds: ['stored-admin'] });
    const live = createLiveSchoolSettings({
      deps: failing,
      bootstrap: BOOTSTRAP,
      ttlMs: 1000,
      onError: (e) => errors.push(e),
    });
    expect((await live.current()).revision).toBe(0);
    expect(live.school.adminIds).toEqual(['dsl']);
    advance(1001);
    await live.current();
    expect(errors).toHaveLength(2);
  });
});
