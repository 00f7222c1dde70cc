import { rewriteStoredText } from './stored-text.ts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphGateway } from '../../../src/adapters/graph/graph-gateway.ts';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../../src/adapters/graph/sharepoint-record-store.ts';
import { untag } from '../../../src/adapters/graph/sharepoint-rows.ts';
import type { VerifyReport } from '../../../src/cli/commands/verify.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import type { PolicyVersion } from '../../../src/domain/policy.ts';
import {
  CONTRACT_SEAL_KEY,
  audit,
  document,
  pendingApproval,
  policy,
  policyVersion,
  signature,
} from '../../contract/record-fixtures.ts';
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

describe('countersign verify (against the Graph emulator)', () => {
  let emulator: GraphEmulator;
  let gateway: GraphGateway;
  let store: SharePointRecordStore;
  let env: Record<string, string>;
  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    gateway = emulatorGateway(emulator);
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

  /** Stores the policy and its published version 1, as publishing does; and its item id. */
  async function published(
    key: string,
  ): Promise<{ version: PolicyVersion; versionItemId: string }> {
    await store.putPolicy(policy(key, { approvalMode: 'every-signature' }));
    const version = policyVersion(key, 1, { status: 'published' });
    const tagged = await store.createVersion(version, audit('version.published', `${key}:v1`));
    return { version, versionItemId: untag(tagged.etag).itemId };
  }

  it('passes a clean site, then reports a row edited in SharePoint and a row deleted', async () => {
    const { version } = await published('verify-aup');
    const acks = [randomUUID(), randomUUID(), randomUUID()].map((u) => signature(version, u));
    for (const ack of acks)
      await store.recordSignature(ack, audit('acknowledgement.signed', ack.id));

    const clean = io(env);
    expect(await runCli(['verify'], clean.io)).toBe(0);
    expect(clean.out.join('')).toContain('Checked 3 acknowledgements.');
    expect(clean.out.join('')).toContain('All seals, approvals and policy texts hold');

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
    const { version } = await published('verify-broken');
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

  it('reports an approval state flipped in SharePoint and a published text edited there', async () => {
    const { version, versionItemId } = await published('verify-tamper');
    const [flipped, decided, reworded] = [randomUUID(), randomUUID(), randomUUID()].map((u) => ({
      ...signature(version, u),
      approvalState: 'pending' as const,
    }));
    if (!flipped || !decided || !reworded) throw new Error('fixtures');
    for (const ack of [flipped, decided, reworded]) {
      await store.recordSignature(ack, audit('acknowledgement.signed', ack.id));
      await store.createApproval(pendingApproval(ack));
    }
    // The headteacher rejects one, approves another (as services/approvals.ts records it).
    for (const [ack, decision] of [
      [flipped, 'rejected'],
      [decided, 'approved'],
    ] as const) {
      const current = (await store.listApprovals({})).find(
        (a) => a.value.acknowledgementId === ack.id,
      );
      if (!current) throw new Error('no approval');
      const at = new Date().toISOString();
      await store.decideApproval(
        current,
        { ...current.value, decision, approverId: 'head-1', decidedAt: at, comment: 'Reason' },
        {
          ...audit('approval.decided', ack.id, at, 'head-1'),
          details: { decision, additionalPermissions: [] },
        },
      );
    }
    const ours = (report: VerifyReport) => ({
      approvals: report.approvalFailures.filter((f) => f.id.startsWith('verify-tamper:')),
      versions: report.versionFailures.filter((f) => f.policyKey === 'verify-tamper'),
      content: report.contentFailures.filter((f) => f.id.startsWith('verify-tamper:')),
    });
    const before = io(env);
    await runCli(['verify', '--json'], before.io);
    expect(ours(JSON.parse(before.out.join('')) as VerifyReport)).toEqual({
      approvals: [],
      versions: [],
      content: [],
    });

    // An editor flips the rejection to approved, and rewords the published policy.
    const acks = `${await store.site.listPath('acknowledgements')}/items`;
    const row = (await store.scanAcknowledgements({})).find((r) => r.key === flipped.id);
    await gateway.call({
      method: 'PATCH',
      url: `${acks}/${row?.itemId ?? ''}/fields`,
      body: { ApprovalState: 'approved' },
    });
    // The text is a file now: the editor rewrites it and the hash its row names.
    await rewriteStoredText(
      gateway,
      store.site,
      versionItemId,
      JSON.stringify(document('AUP 1', 'Passwords may be shared.')),
      { rehash: true },
    );

    const after = io(env);
    expect(await runCli(['verify'], after.io)).toBe(1);
    const text = after.out.join('');
    expect(text).toContain(`APPROVAL    ${flipped.id}: approved but the last decision`);
    expect(text).toContain('TEXT        verify-tamper v1: the published document hashes to');
    const json = io(env);
    expect(await runCli(['verify', '--json'], json.io)).toBe(1);
    const report = ours(JSON.parse(json.out.join('')) as VerifyReport);
    expect(report.approvals.map((f) => f.id)).toEqual([flipped.id, flipped.id]);
    expect(report.approvals.map((f) => f.reason)).toEqual([
      expect.stringMatching(/is rejected$/) as string,
      'approved but the Approvals row says rejected',
    ]);
    expect(report.versions.map((v) => v.versionNumber)).toEqual([1]);
    // Every signature of that version now appears to agree to words nobody signed.
    expect(report.content.map((c) => c.id).sort()).toEqual(
      [flipped.id, decided.id, reworded.id].sort(),
    );
  });

  it('reports a version whose text file was edited, and the signatures of that policy', async () => {
    const { version, versionItemId } = await published('verify-garbled');
    const ack = signature(version, randomUUID());
    await store.recordSignature(ack, audit('acknowledgement.signed', ack.id));
    await rewriteStoredText(gateway, store.site, versionItemId, '{"title": "half a docu');
    const run = io(env);
    expect(await runCli(['verify', '--json'], run.io)).toBe(1);
    const report = JSON.parse(run.out.join('')) as VerifyReport;
    expect(report.versionFailures.filter((v) => v.policyKey === 'verify-garbled')).toEqual([
      {
        policyKey: 'verify-garbled',
        versionNumber: null,
        reason: expect.stringMatching(
          /is not the text stored \(edited in SharePoint\?\)/,
        ) as string,
      },
    ]);
    expect(report.contentFailures.find((c) => c.id === ack.id)?.reason).toMatch(
      /missing or unreadable/,
    );
  });
});
