import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGraphEnv } from '../../src/config/env.ts';
import { manifestConfigSchema } from '../../src/packaging/teams-manifest.ts';

// infra/README.md's steps, as a school's IT lead runs them: every `sh` block, in order, in one
// bash session with `set -euo pipefail` (so a variable used before a step sets it stops the
// run), against stand-ins for `az` and `npm` that record each call (its arguments, the files
// its @-arguments name, the COUNTERSIGN_* settings it was given) and answer what a real tenant
// would (ids, the deployment's outputs). Then each request is checked against main.bicep, the
// two registration files and the code that reads the settings: its shape, its order, and that
// what it needs was made by an earlier step. Nothing here touches a network.
const root = new URL('../../', import.meta.url).pathname;
const readme = readFileSync(join(root, 'infra', 'README.md'), 'utf8');
const bicep = readFileSync(join(root, 'infra', 'main.bicep'), 'utf8');

const stepsText = readme.slice(readme.indexOf('\n## Steps'), readme.indexOf('\n## Watching'));
const sections = stepsText.split(/\n(?=### )/);
const steps = sections.flatMap((text) => {
  const m = /^### (\d+)\. (.+)/.exec(text);
  return m ? [{ number: Number(m[1]), title: m[2]!, text }] : [];
});
function blocks(text: string, language: string): string[] {
  return [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)]
    .filter((m) => m[1] === language)
    .map((m) => m[2]!);
}
function step(title: RegExp) {
  const found = steps.find((s) => title.test(s.title));
  if (found === undefined) throw new Error(`infra/README.md has no step ${String(title)}`);
  return found;
}

const outputs = [...bicep.matchAll(/^output (\w+) /gm)].map((m) => m[1]!);
const APP_ID = 'aaaaaaaa-0000-4000-8000-000000000001';
const TAB_APP_ID = 'aaaaaaaa-0000-4000-8000-000000000002';
const WEB_APP = 'countersign-oakfield-abc123';
const DOMAIN = `${WEB_APP}.azurewebsites.net`;
const VAULT = 'kv-cs-oakfield-abc123';
const TEAMS_APP_ID = 'bbbbbbbb-0000-4000-8000-000000000003';
const SECRET = 'client-secret-value';
/** What the deployment answers: every output main.bicep declares, and nothing else. */
const deploymentOutputs: Record<string, { value: string }> = Object.fromEntries(
  outputs.map((name) => [
    name,
    {
      value:
        {
          publicUrl: `https://${DOMAIN}`,
          domain: DOMAIN,
          botId: APP_ID,
          teamsAppId: TEAMS_APP_ID,
          apiAudience: `api://${DOMAIN}/${APP_ID}`,
          keyVaultName: VAULT,
          webAppName: WEB_APP,
        }[name] ?? `${name}-value`,
    },
  ]),
);

/** The recording stand-in, run by node for both `az` and `npm`. */
const STAND_IN = `
import { appendFileSync, readFileSync } from 'node:fs';
const [tool, ...args] = process.argv.slice(2);
const files = Object.fromEntries(
  args.filter((a) => a.startsWith('@')).map((a) => [a, readFileSync(a.slice(1), 'utf8')]),
);
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k.startsWith('COUNTERSIGN_')),
);
appendFileSync(process.env.STAND_IN_LOG, JSON.stringify({ tool, args, files, env }) + '\\n');
const answers = JSON.parse(process.env.STAND_IN_ANSWERS);
const line = args.join(' ');
const say = (text) => process.stdout.write(text + '\\n');
if (tool === 'az') {
  if (line.startsWith('ad app create')) say(answers.appIds[args[args.indexOf('--display-name') + 1]]);
  else if (line.startsWith('ad app show')) say('object-' + args[args.indexOf('--id') + 1]);
  else if (line.startsWith('deployment group create')) say(JSON.stringify(answers.outputs));
  else if (line.startsWith('ad signed-in-user show')) say('it-lead-object-id');
  else if (line.startsWith('keyvault show')) say('/subscriptions/s/resourceGroups/rg-countersign/providers/Microsoft.KeyVault/vaults/' + args[args.indexOf('-n') + 1]);
  else if (line.startsWith('ad app credential reset')) say(answers.secret);
  else if (line.startsWith('keyvault secret show')) say(answers.secret);
  else if (line.startsWith('webapp list-runtimes')) say(JSON.stringify(answers.runtimes));
  else if (line.startsWith('webapp show')) say('/subscriptions/s/resourceGroups/rg-countersign/providers/Microsoft.Web/sites/' + args[args.indexOf('-n') + 1]);
}
`;

interface Call {
  tool: string;
  args: string[];
  files: Record<string, string>;
  env: Record<string, string>;
}
let calls: Call[] = [];
let printed = '';
const sandbox = mkdtempSync(join(tmpdir(), 'countersign-guide-'));

beforeAll(() => {
  const bin = join(sandbox, 'bin');
  execFileSync('mkdir', ['-p', bin]);
  writeFileSync(join(sandbox, 'stand-in.mjs'), STAND_IN);
  for (const tool of ['az', 'npm']) {
    writeFileSync(
      join(bin, tool),
      `#!/bin/sh\nexec "${process.execPath}" "${join(sandbox, 'stand-in.mjs')}" ${tool} "$@"\n`,
    );
    chmodSync(join(bin, tool), 0o755);
  }
  // The prelude (the values to fill in) and every step's sh blocks, in the page's order; /tmp is
  // the sandbox's, so nothing outside it is written.
  const script = blocks(stepsText, 'sh').join('\n').replaceAll('/tmp/', `${sandbox}/`);
  writeFileSync(join(sandbox, 'guide.sh'), `set -euo pipefail\n${script}`);
  const log = join(sandbox, 'calls.jsonl');
  writeFileSync(log, '');
  printed = runBash(join(sandbox, 'guide.sh'));
  calls = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Call);
}, 120_000);

