import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { contentHash } from '../../src/domain/content-hash.ts';
import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import { emulatorGraphAdapters } from '../support/emulator-graph.ts';

let emulator: GraphEmulator;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startGraphEmulator({ dbPath: ':memory:', seed: 'demo' });
  const graph = emulatorGraphAdapters(emulator);
  await provisionSite(graph.gateway, graph.records.site);
  await graph.records.putPolicy({
    key: 'staff-aup',
    schoolId: DEMO_SCHOOL.school.id,
    title: 'Staff Acceptable Use Policy',
    audiences: ['staff'],
    renewal: { kind: 'anniversary', months: 12 },
    approvalMode: 'none',
  });
  await graph.records.createVersion(
    {
      policyKey: 'staff-aup',
      number: 1,
      label: '2026-27',
      status: 'published',
      changeKind: 'material',
      publishedAt: '2026-09-01T07:00:00.000Z',
      document: DEMO_SCHOOL.aup,
      contentHash: contentHash(DEMO_SCHOOL.aup),
    },
    {
      id: crypto.randomUUID(),
      type: 'version.published',
      actorId: DEMO_SCHOOL.dsl.id,
      at: new Date().toISOString(),
      subject: 'staff-aup:v1',
      details: {},
    },
  );
  dir = mkdtempSync(join(tmpdir(), 'countersign-cli-campaign-'));
  env = {
    COUNTERSIGN_MODE: 'dev',
    COUNTERSIGN_GRAPH_BASE_URL: emulator.url,
    COUNTERSIGN_SITE: emulator.siteId,
    COUNTERSIGN_WORK_DB: join(dir, 'work.sqlite'),
  };
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['campaign', ...argv], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env,
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('countersign campaign', () => {
  it('launches, shows status, pauses, resumes and cancels', async () => {
    const deadline = new Date(Date.now() + 14 * 86_400_000).toISOString();
    const launched = await cli(
      'launch',
      '--policy',
      'staff-aup',
      '--version',
      '1',
      '--deadline',
      deadline,
      '--as',
      DEMO_SCHOOL.dsl.id,
      '--json',
    );
    expect(launched.err).toBe('');
    expect(launched.code).toBe(0);
    const campaign = JSON.parse(launched.out) as {
      id: string;
      status: string;
      counts: { recipients: number };
    };
    expect(campaign.status).toBe('running');
    const staff = DEMO_SCHOOL.staff.length;
    expect(campaign.counts.recipients).toBeGreaterThanOrEqual(staff);

    const status = await cli('status', campaign.id);
    expect(status.code).toBe(0);
    expect(status.out).toContain(`${campaign.id}  staff-aup v1  running`);
    expect(status.out).toContain(`queued ${campaign.counts.recipients}`);

    expect((await cli('pause', campaign.id)).out).toBe(`${campaign.id} is paused.\n`);
    expect((await cli('resume', campaign.id)).out).toBe(`${campaign.id} is running.\n`);
    expect((await cli('cancel', campaign.id)).out).toBe(`${campaign.id} is cancelled.\n`);
    const again = await cli('resume', campaign.id);
    expect(again.code).toBe(1);
    expect(again.err).toContain('cannot resume');
  });

  it('explains what it needs', async () => {
    expect((await cli('launch', '--policy', 'staff-aup')).code).toBe(2);
    expect((await cli('pause')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    const missing = await cli('status', 'no-such-campaign');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('No campaign no-such-campaign');
  });
});
