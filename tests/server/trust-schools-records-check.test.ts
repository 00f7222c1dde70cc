import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { openSqliteWorkStore } from '../../src/adapters/sqlite/sqlite-work-store.ts';
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
import { trustSchoolsOverEmulator, writeTrustSettings } from './support/trust-schools-fixture.ts';

// Each school of a trust runs its own records check (issue 14): the deployment's school and
// Kingsmead each in their own scheduled work, under their own scheduler lease, each keeping its
// own records.checked event that its admin's view shows. Composed as compose-service.ts composes
// the schools (createTrustSchools), over the Graph emulator.

const [, kings] = DEMO_TRUST.schools;
let emulator: GraphEmulator;
let graph: GraphAdapters;
let work: WorkStore;
let schools: TrustSchools;
const now = new Date('2026-03-05T01:30:00.000Z');
const errors: unknown[] = [];

const adminOf = (id: string, displayName: string): Actor => ({
  id,
  upn: `${id}@example.org`,
  displayName,
  roles: ['Policy.Admin'],
});

beforeAll(async () => {
  emulator = await startGraphEmulator(PRODUCTION_TENANT);
  ({ graph } = await provisionedDemoSite(emulator));
  await writeTrustSettings(graph.settings, [DEMO_SCHOOL.school, kings.school], now);
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

describe('each school runs its own records check', () => {
  it('Kingsmead’s scheduled work runs Kingsmead’s check, under Kingsmead’s lease', async () => {
    const kingsmead = await schools.school(kings.school.id);
    if (kingsmead === undefined) throw new Error('Kingsmead is composed from the settings list');
    const admin = adminOf(kings.admin.id, kings.admin.displayName);
    expect((await kingsmead.service.recordsCheck(admin)).check).toBeNull();

    // Another instance holds Kingsmead's scheduler lease: its work, the check with it, waits.
    const held = await work.acquireLease(
      `campaign-scheduler:${kings.school.id}`,
      'other',
      60_000,
      now,
    );
    if (held === null) throw new Error('the lease was free');
    expect(await kingsmead.campaigns.runScheduled()).toMatchObject({ ran: false });
    expect(await graph.records.listAudit({ type: 'records.checked' })).toEqual([]);
    await work.releaseLease(held);

    const ran = await kingsmead.campaigns.runScheduled();
    expect(ran.recordsCheck).toEqual({ at: now.toISOString(), ok: true });
    const events = await graph.records.listAudit({ type: 'records.checked' });
    expect(events.map((e) => e.subject)).toEqual([`records-check:${kings.school.id}`]);
    expect((await kingsmead.service.recordsCheck(admin)).check?.at).toBe(now.toISOString());

    // The deployment's school has not run its own yet: Kingsmead's is not its check.
    const dsl = adminOf(DEMO_SCHOOL.dsl.id, DEMO_SCHOOL.dsl.displayName);
    expect((await schools.own.service.recordsCheck(dsl)).check).toBeNull();
    expect((await schools.own.campaigns.runScheduled()).recordsCheck?.ok).toBe(true);
    const subjects = (await graph.records.listAudit({ type: 'records.checked' })).map(
      (e) => e.subject,
    );
    expect(subjects.sort()).toEqual(
      [`records-check:${DEMO_SCHOOL.school.id}`, `records-check:${kings.school.id}`].sort(),
    );
    expect(errors).toEqual([]);
  });
});
