import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEmulator } from '../../../src/dev/emulator-command.ts';
import { EMULATOR_APP_TOKEN } from '../../../src/adapters/graph/emulator-app-token.ts';
import { EMULATOR_AUTHORIZATION } from '../../support/emulator-graph.ts';
import { runCli } from '../../../src/cli/run-cli.ts';

const directory = mkdtempSync(join(tmpdir(), 'countersign-emulator-cli-'));

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function urlIn(text: string): string | undefined {
  return /listening: (http:\/\/\S+\/v1\.0)/.exec(text)?.[1];
}

describe('countersign emulator', () => {
  it('starts on the given port and database, prints the URL, and stops cleanly', async () => {
    let out = '';
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (out += t), env: {} };
    const running = runEmulator(['--port', '0', '--db', join(directory, 'a.sqlite')], io, stopped);
    for (let i = 0; i < 200 && urlIn(out) === undefined; i += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const url = urlIn(out);
    expect(url).toBeDefined();
    // Strict as Graph: 401 without a token, 200 with the dev app token it prints.
    expect((await fetch(`${url ?? ''}/users?$top=1`)).status).toBe(401);
    expect(out).toContain(`app token: ${EMULATOR_APP_TOKEN}`);
    const users = await fetch(`${url ?? ''}/users?$top=1`, { headers: EMULATOR_AUTHORIZATION });
    expect(users.status).toBe(200);
    stop();
    expect(await running).toBe(0);
    expect(out).toContain('Graph emulator stopped.');
  });

  it('refuses bad options with exit code 2', async () => {
    let err = '';
    const io = { stdout: () => undefined, stderr: (t: string) => (err += t), env: {} };
    expect(await runCli(['emulator', '--port', 'abc'], io)).toBe(2);
    expect(await runCli(['emulator', '--seed', 'lots'], io)).toBe(2);
    expect(await runCli(['emulator', '--nope'], io)).toBe(2);
    expect(err).toContain('usage: countersign emulator');
  });

  it('runs as a process (with --reset) and exits 0 on SIGTERM', async () => {
    const db = join(directory, 'b.sqlite');
    const child = spawn(
      process.execPath,
      ['src/cli/main.ts', 'emulator', '--port', '0', '--db', db, '--reset'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    for (let i = 0; i < 300 && urlIn(out) === undefined; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const url = urlIn(out);
    expect(url, out).toBeDefined();
    const site = await fetch(`${url ?? ''}/sites/root`, { headers: EMULATOR_AUTHORIZATION });
    expect(site.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('Graph emulator stopped.');
  });
});