/** Runs a script with the stand-ins first on PATH; what it printed. */
function runBash(script: string, runtimes: string[] = ['NODE:24-lts', 'NODE:22-lts']): string {
  return execFileSync('bash', [script], {
    cwd: root,
    env: {
      PATH: `${join(sandbox, 'bin')}:${process.env.PATH ?? ''}`,
      HOME: sandbox,
      STAND_IN_LOG: join(sandbox, 'calls.jsonl'),
      STAND_IN_ANSWERS: JSON.stringify({
        appIds: { Countersign: APP_ID, 'Countersign tab': TAB_APP_ID },
        outputs: deploymentOutputs,
        secret: SECRET,
        runtimes,
      }),
    },
    encoding: 'utf8',
    stdio: 'pipe',
  });
}

afterAll(() => {
  rmSync(sandbox, { recursive: true, force: true });
});

const line = (c: Call) => `${c.tool} ${c.args.join(' ')}`;
const at = (pattern: RegExp): number[] =>
  calls.flatMap((c, i) => (pattern.test(line(c)) ? [i] : []));
const first = (pattern: RegExp): number => {
  const found = at(pattern);
  if (found.length === 0) throw new Error(`no call matches ${String(pattern)}`);
  return found[0]!;
};
const last = (pattern: RegExp): number => at(pattern).at(-1) ?? -1;
const option = (c: Call, name: string): string | undefined => c.args[c.args.indexOf(name) + 1];
const body = (c: Call): Record<string, unknown> =>
  JSON.parse(c.files[option(c, '--body') ?? ''] ?? 'null') as Record<string, unknown>;

