import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { GraphGateway } from '../../../src/adapters/graph/graph-gateway.ts';
import { withQuery } from '../../../src/adapters/graph/graph-gateway.ts';
import { auditBlock } from '../../../src/adapters/graph/list-partitions.ts';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../../src/adapters/graph/sharepoint-record-store.ts';
import { acknowledgementFields } from '../../../src/adapters/graph/sharepoint-rows.ts';
import { LIST } from '../../../src/adapters/graph/sharepoint-schema.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { LIST_VIEW_THRESHOLD } from '../../../src/dev/graph-emulator/sharepoint.ts';
import { shardOf } from '../../../src/domain/evidence/shard.ts';
import { audit, policyVersion, signature } from '../../contract/record-fixtures.ts';
import { EMULATOR_AUTHORIZATION, emulatorGateway } from '../../support/emulator-graph.ts';

/**
 * Every list query the record store makes, on lists past SharePoint's 5,000-item list view
 * threshold, with the emulator enforcing it on indexed filters as SharePoint does (a filter's
 * first condition must match no more than 5,000 items; SharePoint/sp-dev-docs#7149,
 * pnp/pnpjs#3149). The shapes are the largest the issue names, per partition: 50,000 signers
 * of one version (a version's signatures are one a person), 16 shards of 5,100 events each (a
 * shard past the threshold: 81,600 events, the log a school of 50,000 reaches in weeks), and
 * 5,200 checkpoints (18 days of one every 5 minutes). Each query the code made before this
 * change is shown refused first.
 */
const SIGNERS = 50_000;
const PER_SHARD = 5_100;
const CHECKPOINTS = 5_200;

let emulator: GraphEmulator;
let gateway: GraphGateway;
let store: SharePointRecordStore;
const keys = memoryEvidenceKeys();
const v1 = policyVersion('aup', 1, { status: 'retired' });
const v2 = policyVersion('aup', 2, { status: 'published' });
const hashOf = (shard: number, seq: number) =>
  createHash('sha256')
    .update(`${String(shard)}:${String(seq)}`)
    .digest('hex');
const person = (i: number) => `person-${String(i).padStart(5, '0')}`;

async function rawStatus(list: string, filter: string): Promise<number> {
  const path = await store.site.listPath(
    list === LIST.acknowledgements
      ? 'acknowledgements'
      : list === LIST.audit
        ? 'audit'
        : list === LIST.checkpoints
          ? 'checkpoints'
          : 'approvals',
  );
  // Plain fetch: through the gateway, five 500s in a row would open its circuit breaker.
  const reply = await fetch(
    `${emulator.url}/${withQuery(`${path}/items`, { $filter: filter, $top: 1 })}`,
    { headers: EMULATOR_AUTHORIZATION },
  );
  await reply.arrayBuffer();
  return reply.status;
}

beforeAll(async () => {
  emulator = await startGraphEmulator({ seed: 'none' });
  gateway = emulatorGateway(emulator);
  store = new SharePointRecordStore({
    gateway,
    site: emulator.siteId,
    evidenceSigner: keys.signer,
  });
  await provisionSite(gateway, store.site);
  for (const version of [v1, v2]) {
    emulator.setup.insertListItems(LIST.versions, [
      {
        Title: `aup v${String(version.number)}`,
        VersionKey: `aup:v${String(version.number)}`,
        PolicyKey: 'aup',
        VersionNumber: version.number,
        Status: version.status,
      },
    ]);
  }
  const acks = Array.from({ length: SIGNERS }, (_, i) =>
    acknowledgementFields(signature(v1, person(i), '2026-01-10T09:00:00.000Z'), randomUUID()),
  );
  acks.push(
    ...Array.from({ length: 300 }, (_, i) =>
      acknowledgementFields(signature(v2, person(i), '2026-09-10T09:00:00.000Z'), randomUUID()),
    ),
  );
  emulator.setup.insertListItems(LIST.acknowledgements, acks);
  const events: Record<string, unknown>[] = [];
  for (let shard = 0; shard < 16; shard += 1) {
    for (let seq = 1; seq <= PER_SHARD; seq += 1) {
      events.push({
        Title: `event ${String(shard)}:${String(seq)}`,
        EventId: `e-${String(shard)}-${String(seq)}`,
        EventType: 'acknowledgement.signed',
        ActorId: 'actor',
        At: '2026-01-10T09:00:00.000Z',
        Subject: `s-${String(shard)}-${String(seq)}`,
        Details: '{}',
        Shard: shard,
        Seq: seq,
        ChainKey: `${String(shard)}:${String(seq)}`,
        Block: auditBlock(shard, seq),
        Record: '{"kind":"audit-event"}',
        Signature: '{}',
        RecordHash: hashOf(shard, seq),
      });
    }
  }
  emulator.setup.insertListItems(LIST.audit, events);
  emulator.setup.insertListItems(
    LIST.checkpoints,
    Array.from({ length: CHECKPOINTS }, (_, i) => ({
      Title: `checkpoint:${String(i + 1)}`,
      CheckpointKey: `checkpoint:${String(i + 1)}`,
      Number: i + 1,
      At: '2026-01-10T09:00:00.000Z',
      Cutoff: '2026-01-10T08:50:00.000Z',
      Record: '{"kind":"checkpoint"}',
      Signature: '{}',
      RecordHash: `checkpoint-hash-${String(i + 1)}`,
    })),
  );
}, 240_000);

