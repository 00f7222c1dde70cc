import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'countersign-verify-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env },
  };
}

describe('countersign verify: options', () => {
  it('documents --keys in its usage', async () => {
    const c = io();
    expect(await runCli(['verify', '--help'], c.io)).toBe(0);
    expect(c.out.join('')).toContain('--keys <key ring file>');
  });

  it('needs a file after --keys', async () => {
    const c = io();
    expect(await runCli(['verify', '--keys'], c.io)).toBe(2);
    expect(c.err.join('')).toContain('--keys needs a file');
  });

  it('needs the published keys (or, for legacy seals, the seal key) to say anything', async () => {
    const c = io({ COUNTERSIGN_SITE: 'site' });
    expect(await runCli(['verify'], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/--keys FILE.*COUNTERSIGN_SEAL_KEY/);
  });

  it('refuses a key ring that is not one, before reading any list', async () => {
    const file = join(dir, 'not-a-ring.json');
    writeFileSync(file, JSON.stringify({ keys: [{ kid: 'k', alg: 'RS256' }] }));
    const c = io({ COUNTERSIGN_SITE: 'site', COUNTERSIGN_GRAPH_BASE_URL: 'http://127.0.0.1:9' });
    expect(await runCli(['verify', '--keys', file], c.io)).toBe(1);
    expect(c.err.join('')).toContain('The key ring is invalid');
  });

  it('--pack needs a folder, uses only the keys in it, and refuses a folder that is no pack', async () => {
    const a = io();
    expect(await runCli(['verify', '--pack'], a.io)).toBe(2);
    expect(a.err.join('')).toContain('--pack needs a folder');
    const b = io();
    expect(await runCli(['verify', '--pack', dir, '--keys', 'keys.json'], b.io)).toBe(2);
    expect(b.err.join('')).toContain("the pack's own keys only");
    const c = io();
    expect(await runCli(['verify', '--pack', dir], c.io)).toBe(1);
    expect(c.err.join('')).toContain('is not an evidence pack (no manifest.json)');
  });
});
