import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env: {} },
  };
}

describe('countersign CLI', () => {
  it('prints usage for help and exits 0', async () => {
    const c = io();
    expect(await runCli(['help'], c.io)).toBe(0);
    expect(c.out.join('')).toContain('countersign <command>');
  });

  it('refuses an unknown command with exit 2 and says which', async () => {
    const c = io();
    expect(await runCli(['frobnicate'], c.io)).toBe(2);
    expect(c.err.join('')).toContain('unknown command "frobnicate"');
  });
});