describe('infra/README.md, the steps', () => {
  it('are numbered in order, and each says what to check before going on', () => {
    expect(steps.map((s) => s.number)).toEqual(steps.map((_, i) => i + 1));
    expect(steps.length).toBe(8);
    for (const s of steps) expect(s.text, `step ${s.number}`).toMatch(/\nCheck: /);
    // Every step from the registrations on is commands, not clicks.
    for (const s of steps.slice(1)) {
      expect(blocks(s.text, 'sh').length + blocks(s.text, 'powershell').length).toBeGreaterThan(0);
    }
  });

  it('run from top to bottom, every variable set before it is used', () => {
    expect(calls.length).toBeGreaterThan(20);
    expect(printed).not.toContain('STOP');
  });

  it('stop before deploying a name, an instance count or a runtime Azure would refuse', () => {
    // Step 3's first block (the checks), on parameter files that break each rule in turn.
    const checks = blocks(step(/Azure resources/).text, 'sh')[0]!;
    expect(checks).not.toContain('az deployment');
    const base = JSON.parse(readFileSync(join(root, 'infra', 'main.parameters.json'), 'utf8')) as {
      parameters: Record<string, { value: unknown }>;
    };
    const run = (parameters: Record<string, unknown>, runtimes?: string[]) => {
      const file = { ...base, parameters: { ...base.parameters } };
      for (const [k, v] of Object.entries(parameters)) file.parameters[k] = { value: v };
      writeFileSync(join(sandbox, 'params.json'), JSON.stringify(file));
      // The block copies main.parameters.json first; here the copy is the broken file.
      const script = checks.replace(/^cp .*$/m, '').replaceAll('/tmp/', `${sandbox}/`);
      writeFileSync(join(sandbox, 'checks.sh'), `set -euo pipefail\n${script}`);
      return runBash(join(sandbox, 'checks.sh'), runtimes);
    };
    expect(run({})).toBe('');
    for (const bad of ['Oakfield', 'oak-field', 'oa', '1oakfield', 'a'.repeat(17)]) {
      expect(run({ name: bad }), bad).toMatch(/^STOP: name /);
    }
    expect(run({ appServiceSku: 'B1', instanceCount: 4 })).toMatch(/^STOP: instanceCount /);
    expect(run({ appServiceSku: 'B1', instanceCount: 3 })).toBe('');
    expect(run({ appServiceSku: 'S1', instanceCount: 11 })).toMatch(/^STOP: instanceCount /);
    expect(run({ appServiceSku: 'P0v3', instanceCount: 30 })).toBe('');
    expect(run({}, ['NODE:22-lts'])).toMatch(/^STOP: App Service no longer offers NODE\|24-lts/);
    // The ceilings checked are those of every SKU the template allows.
    const allowed = /@allowed\(\[([^\]]+)\]\)\nparam appServiceSku/.exec(bicep)?.[1];
    expect(allowed?.match(/'(\w+)'/g)?.every((s) => /^'[BSP]/.test(s))).toBe(true);
    expect(bicep).toContain("linuxFxVersion: 'NODE|24-lts'");
  });

  it('create both registrations before the deployment, which gets their real ids (the bot keeps its app id for good)', () => {
    const deploy = calls[first(/^az deployment group create/)]!;
    expect(first(/^az ad app create .*--display-name Countersign /)).toBeLessThan(
      calls.indexOf(deploy),
    );
    expect(last(/^az ad app create/)).toBeLessThan(calls.indexOf(deploy));
    const given = new Map<string, unknown>();
    deploy.args.forEach((arg, i) => {
      if (deploy.args[i - 1] !== '-p') return;
      if (arg.startsWith('@')) {
        const file = JSON.parse(deploy.files[arg]!) as {
          parameters: Record<string, { value: unknown }>;
        };
        for (const [name, p] of Object.entries(file.parameters)) given.set(name, p.value);
      }
    });
    const inline = deploy.args.filter((a) => /^\w+=/.test(a));
    for (const pair of inline)
      given.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    expect(given.get('clientId')).toBe(APP_ID);
    expect(given.get('tabClientId')).toBe(TAB_APP_ID);
    // Every parameter without a default is given.
    const required = [...bicep.matchAll(/^param (\w+) \w+$/gm)].map((m) => m[1]!);
    for (const name of required) expect(given.has(name), name).toBe(true);
    // The bot is made with the app id the registration has.
    expect(bicep).toMatch(/msaAppId: clientId\n/);
  });

  it('read only outputs the template declares', () => {
    const reads = [
      ...blocks(stepsText, 'sh')
        .join('\n')
        .matchAll(/jq -r \.(\w+)\.value/g),
    ].map((m) => m[1]!);
    expect(reads.length).toBeGreaterThan(3);
    for (const name of reads) expect(outputs, name).toContain(name);
  });

  it('apply Countersign’s registration in two requests, the scope first, then its pre-authorisations', () => {
    const patches = calls.filter((c) =>
      new RegExp(`^az rest --method PATCH --uri \\S+/applications/object-${APP_ID} `).test(line(c)),
    );
    expect(patches).toHaveLength(2);
    const [scopeFirst, preAuthorise] = patches.map(body) as [
      {
        api: { oauth2PermissionScopes: { id: string; value: string }[] };
        identifierUris: string[];
      },
      {
        api: {
          oauth2PermissionScopes: unknown[];
          preAuthorizedApplications: { appId: string; delegatedPermissionIds: string[] }[];
        };
      },
    ];
    expect(scopeFirst.api.oauth2PermissionScopes.map((s) => s.value)).toEqual(['access_as_user']);
    expect(scopeFirst.api).not.toHaveProperty('preAuthorizedApplications');
    // The API audience is the one the template gives the service (COUNTERSIGN_API_AUDIENCE).
    expect(bicep).toContain(
      "output apiAudience string = 'api://${webAppName}.azurewebsites.net/${clientId}'",
    );
    expect(scopeFirst.identifierUris).toEqual([deploymentOutputs.apiAudience!.value]);
    expect(Object.keys(preAuthorise)).toEqual(['api']);
    // The second request keeps the scope (a PATCH of api replaces it whole) and pre-authorises
    // only scopes the first one made.
    expect(preAuthorise.api.oauth2PermissionScopes).toEqual(scopeFirst.api.oauth2PermissionScopes);
    const scopes = new Set(scopeFirst.api.oauth2PermissionScopes.map((s) => s.id));
    for (const client of preAuthorise.api.preAuthorizedApplications) {
      for (const id of client.delegatedPermissionIds) expect(scopes.has(id)).toBe(true);
    }
    expect(preAuthorise.api.preAuthorizedApplications.map((a) => a.appId)).toContain(TAB_APP_ID);
  });

  it('give the tab its own registration: the NAA redirect of the deployed domain, asking for Countersign’s scope', () => {
    const tab = calls.find((c) =>
      new RegExp(`^az rest --method PATCH --uri \\S+/applications/object-${TAB_APP_ID} `).test(
        line(c),
      ),
    );
    const sent = body(tab!) as {
      spa: { redirectUris: string[] };
      requiredResourceAccess: { resourceAppId: string }[];
    };
    expect(sent.spa.redirectUris).toEqual([`brk-multihub://${DOMAIN}`]);
    expect(sent.requiredResourceAccess[0]?.resourceAppId).toBe(APP_ID);
    for (const c of calls) {
      for (const text of Object.values(c.files)) expect(text).not.toContain('{{');
    }
  });

  it('consent for both only after both service principals exist and the registrations are complete', () => {
    const consents = at(/^az ad app permission admin-consent/);
    expect(consents.map((i) => option(calls[i]!, '--id'))).toEqual([APP_ID, TAB_APP_ID]);
    const principals = at(/^az ad sp create/);
    expect(principals.map((i) => option(calls[i]!, '--id'))).toEqual([APP_ID, TAB_APP_ID]);
    expect(Math.max(...principals)).toBeLessThan(Math.min(...consents));
    expect(last(/^az rest --method PATCH .*\/applications\//)).toBeLessThan(Math.min(...consents));
  });

  it('grant the site with the documented roles only: write, raised to fullcontrol to provision, lowered after', () => {
    const grant = blocks(step(/one site/).text, 'powershell').join('\n');
    expect(grant).toMatch(/Connect-MgGraph .*-Scopes Sites\.FullControl\.All/);
    const roles = [
      ...[grant, ...blocks(step(/Deploy/).text, 'powershell')]
        .join('\n')
        .matchAll(/roles = @\('(\w+)'\)/g),
    ].map((m) => m[1]!);
    // "Overview of Selected permissions in OneDrive and SharePoint": read, write, owner, fullcontrol.
    for (const role of roles) expect(['read', 'write', 'owner', 'fullcontrol']).toContain(role);
    expect(roles).toEqual(['write', 'fullcontrol', 'write']);
    expect(grant).toMatch(
      /New-MgSitePermission[\s\S]*roles = @\('write'\)[\s\S]*Update-MgSitePermission/,
    );
  });

  it('set exactly the secrets the template references, after granting Key Vault Secrets Officer on the vault', () => {
    const officer = calls[first(/^az role assignment create/)]!;
    expect(option(officer, '--role')).toBe('Key Vault Secrets Officer');
    expect(option(officer, '--scope')).toMatch(new RegExp(`/vaults/${VAULT}$`));
    const sets = at(/^az keyvault secret set/);
    expect(calls.indexOf(officer)).toBeLessThan(Math.min(...sets));
    for (const i of sets) expect(option(calls[i]!, '--vault-name')).toBe(VAULT);
    const referenced = [...bicep.matchAll(/SecretName=([\w-]+)\)/g)].map((m) => m[1]!);
    expect(sets.map((i) => option(calls[i]!, '-n')).sort()).toEqual([...referenced].sort());
    const clientSecret = calls[sets.find((i) => option(calls[i]!, '-n') === 'client-secret')!]!;
    expect(option(clientSecret, '--value')).toBe(SECRET);
    // Then the references are resolved again (a restart alone is not documented to do it).
    const refresh = first(
      /^az rest --method post .*\/config\/configreferences\/appsettings\/refresh/,
    );
    expect(line(calls[refresh]!)).toContain(`/sites/${WEB_APP}/config/`);
    expect(Math.max(...sets)).toBeLessThan(refresh);
  });

  it('deploy the release artifact, then provision with the settings provision reads', () => {
    const release = first(/^npm run release$/);
    const deploy = calls[first(/^az webapp deploy/)]!;
    expect(release).toBeLessThan(calls.indexOf(deploy));
    expect(option(deploy, '--src-path')).toBe('build/countersign-release.zip');
    expect(readFileSync(join(root, 'scripts', 'release.ts'), 'utf8')).toContain(
      "join(root, 'build', 'countersign-release.zip')",
    );
    expect(option(deploy, '--type')).toBe('zip');
    expect(option(deploy, '-n')).toBe(WEB_APP);
    const provision = calls[first(/^npm run cli -- provision/)]!;
    expect(calls.indexOf(deploy)).toBeLessThan(calls.indexOf(provision));
    const env = loadGraphEnv({ ...provision.env, COUNTERSIGN_SITE: option(provision, '--site') });
    expect(env).toMatchObject({
      COUNTERSIGN_MODE: 'production',
      COUNTERSIGN_CLIENT_ID: APP_ID,
      COUNTERSIGN_CLIENT_SECRET: SECRET,
      COUNTERSIGN_SITE: 'oakfieldprimary.sharepoint.com:/sites/countersign',
    });
  });

  it('package the Teams app last, from the deployment’s outputs', () => {
    const pack = calls[first(/^npm run package$/)]!;
    expect(calls.indexOf(pack)).toBe(calls.length - 1);
    expect(
      manifestConfigSchema.parse({
        teamsAppId: pack.env.COUNTERSIGN_TEAMS_APP_ID,
        clientId: pack.env.COUNTERSIGN_CLIENT_ID,
        publicUrl: pack.env.COUNTERSIGN_PUBLIC_URL,
      }),
    ).toMatchObject({ teamsAppId: TEAMS_APP_ID, clientId: APP_ID, publicUrl: `https://${DOMAIN}` });
  });

  it('lock the WORM policy of the container the template creates', () => {
    const lock = blocks(step(/Azure resources/).text, 'powershell').join('\n');
    const container = /resource checkpointContainer [^\n]+\n[^\n]+\n {2}name: '([^']+)'/.exec(
      bicep,
    )?.[1];
    expect(container).toBe('countersign-checkpoints');
    expect(lock).toMatch(
      new RegExp(`Lock-AzRmStorageContainerImmutabilityPolicy .*-ContainerName ${container} -Etag`),
    );
  });
});
