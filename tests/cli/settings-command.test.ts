import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { TRUST_SETTINGS_ID, trustSettingsRow } from '../../src/domain/trust.ts';
import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import { emulatorGraphAdapters } from '../support/emulator-graph.ts';

let emulator: GraphEmulator;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startGraphEmulator({ seed: 'demo' });
  const graph = emulatorGraphAdapters(emulator);
  await provisionSite(graph.gateway, graph.records.site);
  env = {
    COUNTERSIGN_MODE: 'dev',
    COUNTERSIGN_GRAPH_BASE_URL: emulator.url,
    COUNTERSIGN_SITE: emulator.siteId,
  };
}, 60_000);
afterAll(async () => {
  await emulator?.close();
});

async function cli(args: string[], extra: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: { ...env, ...extra },
  });
  return { code, out, err };
}

describe('countersign settings import: the migration from COUNTERSIGN_SCHOOL is one command', () => {
  it('creates the school’s settings from the JSON, then finds nothing to do', async () => {
    const school = JSON.stringify(DEMO_SCHOOL.school);
    const first = await cli(['settings', 'import', '--json'], { COUNTERSIGN_SCHOOL: school });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({
      kind: 'created',
      schoolId: 'demo-school',
      revision: 1,
    });
    const second = await cli(['settings', 'import'], { COUNTERSIGN_SCHOOL: school });
    expect(second.out).toContain('already match');
  });

  it('a changed JSON replaces only what differs, audited as the CLI', async () => {
    const changed = { ...DEMO_SCHOOL.school, retentionYears: 6 };
    const run = await cli(['settings', 'import'], { COUNTERSIGN_SCHOOL: JSON.stringify(changed) });
    expect(run.out).toContain('updated (revision 2): retentionYears');
    const graph = emulatorGraphAdapters(emulator);
    const events = await graph.records.listAudit({ type: 'settings.changed' });
    expect(events.map((e) => e.details.changed)).toContainEqual(['retentionYears']);
    const shown = await cli(['settings', 'show']);
    expect(shown.out).toContain('demo-school (Demo Primary School): revision 2');
  });

  it('show sets the reserved @trust row apart: the trust and its leads, never a school', async () => {
    const graph = emulatorGraphAdapters(emulator);
    await graph.settings.create(
      trustSettingsRow({ name: 'Northfield Learning Trust', leadIds: ['lead-1', 'lead-2'] }),
      { by: 'test', at: '2026-12-04T10:00:00.000Z' },
    );
    const shown = await cli(['settings', 'show']);
    expect(shown.out.split('\n')[0]).toBe(
      'Trust: Northfield Learning Trust (2 lead(s)): revision 1, 2026-12-04T10:00:00.000Z by test',
    );
    expect(shown.out).not.toContain('@trust (');
    const json = JSON.parse((await cli(['settings', 'show', '--json'])).out) as {
      trust: { school: { id: string } } | null;
      schools: { school: { id: string } }[];
    };
    expect(json.trust?.school.id).toBe(TRUST_SETTINGS_ID);
    expect(json.schools.map((s) => s.school.id)).toEqual(['demo-school']);
  });

  it('without an action it prints the usage and exits 2', async () => {
    expect((await cli(['settings'])).code).toBe(2);
  });
});
