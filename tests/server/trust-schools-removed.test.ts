import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { openSqliteWorkStore } from '../../src/adapters/sqlite/sqlite-work-store.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import { DEMO_TRUST } from '../../src/dev/demo/demo-trust.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import type { WorkStore } from '../../src/ports/work-store.ts';
import type { TrustSchools } from '../../src/server/school-services.ts';
import type { Actor } from '../../src/services/actor.ts';
import { provisionedDemoSite, PRODUCTION_TENANT } from './support/production-fixture.ts';
import {
  seedTrustDirectory,
  trustSchoolsOverEmulator,
  writeTrustSettings,
} from './support/trust-schools-fixture.ts';

// A school removed from the settings list is dropped at the next read (issue 14): out of the
// routing (its admin is someone in no school, 403 `no-school`; its teacher who also teaches at
// Hazel Lane is served there), its scheduled work stopped with its scheduler lease free, its
// records untouched; back in the list, it is composed afresh. Composed as compose-service.ts
// composes the schools (createTrustSchools), over the Graph emulator; the list is read again
// after 15 s of the injected clock.

const [hazel, kings] = DEMO_TRUST.schools;
/** A Kingsmead teacher who also teaches at Hazel Lane (in both schools' staff groups). */
const both = kings.people[2];
if (both === undefined) throw new Error('Kingsmead has teachers');
let emulator: GraphEmulator;
let graph: GraphAdapters;
let work: WorkStore;
let schools: TrustSchools;
let now = new Date('2026-03-05T01:30:00.000Z');
const errors: unknown[] = [];
/** The school ids the settings list hides, as if their rows had been deleted. */
const removed = new Set<string>();

const actorOf = (person: { id: string; displayName: string }): Actor => ({
  id: person.id,
  upn: `${person.id}@example.org`,
  displayName: person.displayName,
  roles: [],
});

/** Past the 15 s the settings list is kept, so the next request reads it again. */
const later = (): void => {
  now = new Date(now.getTime() + 16_000);
};

beforeAll(async () => {
  emulator = await startGraphEmulator(PRODUCTION_TENANT);
  ({ graph } = await provisionedDemoSite(emulator));
  seedTrustDirectory(emulator, {
    people: [...hazel.people, ...kings.people],
    schools: [hazel, kings],
    alsoIn: { school: hazel, person: both },
  });
  await writeTrustSettings(graph.settings, [DEMO_SCHOOL.school, hazel.school, kings.school], now);
  // The settings store has no delete (nor the emulator's list items): a removed row is hidden.
  const list = graph.settings.list.bind(graph.settings);
  graph.settings.list = async () =>
    (await list()).filter((stored) => !removed.has(stored.school.id));
  work = openSqliteWorkStore({ path: ':memory:' });
  schools = trustSchoolsOverEmulator({
    graph,
    clock: { now: () => now },
    work,
    report: (error) => {
      errors.push(error);
    },
  });
  await schools.sync();
}, 60_000);

afterAll(async () => {
  await schools?.stop();
  await work?.close();
  await emulator?.close();
});

describe('a school removed from the settings list', () => {
  it('is dropped at the next read: routing, scheduled work and lease; its records stay', async () => {
    const before = await schools.school(kings.school.id);
    if (before === undefined) throw new Error('Kingsmead is composed from the settings list');
    const admin = actorOf(kings.admin);
    // Served by Kingsmead while its row stands; the teacher of both by the school she names.
    expect((await schools.api(admin, {})).school?.id).toBe(kings.school.id);
    expect((await schools.api(actorOf(both), { requested: kings.school.id })).school?.id).toBe(
      kings.school.id,
    );
    // Kingsmead's scheduled work leaves a record of its own: evidence to outlive the school.
    expect((await before.campaigns.runScheduled()).recordsCheck?.ok).toBe(true);
    const audit = await graph.records.listAudit({});
    const checked = audit.filter((e) => e.subject === `records-check:${kings.school.id}`);
    expect(checked).toHaveLength(1);
    let stops = 0;
    const stop = before.campaigns.stop.bind(before.campaigns);
    before.campaigns.stop = async () => {
      stops += 1;
      await stop();
    };

    removed.add(kings.school.id);
    // Within the 15 s the rows last read stand.
    expect((await schools.api(admin, {})).school?.id).toBe(kings.school.id);
    expect(stops).toBe(0);

    later();
    const refused = await schools.api(admin, {}).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(CountersignError);
    expect(refused).toMatchObject({ code: 'forbidden', details: { reason: 'no-school' } });
    const served = await schools.api(actorOf(both), {});
    expect(served.school).toMatchObject({
      id: hazel.school.id,
      memberships: [expect.objectContaining({ id: hazel.school.id })],
    });
    // Naming the removed school is naming a school not theirs.
    await expect(schools.api(actorOf(both), { requested: kings.school.id })).rejects.toMatchObject({
      code: 'forbidden',
      details: { reason: 'not-in-school' },
    });
    expect(schools.known(kings.school.id)).toBeUndefined();
    expect(await schools.school(kings.school.id)).toBeUndefined();

    // Its scheduled work stopped once, and its scheduler lease is free for nobody to renew.
    expect(stops).toBe(1);
    await schools.sync();
    expect(stops).toBe(1);
    const lease = await work.acquireLease(
      `campaign-scheduler:${kings.school.id}`,
      'other',
      60_000,
      now,
    );
    expect(lease).not.toBeNull();
    if (lease !== null) await work.releaseLease(lease);

    // Nothing of its records went: the audit trail as it was, its settings row still stored.
    const after = await graph.records.listAudit({});
    expect(after.filter((e) => e.subject === `records-check:${kings.school.id}`)).toEqual(checked);
    expect(after.length).toBeGreaterThanOrEqual(audit.length);
    expect((await graph.settings.get(kings.school.id))?.school.id).toBe(kings.school.id);

    // Back in the list: composed afresh, serving its admin again.
    removed.delete(kings.school.id);
    later();
    expect((await schools.api(admin, {})).school?.id).toBe(kings.school.id);
    const again = schools.known(kings.school.id);
    expect(again).toBeDefined();
    expect(again).not.toBe(before);
    expect(errors).toEqual([]);
  });
});
