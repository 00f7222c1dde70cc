import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvidenceKeyFile } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import {
  PRODUCTION_TAB_CLIENT_ID,
  productionEnvVars,
  PRODUCTION_TENANT,
} from './support/production-fixture.ts';

// src/server/main.ts as App Service runs it, in production mode, with the Graph emulator as
// its Graph: the composition a tenant gets (no dev sign-in, an authenticated bot endpoint).
const root = new URL('../../', import.meta.url).pathname;
let emulator: GraphEmulator;
let child: ChildProcess;
let base = '';
let output = '';
const dir = mkdtempSync(join(tmpdir(), 'countersign-main-'));
const keyFile = join(dir, 'evidence-key.pem');
const { keyRing } = loadEvidenceKeyFile(keyFile, { create: true });

function production(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...productionEnvVars(emulator, dir, { COUNTERSIGN_EVIDENCE_KEY_FILE: keyFile }),
    ...overrides,
  };
}

function run(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['src/server/main.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

beforeAll(async () => {
  emulator = await startGraphEmulator(PRODUCTION_TENANT);
  child = run(production());
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  for (let i = 0; i < 300 && !/listening on (\d+)/.test(output); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const port = /listening on (\d+)/.exec(output)?.[1];
  if (port === undefined) throw new Error(`main.ts did not start: ${output}`);
  base = `http://127.0.0.1:${port}`;
}, 60_000);

afterAll(async () => {
  child.kill('SIGTERM');
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('production entry (src/server/main.ts)', () => {
  it('serves the health check and a production tab config', async () => {
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok');
    // The tab signs in as its own registration and asks for the API registration's scope.
    expect(await (await fetch(`${base}/config.json`)).json()).toMatchObject({
      mode: 'production',
      clientId: PRODUCTION_TAB_CLIENT_ID,
      apiScope: 'api://countersign.example/11111111-2222-4333-8444-555555555555/access_as_user',
      tenantId: DEMO_SCHOOL.tenantId,
      timeZone: DEMO_SCHOOL.school.timeZone,
    });
  });

  it('has no dev sign-in and refuses the API without an Entra token', async () => {
    expect((await fetch(`${base}/dev/users`)).status).toBe(404);
    expect(
      (await fetch(`${base}/dev/token`, { method: 'POST', body: '{"user":"dsl"}' })).status,
    ).toBe(404);
    expect((await fetch(`${base}/api/me/policies`)).status).toBe(401);
  });

  it('publishes the public evidence keys of its key file, without a token', async () => {
    const res = await fetch(`${base}/api/evidence/keys`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(keyRing);
  });

  it('will not start without its evidence key file, and says why in one line', async () => {
    const bad = run(production({ COUNTERSIGN_EVIDENCE_KEY_FILE: join(dir, 'absent.pem') }));
    let said = '';
    bad.stderr?.on('data', (d: Buffer) => (said += d.toString()));
    const code = await new Promise<number | null>((resolve) => bad.on('exit', resolve));
    expect(code).toBe(1);
    expect(said).toMatch(/absent\.pem does not exist/);
  });

  it('refuses bot activities that carry no Bot Connector token', async () => {
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'status' }),
    });
    expect(res.status).toBe(401);
  });

  it('will not start with the local demo seal key, and says why in one line', async () => {
    const bad = run(
      production({ COUNTERSIGN_SEAL_KEY: 'countersign-local-dev-seal-key-not-for-production' }),
    );
    let said = '';
    bad.stderr?.on('data', (d: Buffer) => (said += d.toString()));
    const code = await new Promise<number | null>((resolve) => bad.on('exit', resolve));
    expect(code).toBe(1);
    expect(said.trim().split('\n')).toHaveLength(1);
    expect(said).toMatch(/COUNTERSIGN_SEAL_KEY must be a secret of at least 32 bytes/);
  });
});
