import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { TAB_MANIFEST, TAB_OUT_DIR, ensureTabBuilt } from './tab-build.ts';

/**
 * The JavaScript each first load of the tab fetches, in gzip bytes, by following Vite's
 * manifest from the chunks that load fetches (each with its static imports, counted once):
 *
 * - myAupInTeamsGzipBytes (the budget): My AUP inside Teams, the entry plus teams-js and MSAL's
 *   nested app authentication, both fetched before the first API call can carry a token (the
 *   tab fetches MSAL beside teams-js in any frame, so a client on the Teams SSO fallback
 *   fetches the same).
 * - myAupGzipBytes: My AUP in a browser outside Teams (dev mode): the entry plus the demo user
 *   switcher. In production a browser outside Teams only says to open the app in Teams.
 * - adminGzipBytes: that browser load plus the Admin chunk.
 *
 * Other dynamic imports are on-demand loads (Approvals, the card preview's adaptivecards) and
 * are not counted.
 *
 *   npm run bench:tab -- --json [--rebuild]
 */
const chunkSchema = z.object({
  file: z.string(),
  src: z.string().optional(),
  isEntry: z.boolean().optional(),
  imports: z.array(z.string()).optional(),
  dynamicImports: z.array(z.string()).optional(),
});
const manifestSchema = z.record(z.string(), chunkSchema);
type Manifest = z.infer<typeof manifestSchema>;

function staticClosure(manifest: Manifest, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    const chunk = manifest[key];
    if (chunk === undefined) throw new Error(`The Vite manifest has no chunk ${key}.`);
    seen.add(key);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  roots.forEach(visit);
  return seen;
}

function gzipBytes(manifest: Manifest, keys: Iterable<string>): number {
  let total = 0;
  for (const key of keys) {
    const chunk = manifest[key];
    if (chunk === undefined || !chunk.file.endsWith('.js')) continue;
    total += gzipSync(readFileSync(join(TAB_OUT_DIR, chunk.file)), { level: 9 }).length;
  }
  return total;
}

function findKey(manifest: Manifest, predicate: (key: string) => boolean, what: string): string {
  const key = Object.keys(manifest).find(predicate);
  if (key === undefined) throw new Error(`The Vite manifest has no chunk for ${what}.`);
  return key;
}

export function measureTab(): {
  myAupGzipBytes: number;
  adminGzipBytes: number;
  myAupInTeamsGzipBytes: number;
} {
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(TAB_MANIFEST, 'utf8')));
  const entry = findKey(manifest, (k) => manifest[k]?.isEntry === true, 'the entry');
  const admin = findKey(manifest, (k) => k.endsWith('views/admin/admin-view.tsx'), 'Admin');
  const teamsJs = findKey(manifest, (k) => k.endsWith('src/host/teams-js.ts'), 'teams-js');
  const msal = findKey(manifest, (k) => k.endsWith('src/auth/msal-naa.ts'), 'MSAL');
  const devSwitcher = findKey(
    manifest,
    (k) => k.endsWith('src/app/dev-user-switcher.tsx'),
    'the demo user switcher',
  );
  const myAup = staticClosure(manifest, [entry, devSwitcher]);
  const adminView = staticClosure(manifest, [entry, devSwitcher, admin]);
  const inTeams = staticClosure(manifest, [entry, teamsJs, msal]);
  return {
    myAupGzipBytes: gzipBytes(manifest, myAup),
    adminGzipBytes: gzipBytes(manifest, adminView),
    myAupInTeamsGzipBytes: gzipBytes(manifest, inTeams),
  };
}

const args = process.argv.slice(2);
await ensureTabBuilt({ force: args.includes('--rebuild') });
const result = measureTab();
if (args.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `My AUP inside Teams:     ${kb(result.myAupInTeamsGzipBytes)} gzip (+ teams-js, MSAL; budget 200 KB)`,
  );
  console.log(`My AUP in a browser:     ${kb(result.myAupGzipBytes)} gzip (dev: + user switcher)`);
  console.log(`Admin in a browser:      ${kb(result.adminGzipBytes)} gzip`);
}