afterAll(async () => {
  await emulator.close();
});

describe('queries past the list view threshold (it applies to indexed filters too)', () => {
  it('the emulator refuses the indexed filters the store used to send', async () => {
    expect(LIST_VIEW_THRESHOLD).toBe(5000);
    expect(await rawStatus(LIST.acknowledgements, "fields/PolicyKey eq 'aup'")).toBe(500);
    expect(await rawStatus(LIST.audit, 'fields/Shard eq 3')).toBe(500);
    expect(await rawStatus(LIST.audit, "fields/EventType eq 'acknowledgement.signed'")).toBe(500);
    expect(await rawStatus(LIST.audit, 'fields/Seq gt 0')).toBe(500);
    expect(await rawStatus(LIST.checkpoints, 'fields/Number ge 1')).toBe(500);
  });

  it(
    "reads a policy's 50,300 signatures by partition, a version's and a person's",
    {
      timeout: 180_000,
    },
    async () => {
      const all = await store.listAcknowledgements({ policyKey: 'aup' });
      expect(all).toHaveLength(SIGNERS + 300);
      expect(new Set(all.map((a) => a.id)).size).toBe(SIGNERS + 300);
      expect(await store.listAcknowledgements({ policyKey: 'aup', versionNumber: 2 })).toHaveLength(
        300,
      );
      const mine = await store.listAcknowledgements({ userId: person(7), policyKey: 'aup' });
      expect(mine.map((a) => a.versionNumber)).toEqual([1, 2]);
    },
  );

  it('continues a shard of 5,100 events at 5,101, linked to its head', async () => {
    const event = audit('records.checked', 'records-check');
    const shard = shardOf(event.subject);
    await store.appendAudit([event]);
    const path = await store.site.listPath('audit');
    const reply = await gateway.exchange({
      method: 'GET',
      url: withQuery(`${path}/items`, {
        $filter: `fields/EventId eq '${event.id}'`,
        $expand: 'fields($select=ChainKey,Block,Record)',
      }),
    });
    const body = reply.body as { value: { fields: Record<string, string> }[] };
    const fields = body.value[0]?.fields;
    expect(fields?.ChainKey).toBe(`${String(shard)}:${String(PER_SHARD + 1)}`);
    expect(fields?.Block).toBe(auditBlock(shard, PER_SHARD + 1));
    expect(JSON.parse(fields?.Record ?? '{}')).toMatchObject({
      prev: hashOf(shard, PER_SHARD),
    });
  });

  it('reads the events after a checkpoint by block, in every shard', async () => {
    const rows = await store.readEventsAfter(PER_SHARD - 50);
    // 50 per shard, and the one appended above (if that test ran first).
    expect(rows.length).toBeGreaterThanOrEqual(16 * 50);
    expect(rows.length).toBeLessThanOrEqual(16 * 50 + 1);
    expect(rows.every((row) => Number(row.columns?.seq) > PER_SHARD - 50)).toBe(true);
  });

  it('reads the latest checkpoints by key, and all of them by paging', async () => {
    const latest = await store.readCheckpointsFrom(CHECKPOINTS - 3);
    expect(latest.map((row) => row.columns?.number).sort()).toEqual([5197, 5198, 5199, 5200]);
    expect(await store.readCheckpointsFrom(0)).toHaveLength(CHECKPOINTS);
  });

  it(
    'lists signature events and repair rows from a log past the threshold',
    {
      timeout: 240_000,
    },
    async () => {
      const signed = await store.listAudit({ type: 'acknowledgement.signed' });
      expect(signed).toHaveLength(16 * PER_SHARD);
      const repair = await store.readRepairRows();
      expect(repair.signatureEvents).toHaveLength(16 * PER_SHARD);
      expect(repair.acknowledgements).toHaveLength(SIGNERS + 300);
    },
  );
});
