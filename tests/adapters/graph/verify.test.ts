import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphGateway } from '../../../src/adapters/graph/graph-gateway.ts';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../../src/adapters/graph/sharepoint-record-store.ts';
import type { VerifyReport } from '../../../src/cli/commands/verify.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { startGraphEmulator, type GraphEmulator } from '../../../src/emulator/graph-emulator.ts';
import {
  CONTRACT_SEAL_KEY,
  audit,
  policyVersion,
  signature,
} from '../../contract/record-fixtures.ts';

function io(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env },
  };
}

describe('countersign verify (against the Graph emulator)', () => {
  let emulator: GraphEmulator;
  let gateway: GraphGateway;
  let store: SharePointRecordStore;
  let env: Record<string, string>;
  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    gateway = new GraphGateway({ baseUrl: emulator.url });
    store = new SharePointRecordStore({ gateway, site: emulator.siteId });
    await provisionSite(gateway, store.site);
    env = {
      COUNTERSIGN_GRAPH_BASE_URL: emulator.url,
      COUNTERSIGN_SITE: emulator.siteId,
      COUNTERSIGN_SEAL_KEY: CONTRACT_SEAL_KEY,
    };
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('passes a clean site, then reports a row edited in SharePoint and a row deleted', async () => {
    const version = policyVersion('verify-aup', 1, { status: 'published' });
    const acks = [randomUUID(), randomUUID(), randomUUID()].map((u) => signature(version, u));
    for (const ack of acks)
      await store.recordSignature(ack, audit('acknowledgement.signed', ack.id));

    const clean = io(env);
    expect(await runCli(['verify'], clean.io)).toBe(0);
    expect(clean.out.join('')).toContain('Checked 3 acknowledgements.');
    expect(clean.out.join('')).toContain('All seals hold');

    const [edited, deleted] = acks;
    if (!edited || !deleted) throw new Error('fixtures');
    const items = `${await store.site.listPath('acknowledgements')}/items`;
    const itemOf = async (key: string) =>
      (await store.scanAcknowledgements({})).find((r) => r.key === key)?.itemId ?? '';
    // An editor changes the version someone signed, and deletes another signature.
    await gateway.call({
      method: 'PATCH',
      url: `${items}/${await itemOf(edited.id)}/fields`,
      body: { SignedAt: '2020-01-01T00:00:00.000Z' },
    });
    await gateway.call({ method: 'DELETE', url: `${items}/${await itemOf(deleted.id)}` });

    const dirty = io(env);
    expect(await runCli(['verify', '--json'], dirty.io)).toBe(1);
    const report = JSON.parse(dirty.out.join('')) as VerifyReport;
    expect(report.checked).toBe(2);
    expect(report.sealFailures.map((f) => f.id)).toEqual([edited.id]);
    expect(report.missing.map((m) => m.id)).toEqual([deleted.id]);
    expect(report.ok).toBe(false);
  });

  it('reports a row an edit made unreadable, and refuses to run without the seal key', async () => {
    const version = policyVersion('verify-broken', 1, { status: 'published' });
    const ack = signature(version, randomUUID());
    await store.recordSignature(ack, audit('acknowledgement.signed', ack.id));
    const row = (await store.scanAcknowledgements({ policyKey: 'verify-broken' }))[0];
    const items = `${await store.site.listPath('acknowledgements')}/items`;
    await gateway.call({
      method: 'PATCH',
      url: `${items}/${row?.itemId ?? ''}/fields`,
      body: { Seal: 'forged' },
    });

    const run = io(env);
    expect(await runCli(['verify', '--json'], run.io)).toBe(1);
    const report = JSON.parse(run.out.join('')) as VerifyReport;
    expect(report.sealFailures.find((f) => f.id === ack.id)?.reason).toMatch(
      /not a valid acknowledgement/,
    );
    // The row is unreadable, not gone: it must not also count as deleted.
    expect(report.missing.map((m) => m.id)).not.toContain(ack.id);

    const noKey = io({ ...env, COUNTERSIGN_SEAL_KEY: '' });
    delete noKey.io.env.COUNTERSIGN_SEAL_KEY;
    expect(await runCli(['verify'], noKey.io)).toBe(2);
    expect(noKey.err.join('')).toContain('COUNTERSIGN_SEAL_KEY');
  });
});
