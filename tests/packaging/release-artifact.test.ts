import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// npm run release's zip, unpacked in a temporary folder with nothing else (no repository, no
// node_modules above it, no environment), must run as App Service runs it. The release is built
// from the node_modules already installed (scripts/release.ts says why), so this needs no
// network; compression level 1 keeps it quick.
const root = new URL('../../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'countersign-release-test-'));
const app = join(work, 'app');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean; optional?: boolean }>;
};

function runNode(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  // Nothing above the folder may lend it packages: Node looks for node_modules in every parent.
  for (let dir = work; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) {
      throw new Error(`${dir}/node_modules would lend the unpacked release its packages`);
    }
  }
  const tab = join(work, 'tab');
  mkdirSync(tab);
  writeFileSync(join(tab, 'index.html'), '<!doctype html><title>Countersign</title>');
  execFileSync(
    process.execPath,
    ['scripts/release.ts', '--out', join(work, 'release.zip'), '--tab-dir', tab, '--level', '1'],
    { cwd: root, stdio: 'pipe' },
  );
  execFileSync('unzip', ['-q', join(work, 'release.zip'), '-d', app]);
}, 300_000);

// About 20,000 files: removing them takes a while on a busy disk.
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
}, 300_000);

describe('npm run release', () => {
  it('holds the service, the tab and exactly the production packages of the lockfile', () => {
    expect(readdirSync(app).sort()).toEqual([
      'bin',
      'build',
      'node_modules',
      'package-lock.json',
      'package.json',
      'src',
    ]);
    expect(existsSync(join(app, 'build', 'tab', 'index.html'))).toBe(true);
    expect(existsSync(join(app, 'src', 'dev'))).toBe(false);
    const production = Object.entries(lock.packages).filter(([path, p]) => path && !p.dev);
    const development = Object.entries(lock.packages).filter(([, p]) => p.dev === true);
    const missing = production.filter(
      ([path, p]) => !p.optional && !existsSync(join(app, path, 'package.json')),
    );
    const present = development.filter(([path]) => existsSync(join(app, path)));
    expect(missing.map(([path]) => path)).toEqual([]);
    expect(present.map(([path]) => path)).toEqual([]);
    expect(production.length).toBeGreaterThan(100);
    expect(development.map(([path]) => path)).toContain('node_modules/vitest');
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({
      type: 'module',
      scripts: { start: 'node src/server/main.ts' },
    });
    expect(manifest).not.toHaveProperty('devDependencies');
  });

  it('loads every module of the service from the unpacked folder alone', async () => {
    const modules = readdirSync(join(app, 'src'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts'),
    );
    // The two entries run on import (the server starts, the CLI parses argv); the rest import.
    const script = `
      import { readdirSync } from 'node:fs';
      const entries = new Set(['server/main.ts', 'cli/main.ts']);
      let loaded = 0;
      for (const f of readdirSync('src', { recursive: true, encoding: 'utf8' })) {
        if (!f.endsWith('.ts') || entries.has(f)) continue;
        await import('./src/' + f);
        loaded += 1;
      }
      process.stdout.write('loaded ' + loaded);`;
    const run = await runNode(['--input-type=module', '-e', script], {});
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`loaded ${modules.length - 2}`);
    expect(modules.length).toBeGreaterThan(200);
  }, 180_000);

  it('starts the production entry, which refuses in plain words when settings are missing', async () => {
    const run = await runNode(['src/server/main.ts'], { COUNTERSIGN_MODE: 'production' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Countersign cannot start: /);
    expect(run.stderr).toContain('COUNTERSIGN_PUBLIC_URL: is required in production mode');
    expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
  }, 120_000);

  it('runs the command line as the bin names it', async () => {
    const run = await runNode(['bin/countersign.mjs', 'provision', '--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: countersign provision/);
  }, 120_000);
});
