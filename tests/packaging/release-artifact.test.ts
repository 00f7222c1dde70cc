import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAB_OUT_DIR } from '../../bench/tab-build.ts';
import { loadEvidenceKeyFile } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import { MANIFEST_VERSION } from '../../src/packaging/teams-manifest.ts';
import { productionEnvVars, PRODUCTION_TENANT } from '../server/support/production-fixture.ts';

// npm run release's zip, unpacked in a temporary folder with nothing else (no repository, no
// node_modules above it, no environment), must run as App Service runs it. The release is built
// from the node_modules already installed (scripts/release.ts says why), so this needs no
// network; compression level 1 keeps it quick. The tab in it is the real build, the one `npm
// start` serves (build/tab, made by Vite; vitest's global setup builds it when stale), never a
// stand-in page.
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
  execFileSync(
    process.execPath,
    [
      'scripts/release.ts',
      '--out',
      join(work, 'release.zip'),
      '--tab-dir',
      TAB_OUT_DIR,
      '--level',
      '1',
    ],
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

  it('ships the tab build that npm start serves, byte for byte', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
        .sort();
    const built = files(TAB_OUT_DIR);
    const shipped = join(app, 'build', 'tab');
    expect(files(shipped)).toEqual(built);
    const differing = built.filter(
      (f) => !readFileSync(join(TAB_OUT_DIR, f)).equals(readFileSync(join(shipped, f))),
    );
    expect(differing).toEqual([]);
    // The real build: Vite's hashed bundle, not a page without script.
    expect(built.some((f) => /^assets\/index-[\w-]+\.js$/.test(f))).toBe(true);
  });
});

describe('the unpacked release in production mode, and npm run package', () => {
  let emulator: GraphEmulator;
  let child: ChildProcess | undefined;
  let base = '';
  const publicUrl = 'https://countersign.example';

  beforeAll(async () => {
    emulator = await startGraphEmulator(PRODUCTION_TENANT);
    const keyFile = join(work, 'evidence-key.pem');
    loadEvidenceKeyFile(keyFile, { create: true });
    const env = {
      PATH: process.env.PATH ?? '',
      ...productionEnvVars(emulator, work, {
        COUNTERSIGN_EVIDENCE_KEY_FILE: keyFile,
        COUNTERSIGN_PUBLIC_URL: publicUrl,
      }),
    };
    const started = spawn(process.execPath, ['src/server/main.ts'], {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    let output = '';
    started.stdout.on('data', (d: Buffer) => (output += d.toString()));
    started.stderr.on('data', (d: Buffer) => (output += d.toString()));
    for (let i = 0; i < 600 && !/listening on (\d+)/.test(output); i++) {
      if (started.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const port = /listening on (\d+)/.exec(output)?.[1];
    if (port === undefined) throw new Error(`the release's main.ts did not start: ${output}`);
    base = `http://127.0.0.1:${port}`;
  }, 90_000);

  afterAll(async () => {
    child?.kill('SIGTERM');
    await emulator.close();
  });

  it("serves the built tab at the manifest's content URL, with every asset its page loads", async () => {
    const manifest = await packagedManifest();
    // The built-in 'conversations' and 'about' tabs have no content URL of ours.
    const urls = (manifest.staticTabs as { contentUrl?: string; websiteUrl?: string }[]).flatMap(
      (t) => [t.contentUrl, t.websiteUrl].filter((u) => u !== undefined),
    );
    expect(urls.length).toBe(2);
    const index = readFileSync(join(TAB_OUT_DIR, 'index.html'), 'utf8');
    for (const tab of urls) {
      const url = new URL(tab);
      expect(url.origin).toBe(publicUrl);
      const page = await fetch(`${base}${url.pathname}${url.search}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toBe(index);
    }
    const assets = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const res = await fetch(`${base}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(
        Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(TAB_OUT_DIR, asset))),
      ).toBe(true);
    }
  });

  it("npm run package's manifest validates against the Teams schema @microsoft/app-manifest vendors", async () => {
    const manifest = await packagedManifest();
    // The schema of this manifestVersion ships in the package
    // (node_modules/@microsoft/app-manifest/build/json-schemas/teams/v1.30/MicrosoftTeams.schema.json,
    // the published https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json):
    // validated offline, no network.
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    );
    expect(
      existsSync(
        join(
          root,
          'node_modules/@microsoft/app-manifest/build/json-schemas/teams',
          `v${MANIFEST_VERSION}`,
          'MicrosoftTeams.schema.json',
        ),
      ),
    ).toBe(true);
    type Validatable = Parameters<typeof AppManifestUtils.validateAgainstSchema>[0];
    expect(
      await AppManifestUtils.validateAgainstSchema(manifest as unknown as Validatable),
    ).toEqual([]);
    expect(manifest.validDomains).toEqual([new URL(publicUrl).host]);
  });

  let packaged: Record<string, unknown> | undefined;
  /** npm run package, run as the deployment guide runs it, to a file of the test's own. */
  async function packagedManifest(): Promise<Record<string, unknown>> {
    if (packaged !== undefined) return packaged;
    const out = join(work, 'appPackage.zip');
    execFileSync(process.execPath, ['scripts/package.ts', '--out', out], {
      cwd: root,
      stdio: 'pipe',
      env: {
        PATH: process.env.PATH ?? '',
        COUNTERSIGN_TEAMS_APP_ID: '22222222-3333-4444-8555-666666666666',
        COUNTERSIGN_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
        COUNTERSIGN_PUBLIC_URL: publicUrl,
      },
    });
    const zip = await JSZip.loadAsync(readFileSync(out));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    packaged = JSON.parse(await zip.file('manifest.json')!.async('string')) as Record<
      string,
      unknown
    >;
    return packaged;
  }
});
