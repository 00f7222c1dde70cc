// npm run package: writes build/appPackage.zip from the environment (see .env.example);
// --out FILE writes it elsewhere (tests/packaging/release-artifact.test.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAppPackage } from '../src/packaging/app-package.ts';
import { manifestConfigSchema } from '../src/packaging/teams-manifest.ts';

const parsed = manifestConfigSchema.safeParse({
  teamsAppId: process.env.COUNTERSIGN_TEAMS_APP_ID,
  clientId: process.env.COUNTERSIGN_CLIENT_ID,
  publicUrl: process.env.COUNTERSIGN_PUBLIC_URL,
  version: process.env.COUNTERSIGN_APP_VERSION ?? '1.0.0',
});
if (!parsed.success) {
  const names: Record<string, string> = {
    teamsAppId: 'COUNTERSIGN_TEAMS_APP_ID (a GUID)',
    clientId: 'COUNTERSIGN_CLIENT_ID (the app registration GUID)',
    publicUrl: 'COUNTERSIGN_PUBLIC_URL (https origin of the service)',
    version: 'COUNTERSIGN_APP_VERSION (x.y.z)',
  };
  const problems = parsed.error.issues.map(
    (i) => `  ${names[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`,
  );
  process.stderr.write(`Cannot package the Teams app; set:\n${problems.join('\n')}\n`);
  process.exit(1);
}
const root = new URL('../', import.meta.url);
const { values } = parseArgs({
  options: { out: { type: 'string', default: new URL('build/appPackage.zip', root).pathname } },
});
const out = resolve(values.out);
const zip = await buildAppPackage(parsed.data, {
  color: readFileSync(new URL('manifest/color.png', root)),
  outline: readFileSync(new URL('manifest/outline.png', root)),
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, zip);
process.stdout.write(`wrote ${out} (${zip.byteLength} bytes)\n`);
