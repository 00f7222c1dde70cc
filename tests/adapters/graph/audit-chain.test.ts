import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { GraphGateway } from '../../../src/adapters/graph/graph-gateway.ts';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import {
  SharePointRecordStore,
  type SignedRow,
} from '../../../src/adapters/graph/sharepoint-record-store.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { shardOf } from '../../../src/domain/evidence/shard.ts';
import { verifyEvidence } from '../../../src/domain/evidence/verify-evidence.ts';
import { audit, policyVersion, signature } from '../../contract/record-fixtures.ts';
import { signedAcknowledgement } from './evidence-fixtures.ts';
import { emulatorGateway } from '../../support/emulator-graph.ts';

/** Audit events signed into per-shard chains by two instances writing at once. */
describe('the chained audit log in SharePoint', () => {
  let emulator: GraphEmulator;
  let gateway: GraphGateway;
  let one: SharePointRecordStore;
  let two: SharePointRecordStore;
  const keys = memoryEvidenceKeys();

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    gateway = emulatorGateway(emulator);
    one = new SharePointRecordStore({
      gateway,
      site: emulator.siteId,
      evidenceSigner: keys.signer,
    });
    two = new SharePointRecordStore({
      gateway,
      site: emulator.siteId,
      evidenceSigner: keys.signer,
    });
    await provisionSite(gateway, one.site);
  });
  afterAll(async () => {
    await emulator.close();
  });

  const verify = async () => {
    const events = await one.scanSignedRows('audit');
    const rows = events.flatMap((row: SignedRow) =>
      row.evidence === null
        ? []
        : [
            {
              itemId: row.itemId,
              record: row.evidence.record,
              signature: row.evidence.signature,
              columns: row.columns,
            },
          ],
    );
    const report = verifyEvidence({
      acknowledgements: [],
      approvalDecisions: [],
      versions: [],
      auditEvents: rows,
      checkpoints: [],
      keyRing: keys.keyRing,
    });
    // Only the log is given here: rows its events name are not (those findings are not ours).
    return { rows, findings: report.findings.filter((f) => f.code !== 'row-deleted') };
  };

  it('two instances appending to the same shards at once leave every chain whole', async () => {
    // Eight subjects, so the instances meet in the same shards; neither knows the other's head.
    const subjects = Array.from({ length: 8 }, (_, i) => `chain-aup:v1:person-${i}`);
    const version = policyVersion('chain-aup', 1, { status: 'published' });
    const writes = subjects.flatMap((subject, i) => [
      one.appendAudit([audit('campaign.launched', subject), audit('campaign.launched', subject)]),
      two.appendAudit([audit('campaign.launched', subject)]),
      (async () => {
        const ack = signature(version, `person-${i}-${randomUUID()}`);
        const store = i % 2 === 0 ? one : two;
        await store.recordSignature(
          ack,
          audit('acknowledgement.signed', ack.id),
          await signedAcknowledgement(keys.signer, ack),
        );
      })(),
    ]);
    await Promise.all(writes);

    const { rows, findings } = await verify();
    expect(rows).toHaveLength(8 * 4);
    expect(findings).toEqual([]);
    // Per shard, the seqs are exactly 1..n: nothing skipped, nothing twice.
    const seqs = new Map<number, number[]>();
    for (const row of rows) {
      const { shard, seq } = row.columns as { shard: number; seq: number };
      seqs.set(shard, [...(seqs.get(shard) ?? []), seq]);
    }
    for (const [shard, list] of seqs) {
      expect(
        list.sort((a, b) => a - b),
        `shard ${shard}`,
      ).toEqual(list.map((_, i) => i + 1));
    }
    expect(new Set(subjects.map(shardOf)).size).toBeGreaterThan(1);
  });

  it('names an event deleted from the middle of its chain, one edited, and one moved', async () => {
    const { rows } = await verify();
    const byShard = new Map<number, typeof rows>();
    for (const row of rows) {
      const shard = (row.columns as { shard: number }).shard;
      byShard.set(shard, [...(byShard.get(shard) ?? []), row]);
    }
    const [chain] = [...byShard.values()].filter((r) => r.length >= 3);
    if (chain === undefined) throw new Error('a shard with three events');
    const bySeq = (seq: number) =>
      chain.find((r) => (r.columns as { seq: number }).seq === seq) ?? chain[0]!;
    const items = `${await one.site.listPath('audit')}/items`;
    const deleted = bySeq(2);
    await gateway.call({ method: 'DELETE', url: `${items}/${deleted.itemId}` });
    const edited = bySeq(1);
    await gateway.call({
      method: 'PATCH',
      url: `${items}/${edited.itemId}/fields`,
      body: { ActorId: 'somebody-else' },
    });
    const moved = bySeq(3);
    await gateway.call({
      method: 'PATCH',
      url: `${items}/${moved.itemId}/fields`,
      body: { Seq: 40 },
    });

    const { findings } = await verify();
    const shard = (deleted.columns as { shard: number }).shard;
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'event-deleted', seqs: [2] }),
        expect.objectContaining({
          code: 'field-edited',
          column: 'actorId',
          subject: expect.objectContaining({ shard, seq: 1 }) as unknown,
        }),
        expect.objectContaining({ code: 'event-reordered', signedSeq: 3, storedSeq: 40 }),
      ]),
    );
  });

  it('a write that fails leaves no gap: the next event of its shard links to what is stored', async () => {
    let failNextBatch = false;
    const flaky: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      if (url.endsWith('$batch') && failNextBatch) {
        failNextBatch = false;
        return new Response(JSON.stringify({ error: { code: 'generalException' } }), {
          status: 500,
          headers: { 'content-type': 'application/json' },
        });
      }
      return fetch(input, init);
    };
    const flakyGateway = emulatorGateway(emulator, { fetch: flaky });
    const store = new SharePointRecordStore({
      gateway: flakyGateway,
      site: emulator.siteId,
      evidenceSigner: keys.signer,
    });
    const version = policyVersion('gap-aup', 1, { status: 'published' });
    const failing = signature(version, `gap-${randomUUID()}`);
    await store.appendAudit([audit('campaign.launched', failing.id)]); // the shard's head, known
    const shard = shardOf(failing.id);
    // (The test before may have tampered with this very shard: only new findings count.)
    const before = (await verify()).findings.filter((f) => f.subject.shard === shard);
    failNextBatch = true;
    const results = await Promise.allSettled([
      store.recordSignature(
        failing,
        audit('acknowledgement.signed', failing.id),
        await signedAcknowledgement(keys.signer, failing),
      ),
      store.appendAudit([audit('campaign.launched', failing.id)]),
      store.appendAudit([audit('campaign.launched', failing.id)]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    const { findings } = await verify();
    expect(findings.filter((f) => f.subject.shard === shard)).toEqual(before);
  });
});
