import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../../src/adapters/graph/sharepoint-record-store.ts';
import { SCHEMA } from '../../../src/adapters/graph/sharepoint-schema.ts';
import { SharePointSite } from '../../../src/adapters/graph/sharepoint-site.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { DEMO_SCHOOL } from '../../../src/dev/demo/demo-school.ts';
import {
  startGraphEmulator,
  type ColumnPatchRule,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { audit, policy, policyVersion } from '../../contract/record-fixtures.ts';
import { emulatorGateway } from '../../support/emulator-graph.ts';

function io(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env },
  };
}

describe('countersign provision (against the Graph emulator)', () => {
  let emulator: GraphEmulator;
  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('creates the six lists with indexed, unique key columns, then a second run changes nothing', async () => {
    const env = { COUNTERSIGN_GRAPH_BASE_URL: emulator.url, COUNTERSIGN_SITE: emulator.siteId };
    const first = io(env);
    expect(await runCli(['provision'], first.io)).toBe(0);
    const text = first.out.join('');
    for (const spec of Object.values(SCHEMA)) expect(text).toContain(`created list ${spec.name}`);

    const gateway = emulatorGateway(emulator);
    const site = new SharePointSite(gateway, emulator.siteId);
    const ids = await site.listIds();
    const reply = await gateway.call({
      method: 'GET',
      url: `sites/${emulator.siteId}/lists/${ids.acknowledgements}/columns`,
    });
    const columns = (
      reply.body as { value: { name: string; indexed: boolean; enforceUniqueValues: boolean }[] }
    ).value;
    const col = (name: string) => columns.find((c) => c.name === name);
    expect(col('AckKey')).toMatchObject({ indexed: true, enforceUniqueValues: true });
    for (const name of ['PolicyKey', 'VersionNumber', 'UserId'])
      expect(col(name)?.indexed).toBe(true);

    const second = io(env);
    expect(await runCli(['provision'], second.io)).toBe(0);
    expect(second.out.join('')).toMatch(/^0 changes$/m);
  });

  it('adds what is missing to an existing list and indexes an unindexed column, leaving the rest', async () => {
    const gateway = emulatorGateway(emulator);
    const site = new SharePointSite(gateway, emulator.siteId);
    const ids = await site.listIds();
    const columnsUrl = `sites/${emulator.siteId}/lists/${ids.audit}/columns`;
    // Someone removed the index on EventType (and SharePoint would then throttle filters on it).
    const columns = (await gateway.call({ method: 'GET', url: columnsUrl })).body as {
      value: { id: string; name: string }[];
    };
    const eventType = columns.value.find((c) => c.name === 'EventType');
    if (!eventType) throw new Error('EventType missing');
    await gateway.call({
      method: 'PATCH',
      url: `${columnsUrl}/${eventType.id}`,
      body: { indexed: false },
    });

    const report = await provisionSite(gateway, site);
    expect(report.changes).toEqual([
      { list: 'CountersignAudit', action: 'index-column', column: 'EventType' },
    ]);
    expect((await provisionSite(gateway, site)).changes).toEqual([]);
  });

  it('names the site by path, and refuses to guess a site on real Graph', async () => {
    const byPath = io({
      COUNTERSIGN_GRAPH_BASE_URL: emulator.url,
      COUNTERSIGN_SITE: `${DEMO_SCHOOL.sharePointHostname}:${DEMO_SCHOOL.sitePath}`,
    });
    expect(await runCli(['provision', '--json'], byPath.io)).toBe(0);
    expect(JSON.parse(byPath.out.join('')) as unknown).toMatchObject({
      siteId: DEMO_SCHOOL.siteId,
    });

    const noSite = io({});
    expect(await runCli(['provision'], noSite.io)).toBe(1);
    expect(noSite.err.join('')).toContain('Name the SharePoint site');
  });
});

