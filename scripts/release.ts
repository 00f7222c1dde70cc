// npm run release: the zip App Service runs as it is (infra/README.md, step 6).
//
// App Service's zip deploy unpacks the zip into /home/site/wwwroot and, unless told to build,
// runs nothing: "If you don't want App Service to run deployment automation for you, run all the
// build tasks … Make sure that you have all the files you need to run the app" ("Deploy files to
// App Service", learn.microsoft.com/azure/app-service/deploy-zip; packages up to 2,048 MB). So the
// zip holds everything `node src/server/main.ts` loads: the sources (Node 24 strips their types;
// it refuses to do so under node_modules, so they stay at the top), the built tab, a package.json
// ("type": "module") and the production dependencies, and nothing of the development tools.
//
// Which dependencies: npm's own answer, read from package-lock.json. Every package the lockfile
// does not mark `dev` is one `npm ci --omit=dev` would install (lockfile v3: "dev: true if the
// package is strictly part of the devDependencies tree"; docs.npmjs.com/cli/configuring-npm/package-lock-json),
// and the lockfile names the folder each one has. They are copied from the node_modules that
// `npm ci` installed from that same lockfile, each checked against the version locked for it, so
// building a release needs no registry and no network (a fresh `npm ci --omit=dev` in a staging
// folder would need the registry or a complete npm cache, and would download what is already
// here), and nothing is copied: zip reads each file where it is. Type declarations and source
// maps are left out: nothing loads them at run time.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(root, 'build', 'countersign-release.zip') },
    // The built tab (npm run build:tab writes build/tab, the folder npm start serves).
    'tab-dir': { type: 'string', default: join(root, 'build', 'tab') },
    // zip's compression level, 0 (store) to 9; the default is zip's own.
    level: { type: 'string', default: '6' },
  },
});

function fail(message: string): never {
  process.stderr.write(`Cannot build the release: ${message}\n`);
  process.exit(1);
}

const lockSchema = z.object({
  lockfileVersion: z.number(),
  packages: z.record(
    z.string(),
    z.object({
      version: z.string().optional(),
      dev: z.boolean().optional(),
      optional: z.boolean().optional(),
      link: z.boolean().optional(),
    }),
  ),
});
const manifestSchema = z.object({
  name: z.string(),
  version: z.string(),
  type: z.literal('module'),
  engines: z.record(z.string(), z.string()),
  bin: z.record(z.string(), z.string()),
  dependencies: z.record(z.string(), z.string()),
});

const level = Number(values.level);
if (!Number.isInteger(level) || level < 0 || level > 9) fail('--level is 0 to 9.');
const tabDir = resolve(values['tab-dir']);
if (!existsSync(join(tabDir, 'index.html'))) {
  fail(
    `${tabDir} has no index.html: build the tab first (npm run build:tab; npm run release does it).`,
  );
}
const lock = lockSchema.parse(JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')));
if (lock.lockfileVersion < 2) fail('package-lock.json must be lockfile version 2 or later.');
const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));

// The generated package.json and the tab (which may live outside the repository) are zipped
// from a small staging folder; everything else straight from the repository, by name.
const stage = mkdtempSync(join(tmpdir(), 'countersign-release-'));
try {
  cpSync(tabDir, join(stage, 'build', 'tab'), { recursive: true });
  // The manifest a running service needs: the module type, the engine, the bin and the
  // dependencies; `npm start` here is the production entry, not the local demo.
  writeFileSync(
    join(stage, 'package.json'),
    `${JSON.stringify(
      {
        name: manifest.name,
        version: manifest.version,
        private: true,
        type: manifest.type,
        engines: manifest.engines,
        bin: manifest.bin,
        scripts: { start: 'node src/server/main.ts' },
        dependencies: manifest.dependencies,
      },
      null,
      2,
    )}\n`,
  );

  // The service and the command line; src/dev is the emulators and the demo, never loaded in
  // production (ARCHITECTURE.md), and built on development dependencies.
  const files = ['package-lock.json'];
  walk('bin', files);
  walk('src', files, (path) => path === join('src', 'dev'));

  let packages = 0;
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev === true) continue;
    if (entry.link === true) fail(`${path} is a link; a release copies installed packages only.`);
    const manifestPath = join(root, path, 'package.json');
    if (!existsSync(manifestPath)) {
      // An optional dependency for another platform is locked but not installed.
      if (entry.optional === true) continue;
      fail(`${path} is not installed: run npm ci.`);
    }
    const installed = z
      .object({ version: z.string() })
      .parse(JSON.parse(readFileSync(manifestPath, 'utf8'))).version;
    if (entry.version !== undefined && installed !== entry.version) {
      fail(`${path} is ${installed}, the lockfile says ${entry.version}: run npm ci.`);
    }
    // A package's own node_modules holds its nested dependencies (each its own lockfile entry,
    // taken in its turn) and .bin links; type declarations and source maps are never loaded.
    const nested = join(path, 'node_modules');
    walk(path, files, (file) => file === nested || /\.(d\.[cm]?ts|map)$/.test(file));
    packages += 1;
  }

  const out = resolve(values.out);
  rmSync(out, { force: true });
  mkdirSync(dirname(out), { recursive: true });
  // Paths as they are below each folder: App Service wants the files at the zip's root.
  execFileSync('zip', ['-q', '-r', '-X', `-${level}`, out, '.'], { cwd: stage });
  execFileSync('zip', ['-q', '-X', `-${level}`, out, '-@'], {
    cwd: root,
    input: files.join('\n'),
  });
  process.stdout.write(
    `wrote ${out} (${(statSync(out).size / 1e6).toFixed(1)} MB): the service, the tab and ` +
      `${packages} production packages, ${files.length} files besides the tab\n`,
  );
} finally {
  rmSync(stage, { recursive: true, force: true });
}

/** Every file below `dir` (relative to the repository) that `skip` does not leave out. */
function walk(dir: string, into: string[], skip: (path: string) => boolean = () => false): void {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (skip(path)) continue;
    if (entry.isDirectory()) walk(path, into, skip);
    else into.push(path);
  }
}
