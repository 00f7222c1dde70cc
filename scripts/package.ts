// npm run package: writes build/appPackage.zip from the environment (see .env.example).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const zip = await buildAppPackage(parsed.data, {
  color: readFileSync(new URL('manifest/color.png', root)),
  outline: readFileSync(new URL('manifest/outline.png', root)),
});
mkdirSync(new URL('build/', root), { recursive: true });
writeFileSync(new URL('build/appPackage.zip', root), zip);
process.stdout.write(`wrote build/appPackage.zip (${zip.byteLength} bytes)\n`);