describe('provision turns on indexes and unique values whichever way SharePoint takes them', () => {
  const uniqueKeys = Object.values(SCHEMA).flatMap((spec) =>
    spec.columns.filter((c) => c.unique === true).map((c) => `${spec.name}.${c.name}`),
  );

  async function keyColumnsAfterProvision(rule: ColumnPatchRule) {
    const emulator = await startGraphEmulator({ seed: 'none' });
    try {
      emulator.setup.setColumnPatchRule(rule);
      const gateway = emulatorGateway(emulator);
      const site = new SharePointSite(gateway, emulator.siteId);
      const report = await provisionSite(gateway, site);
      const ids = await site.listIds();
      const found: string[] = [];
      for (const [key, spec] of Object.entries(SCHEMA)) {
        const reply = await gateway.call({
          method: 'GET',
          url: `sites/${emulator.siteId}/lists/${ids[key as keyof typeof ids]}/columns`,
        });
        const columns = (
          reply.body as {
            value: { name: string; indexed: boolean; enforceUniqueValues: boolean }[];
          }
        ).value;
        for (const c of columns) {
          if (c.indexed && c.enforceUniqueValues) found.push(`${spec.name}.${c.name}`);
        }
      }
      const again = await provisionSite(gateway, site);
      return { report, found, again };
    } finally {
      await emulator.close();
    }
  }

  it('one PATCH with both, when SharePoint takes it (no PATCH needed after list creation)', async () => {
    const { report, found, again } = await keyColumnsAfterProvision('combined');
    expect(report.problems).toEqual([]);
    expect(found.sort()).toEqual([...uniqueKeys].sort());
    expect(again.changes).toEqual([]);
  });

  it('two PATCHes, index first, when SharePoint refuses the combined PATCH (400)', async () => {
    const { report, found, again } = await keyColumnsAfterProvision('refuse-combined');
    expect(report.problems).toEqual([]);
    expect(found.sort()).toEqual([...uniqueKeys].sort());
    expect(report.changes.filter((c) => c.action === 'enforce-unique')).toHaveLength(
      uniqueKeys.length,
    );
    expect(again.changes).toEqual([]);
  });

  it('a PATCH answered 200 that left unique values off is caught by reading the column back', async () => {
    const { report, found } = await keyColumnsAfterProvision('ignore-unique');
    expect(report.problems).toEqual([]);
    expect(found.sort()).toEqual([...uniqueKeys].sort());
  });

  it('an unindexed key column gets its index and unique values even when the combined PATCH is refused', async () => {
    const emulator = await startGraphEmulator({ seed: 'none' });
    try {
      const gateway = emulatorGateway(emulator);
      const site = new SharePointSite(gateway, emulator.siteId);
      await provisionSite(gateway, site);
      const ids = await site.listIds();
      const columnsUrl = `sites/${emulator.siteId}/lists/${ids.acknowledgements}/columns`;
      await gateway.call({
        method: 'PATCH',
        url: `${columnsUrl}/AckKey`,
        body: { enforceUniqueValues: false },
      });
      await gateway.call({
        method: 'PATCH',
        url: `${columnsUrl}/AckKey`,
        body: { indexed: false },
      });
      emulator.setup.setColumnPatchRule('refuse-combined');
      const report = await provisionSite(gateway, site);
      expect(report.changes).toEqual([
        { list: 'CountersignAcknowledgements', action: 'index-column', column: 'AckKey' },
        { list: 'CountersignAcknowledgements', action: 'enforce-unique', column: 'AckKey' },
      ]);
      const back = (await gateway.call({ method: 'GET', url: `${columnsUrl}/AckKey` })).body;
      expect(back).toMatchObject({ indexed: true, enforceUniqueValues: true });
    } finally {
      await emulator.close();
    }
  });
});

describe('provision checks the Sites.Selected role it was granted (issue 12, item 2)', () => {
  let emulator: GraphEmulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    env = { COUNTERSIGN_GRAPH_BASE_URL: emulator.url, COUNTERSIGN_SITE: emulator.siteId };
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function countersignLists(): Promise<string[]> {
    const gateway = emulatorGateway(emulator);
    emulator.setup.setSiteGrant(undefined);
    const lists = await new SharePointSite(gateway, emulator.siteId).allLists();
    return lists.map((l) => l.displayName).filter((n) => n.startsWith('Countersign'));
  }

  it('with write only, refuses before changing anything and says exactly what to grant', async () => {
    emulator.setup.setSiteGrant('write');
    const run = io(env);
    expect(await runCli(['provision'], run.io)).toBe(1);
    const said = run.err.join('');
    const permissions = `https://graph.microsoft.com/v1.0/sites/${emulator.siteId}/permissions`;
    expect(said).toContain(`The app may read site ${emulator.siteId} but not create`);
    expect(said).toContain('Nothing was changed.');
    expect(said).toContain('Provisioning needs the fullcontrol role on the site.');
    expect(said).toContain(
      `PATCH ${permissions}/{permission id} with {"roles":["fullcontrol"]}, run "countersign provision" again, then PATCH it back to {"roles":["write"]}`,
    );
    // How to send them: az rest's sign-in lacks the SharePoint scope; the guide's way is named.
    expect(said).toContain('Connect-MgGraph -Scopes Sites.FullControl.All');
    expect(said).toContain('infra/README.md, step 5');
    expect(await countersignLists()).toEqual([]);
  });

  it('with no grant on the site, says to grant it first', async () => {
    emulator.setup.setSiteGrant('none');
    const run = io(env);
    expect(await runCli(['provision'], run.io)).toBe(1);
    expect(run.err.join('')).toContain(`The app has no access to site ${emulator.siteId}`);
    expect(run.err.join('')).toContain('{"roles":["write"],"grantedToIdentities"');
  });

  it('with fullcontrol provisions; then write is enough to run and to re-check the site', async () => {
    emulator.setup.setSiteGrant('fullcontrol');
    expect(await runCli(['provision'], io(env).io)).toBe(0);
    emulator.setup.setSiteGrant('write');
    const again = io(env);
    expect(await runCli(['provision'], again.io)).toBe(0);
    expect(again.out.join('')).toMatch(/^0 changes$/m);
    // Run time under write: a version (its text a file in the library) written and read back.
    const gateway = emulatorGateway(emulator);
    const store = new SharePointRecordStore({ gateway, site: emulator.siteId });
    await store.putPolicy(policy('granted-aup'));
    const version = policyVersion('granted-aup', 1);
    await store.createVersion(version, audit('policy.saved', 'granted-aup:v1'));
    expect((await store.getVersion('granted-aup', 1))?.value).toEqual(version);
    // read alone cannot write a version.
    emulator.setup.setSiteGrant('read');
    await expect(
      store.createVersion(policyVersion('granted-aup', 2), audit('policy.saved', 'granted-aup:v2')),
    ).rejects.toMatchObject({ details: { status: 403 } });
    emulator.setup.setSiteGrant(undefined);
  });
});
