import { rewriteStoredText } from './stored-text.ts';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { GraphGateway } from '../../../src/adapters/graph/graph-gateway.ts';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../../src/adapters/graph/sharepoint-record-store.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import type { Acknowledgement } from '../../../src/domain/acknowledgement.ts';
import { signRecord } from '../../../src/domain/evidence/evidence-signer.ts';
import { shardOf } from '../../../src/domain/evidence/shard.ts';
import type { Finding } from '../../../src/domain/evidence/finding.ts';
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
import { signedAcknowledgement } from './evidence-fixtures.ts';
import { emulatorGateway } from '../../support/emulator-graph.ts';

/**
 * `countersign verify` as an inspector runs it: the published keys only (no seal key, no
 * service), over a site a site owner has tampered with through Graph.
 */
describe('countersign verify over signed evidence (against the Graph emulator)', () => {
  let emulator: GraphEmulator;
  let gateway: GraphGateway;
  let store: SharePointRecordStore;
  const keys = memoryEvidenceKeys();
  const dir = mkdtempSync(join(tmpdir(), 'countersign-verify-'));
  const ringFile = join(dir, 'keys.json');
  let env: Record<string, string>;

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    gateway = emulatorGateway(emulator);
    store = new SharePointRecordStore({ gateway, site: emulator.siteId });
    await provisionSite(gateway, store.site);
    writeFileSync(ringFile, JSON.stringify(keys.keyRing));
    env = { COUNTERSIGN_GRAPH_BASE_URL: emulator.url, COUNTERSIGN_SITE: emulator.siteId };
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function verify(): Promise<{ code: number; findings: Finding[]; text: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env };
    const code = await runCli(['verify', '--keys', ringFile, '--json'], io);
    const report = JSON.parse(out.join('')) as { evidence: { findings: Finding[] } };
    const textOut: string[] = [];
    await runCli(['verify', '--keys', ringFile], { ...io, stdout: (t) => textOut.push(t) });
    return { code, findings: report.evidence.findings, text: textOut.join('') };
  }

  /** Publishes version 1 signed, as the service does; returns it and its item id. */
  async function publish(key: string): Promise<{ version: PolicyVersion; itemId: string }> {
    await store.putPolicy(policy(key, { approvalMode: 'every-signature' }));
    const draft = await store.createVersion(
      policyVersion(key, 1),
      audit('policy.saved', `${key}:v1`),
    );
    const publishedAt = '2026-09-01T07:00:00.001Z';
    const signed = await signRecord(keys.signer, {
      kind: 'published-version',
      id: `${key}:v1`,
      policyKey: key,
      number: 1,
      label: draft.value.label,
      contentHash: draft.value.contentHash,
      changeKind: draft.value.changeKind,
      publishedAt,
      publishedBy: 'dsl',
    });
    const published = await store.publishVersion(
      draft,
      publishedAt,
      [],
      audit('version.published', `${key}:v1`, publishedAt),
      signed,
    );
    const row = (await store.scanSignedRows('versions')).find((r) => r.columns.policyKey === key);
    return { version: published.value, itemId: row?.itemId ?? '' };
  }

  /** A signature awaiting approval, signed and stored with its Approvals row. */
  async function sign(version: PolicyVersion, signedAt: string): Promise<Acknowledgement> {
    const ack: Acknowledgement = {
      ...signature(version, randomUUID(), signedAt),
      approvalState: 'pending',
    };
    await store.recordSignature(
      ack,
      audit('acknowledgement.signed', ack.id, signedAt),
      await signedAcknowledgement(keys.signer, ack),
    );
    await store.createApproval(pendingApproval(ack));
    return ack;
  }

  async function decide(ack: Acknowledgement, decision: 'approved' | 'rejected'): Promise<void> {
    const [current] = (await store.listApprovals({ userId: ack.userId })).filter(
      (a) => a.value.acknowledgementId === ack.id,
    );
    if (current === undefined) throw new Error('no approval row');
    const decidedAt = '2026-09-02T08:00:00.002Z';
    const reason = decision === 'rejected' ? 'Wrong name' : undefined;
    const signed = await signRecord(keys.signer, {
      kind: 'approval-decision',
      id: `${ack.id}:decision`,
      acknowledgementId: ack.id,
      userId: ack.userId,
      approverId: 'head',
      approverName: 'Helen Head',
      decision,
      additionalPermissions: [],
      ...(reason === undefined ? {} : { reason }),
      decidedAt,
    });
    await store.decideApproval(
      current,
      {
        ...current.value,
        decision,
        approverId: 'head',
        approverName: 'Helen Head',
        ...(reason === undefined ? {} : { comment: reason }),
        decidedAt,
      },
      audit('approval.decided', ack.id, decidedAt),
      signed,
    );
  }

  const itemOf = async (id: string) =>
    (await store.scanAcknowledgements({})).find((r) => r.key === id)?.itemId ?? '';

  it('holds untouched; then names an edited field, a deleted row with its event, a flipped approval and an edited version text', async () => {
    const { itemId: versionItem } = await publish('tamper-aup');
    const version = (await store.getVersion('tamper-aup', 1))?.value;
    if (version === undefined) throw new Error('no version');
    const edited = await sign(version, '2026-09-01T08:00:00.101Z');
    const deleted = await sign(version, '2026-09-01T08:00:00.202Z');
    const flipped = await sign(version, '2026-09-01T08:00:00.303Z');
    const forged = await sign(version, '2026-09-01T08:00:00.404Z');
    await decide(deleted, 'approved');
    await decide(flipped, 'rejected');

    const clean = await verify();
    expect(clean.findings).toEqual([]);
    expect(clean.code).toBe(0);
    expect(clean.text).toContain('All signed records hold');

    const acks = `${await store.site.listPath('acknowledgements')}/items`;
    // An edited column: someone else's name typed in.
    await gateway.call({
      method: 'PATCH',
      url: `${acks}/${await itemOf(edited.id)}/fields`,
      body: { TypedName: 'Somebody Else' },
    });
    // An edited record: the signed JSON itself rewritten (its signature no longer holds).
    const forgedItem = await itemOf(forged.id);
    const [forgedRow] = (await store.scanAcknowledgements({})).filter((r) => r.key === forged.id);
    await gateway.call({
      method: 'PATCH',
      url: `${acks}/${forgedItem}/fields`,
      body: {
        Record: JSON.stringify({
          ...(forgedRow?.evidence?.record as object),
          approvalAtSigning: 'not-required',
        }),
      },
    });
    // A deleted row, and its audit event with it.
    await gateway.call({ method: 'DELETE', url: `${acks}/${await itemOf(deleted.id)}` });
    const auditItems = `${await store.site.listPath('audit')}/items`;
    const events = (
      await gateway.call({ method: 'GET', url: `${auditItems}?$expand=fields&$top=5000` })
    ).body as { value: { id: string; fields: { Subject?: string; EventType?: string } }[] };
    for (const item of events.value) {
      if (
        item.fields.Subject === deleted.id &&
        item.fields.EventType === 'acknowledgement.signed'
      ) {
        await gateway.call({ method: 'DELETE', url: `${auditItems}/${item.id}` });
      }
    }
    // A rejection flipped to approved in the column the reports read.
    await gateway.call({
      method: 'PATCH',
      url: `${acks}/${await itemOf(flipped.id)}/fields`,
      body: { ApprovalState: 'approved' },
    });
    // The published text reworded.
    await rewriteStoredText(
      gateway,
      store.site,
      versionItem,
      JSON.stringify(document('AUP 1', 'Passwords may be shared.')),
    );

    const dirty = await verify();
    expect(dirty.code).toBe(1);
    const found = dirty.findings.map((f) => ({
      code: f.code,
      id: f.subject.id,
      ...(f.code === 'field-edited' && f.column !== undefined ? { column: f.column } : {}),
    }));
    expect(found).toEqual(
      expect.arrayContaining([
        { code: 'field-edited', id: edited.id, column: 'typedName' },
        { code: 'field-edited', id: forged.id },
        { code: 'row-deleted', id: deleted.id },
        { code: 'approval-flipped', id: flipped.id },
        { code: 'version-text-edited', id: 'tamper-aup:v1' },
      ]),
    );
    expect(found).toHaveLength(5);
    const deletion = dirty.findings.find((f) => f.code === 'row-deleted');
    expect(deletion?.code === 'row-deleted' && deletion.namedBy).toEqual({
      list: 'approvalDecisions',
      id: `${deleted.id}:decision`,
      itemId: expect.any(String) as string,
    });
    expect(dirty.text).toContain(`FAILS  approval-flipped  acknowledgements ${flipped.id}`);
  });

  it('refuses records signed with a key it was not given', async () => {
    const other = memoryEvidenceKeys();
    const { version } = await publish('stranger-aup');
    const ack: Acknowledgement = signature(version, randomUUID());
    await store.recordSignature(
      ack,
      audit('acknowledgement.signed', ack.id),
      await signedAcknowledgement(other.signer, ack),
    );
    const run = await verify();
    expect(run.code).toBe(1);
    expect(run.findings.filter((f) => f.subject.id === ack.id).map((f) => f.code)).toEqual([
      'unknown-key',
    ]);
  });

  it('fetches the published keys from the service when no file is given', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/api/evidence/keys') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(keys.keyRing));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const { version } = await publish('fetched-aup');
      const ack = signature(version, randomUUID());
      await store.recordSignature(
        ack,
        audit('acknowledgement.signed', ack.id),
        await signedAcknowledgement(keys.signer, ack),
      );
      const out: string[] = [];
      const io = {
        stdout: (t: string) => out.push(t),
        stderr: () => undefined,
        env: { ...env, COUNTERSIGN_PUBLIC_URL: `http://127.0.0.1:${port}` },
      };
      await runCli(['verify', '--json'], io);
      const { evidence } = JSON.parse(out.join('')) as { evidence: { findings: Finding[] } };
      // Everything the tests before did is still found, and nothing about this signature.
      expect(evidence.findings.some((f) => f.code === 'approval-flipped')).toBe(true);
      expect(evidence.findings.filter((f) => f.subject.id === ack.id)).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('with chained events, a row deleted with its audit event is named by the gap in its chain', async () => {
    const chained = new SharePointRecordStore({
      gateway,
      site: emulator.siteId,
      evidenceSigner: keys.signer,
    });
    const { version } = await publish('chained-aup');
    // Three signatures in one shard: the middle one goes, row and event, nothing names it.
    const people: string[] = [];
    const shardOfPerson = (userId: string) => shardOf(signature(version, userId).id);
    for (let i = 0; people.length < 3; i += 1) {
      const userId = `chained-${i}`;
      if (people.length === 0 || shardOfPerson(userId) === shardOfPerson(people[0]!)) {
        people.push(userId);
      }
    }
    const acks = people.map((userId) => signature(version, userId));
    for (const ack of acks) {
      await chained.recordSignature(
        ack,
        audit('acknowledgement.signed', ack.id),
        await signedAcknowledgement(keys.signer, ack),
      );
    }
    const before = await verify();
    const shard = shardOf(acks[0]!.id);
    expect(before.findings.filter((f) => f.subject.shard === shard)).toEqual([]);

    const middle = acks[1]!;
    const listItems = `${await store.site.listPath('acknowledgements')}/items`;
    await gateway.call({ method: 'DELETE', url: `${listItems}/${await itemOf(middle.id)}` });
    const events = (await chained.scanSignedRows('audit')).filter(
      (r) => r.columns.subject === middle.id,
    );
    expect(events).toHaveLength(1);
    const auditItems = `${await store.site.listPath('audit')}/items`;
    await gateway.call({ method: 'DELETE', url: `${auditItems}/${events[0]?.itemId ?? ''}` });

    const after = await verify();
    expect(after.code).toBe(1);
    expect(after.findings.filter((f) => f.subject.shard === shard)).toEqual([
      expect.objectContaining({ code: 'event-deleted', seqs: [events[0]?.columns.seq] }),
    ]);
  });

  it('reports a row from before signatures as a legacy seal: verified with the seal key, else not', async () => {
    const { version } = await publish('legacy-aup');
    const ack = signature(version, randomUUID());
    await store.recordSignature(ack, audit('acknowledgement.signed', ack.id)); // no signed record
    const legacyOf = (findings: Finding[]) =>
      findings.filter((f) => f.subject.id === ack.id).map((f) => ({ ...f, message: '' }));

    const withoutKey = await verify();
    expect(legacyOf(withoutKey.findings)).toEqual([
      expect.objectContaining({ code: 'legacy-seal', severity: 'failure', verified: false }),
    ]);

    const out: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: () => undefined,
      env: { ...env, COUNTERSIGN_SEAL_KEY: CONTRACT_SEAL_KEY },
    };
    await runCli(['verify', '--keys', ringFile, '--json'], io);
    const { evidence } = JSON.parse(out.join('')) as { evidence: { findings: Finding[] } };
    expect(legacyOf(evidence.findings)).toEqual([
      expect.objectContaining({ code: 'legacy-seal', severity: 'warning', verified: true }),
    ]);
  });
});
