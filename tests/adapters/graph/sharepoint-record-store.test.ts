import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphGateway } from '../../../src/adapters/graph/graph-gateway.ts';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../../src/adapters/graph/sharepoint-record-store.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { audit, campaign, policyVersion, signature } from '../../contract/record-fixtures.ts';
import { emulatorGateway } from '../../support/emulator-graph.ts';

/**
 * What the contract suite cannot stage: an answer lost after SharePoint applied the write (the
 * case the WriteId/AuditEventId columns exist for), and a site someone changed by hand.
 */
describe('SharePointRecordStore against the emulator', () => {
  let emulator: GraphEmulator;
  /** When set, the next $batch reaches the emulator but its answer is "lost" on the way back. */
  let loseNextBatchAnswer = false;
  let store: SharePointRecordStore;
  let gateway: GraphGateway;

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    const lossy: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const isBatch = (input instanceof Request ? input.url : input.toString()).endsWith('$batch');
      if (isBatch && loseNextBatchAnswer) {
        loseNextBatchAnswer = false;
        await response.arrayBuffer();
        throw new TypeError('fetch failed: socket hang up');
      }
      return response;
    };
    gateway = emulatorGateway(emulator, { fetch: lossy, retry: { baseDelayMs: 1 } });
    store = new SharePointRecordStore({ gateway, site: emulator.siteId });
    await provisionSite(gateway, store.site);
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('a signature whose answer was lost is, on retry, this signature (created) with one audit event', async () => {
    const ack = signature(policyVersion('lost-aup', 1, { status: 'published' }), randomUUID());
    const event = audit('acknowledgement.signed', ack.id);
    loseNextBatchAnswer = true;
    const before = emulator.counters().requests;
    const result = await store.recordSignature(ack, event);
    expect(result).toEqual({ acknowledgement: ack, created: true });
    // The lost batch, its retry (409 + 424), the lookup, and the audit re-post (409).
    expect(emulator.counters().requests - before).toBeGreaterThanOrEqual(3);
    expect(await store.listAcknowledgements({ policyKey: 'lost-aup' })).toEqual([ack]);
    const events = (await store.listAudit({ type: 'acknowledgement.signed' })).filter(
      (e) => e.subject === ack.id,
    );
    expect(events.map((e) => e.id)).toEqual([event.id]);
  });

  it('reads a signature for repair: its row as stored and whether any event names it', async () => {
    const ack = signature(policyVersion('mend-aup', 1, { status: 'published' }), randomUUID());
    const event = audit('acknowledgement.signed', ack.id);
    await store.recordSignature(ack, event);
    // The event goes missing, as a fault between the batch's two writes can leave it.
    const auditItems = `${await store.site.listPath('audit')}/items`;
    const found = await gateway.call({
      method: 'GET',
      url: `${auditItems}?$expand=fields&$filter=fields/EventId eq '${event.id}'`,
    });
    const itemId = (found.body as { value?: { id: string }[] }).value?.[0]?.id;
    if (itemId === undefined) throw new Error('the event was written');
    await gateway.call({ method: 'DELETE', url: `${auditItems}/${itemId}` });
    const eventsOf = async () =>
      (await store.listAudit({ type: 'acknowledgement.signed' })).filter(
        (e) => e.subject === ack.id,
      );
    expect(await eventsOf()).toEqual([]);

    const lost = await store.readSignatureForRepair(ack.id);
    expect(lost).toMatchObject({
      acknowledgement: { key: ack.id, auditEventId: event.id },
      signatureEvent: false,
    });
    // Re-created under the row's own id (repair-records.ts builds it from the signed record).
    expect(await store.ensureAuditEvent({ ...event, details: { repaired: true } })).toBe(true);
    expect(await store.ensureAuditEvent(event)).toBe(false);
    expect(await eventsOf()).toHaveLength(1);
    expect(await store.readSignatureForRepair(ack.id)).toMatchObject({ signatureEvent: true });

    // A site owner blanks the row's AuditEventId: its event is there under its own id, so the
    // repair finds it by subject and writes no second one under "<ackId>:signed".
    const ackItems = `${await store.site.listPath('acknowledgements')}/items`;
    const [row] = await store.scanAcknowledgements({ policyKey: 'mend-aup' });
    await gateway.call({
      method: 'PATCH',
      url: `${ackItems}/${row?.itemId ?? ''}/fields`,
      body: { AuditEventId: null },
    });
    expect(
      (await store.readRepairRows()).acknowledgements.find((r) => r.key === ack.id),
    ).not.toHaveProperty('auditEventId');
    // Found by subject all the same: a repair writes no second one under "<ackId>:signed".
    expect(await store.readSignatureForRepair(ack.id)).toMatchObject({ signatureEvent: true });
    expect(await store.readSignatureForRepair('no-such-ack')).toBeNull();
  });

  it('a version created with its answer lost is created, not a conflict', async () => {
    const version = policyVersion(`lost-${randomUUID().slice(0, 6)}`, 1);
    loseNextBatchAnswer = true;
    const created = await store.createVersion(version, audit('policy.saved', version.policyKey));
    expect(created.value).toEqual(version);
    expect((await store.getVersion(version.policyKey, 1))?.etag).toBe(created.etag);
  });

  it('leaves a row an edit broke out of listings (verify reports it) and names it when read alone', async () => {
    const ack = signature(policyVersion('broken-aup', 1, { status: 'published' }), randomUUID());
    await store.recordSignature(ack, audit('acknowledgement.signed', ack.id));
    const [row] = await store.scanAcknowledgements({ policyKey: 'broken-aup' });
    const items = `${await store.site.listPath('acknowledgements')}/items`;
    await gateway.call({
      method: 'PATCH',
      url: `${items}/${row?.itemId ?? ''}/fields`,
      body: { Consents: 'not json' },
    });
    expect(await store.listAcknowledgements({ policyKey: 'broken-aup' })).toEqual([]);
    const scanned = await store.scanAcknowledgements({ policyKey: 'broken-aup' });
    expect(scanned).toMatchObject([{ key: ack.id, acknowledgement: null }]);
    await expect(store.getAcknowledgement(ack.id)).rejects.toMatchObject({ code: 'upstream' });
  });

  it('says to run provision when an index it filters on was removed', async () => {
    const site = store.site;
    const ids = await site.listIds();
    const columnsUrl = `sites/${emulator.siteId}/lists/${ids.acknowledgements}/columns`;
    const columns = (await gateway.call({ method: 'GET', url: columnsUrl })).body as {
      value: { id: string; name: string }[];
    };
    const userId = columns.value.find((c) => c.name === 'UserId');
    await gateway.call({
      method: 'PATCH',
      url: `${columnsUrl}/${userId?.id ?? ''}`,
      body: { indexed: false },
    });
    const error = await store.listAcknowledgements({ userId: 'someone' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'upstream' });
    expect(String(error)).toContain('countersign provision');
    await provisionSite(gateway, site);
    expect(await store.listAcknowledgements({ userId: 'someone' })).toEqual([]);
  });
});

describe('SharePointRecordStore updates whose answer was lost', () => {
  let emulator: GraphEmulator;
  let lose = false;
  let store: SharePointRecordStore;

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    const lossy: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (lose && (init?.method === 'PATCH' || init?.method === 'POST')) {
        lose = false;
        await response.arrayBuffer();
        throw new TypeError('fetch failed: other side closed');
      }
      return response;
    };
    const gateway = emulatorGateway(emulator, {
      fetch: lossy,
      retry: { baseDelayMs: 1 },
    });
    store = new SharePointRecordStore({ gateway, site: emulator.siteId });
    await provisionSite(gateway, store.site);
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('an update applied before its answer was lost succeeds on retry instead of a false 412', async () => {
    const c = campaign(`lost-${randomUUID().slice(0, 6)}`, 1);
    const created = await store.createCampaign(c, audit('campaign.launched', c.id));
    lose = true;
    const paused = { ...c, status: 'paused' as const };
    const updated = await store.updateCampaign(created, paused);
    expect(updated.value).toEqual(paused);
    expect((await store.getCampaign(c.id))?.etag).toBe(updated.etag);
    // A genuinely stale eTag is still refused.
    await expect(store.updateCampaign(created, c)).rejects.toMatchObject({
      code: 'precondition-failed',
    });
  });

  it('a publish applied before its answer was lost completes: retired, published, one audit event', async () => {
    const key = `lost-${randomUUID().slice(0, 6)}`;
    const v1 = await store.createVersion(
      policyVersion(key, 1, { status: 'published', publishedAt: '2025-09-01T08:00:00.000Z' }),
      audit('version.published', `${key}:v1`),
    );
    const draft = await store.createVersion(policyVersion(key, 2), audit('policy.saved', key));
    const event = audit('version.published', `${key}:v2`);
    lose = true;
    const published = await store.publishVersion(draft, '2026-09-01T08:00:00.000Z', [v1], event);
    expect(published.value.status).toBe('published');
    const versions = await store.listVersions(key);
    expect(versions.map((v) => v.value.status)).toEqual(['retired', 'published']);
    expect(versions[1]?.etag).toBe(published.etag);
    const events = (await store.listAudit({ type: 'version.published' })).filter(
      (e) => e.id === event.id,
    );
    expect(events).toHaveLength(1);
  });
});

/**
 * "Update listItem" documents the reply to a PATCH of `/fields` as the fieldValueSet with no
 * `@odata.etag` (https://learn.microsoft.com/en-us/graph/api/listitem-update), and the emulator
 * answers so: the store re-reads the item for its eTag, and never reports a write that
 * succeeded as failed.
 */
describe('SharePointRecordStore after an update answered without an eTag', () => {
  let emulator: GraphEmulator;
  let store: SharePointRecordStore;
  /** When set, reading one item by id answers 404 (the re-read after a PATCH fails). */
  let failItemReads = false;

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    const flaky: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      const isGet = (init?.method ?? 'GET') === 'GET';
      if (failItemReads && isGet && /\/items\/[^/?]+(\?|$)/.test(url)) {
        return new Response(JSON.stringify({ error: { code: 'itemNotFound', message: 'x' } }), {
          status: 404,
          headers: { 'Content-Type': 'application/json' },
        });
      }
      return fetch(input, init);
    };
    const gateway = emulatorGateway(emulator, {
      fetch: flaky,
      retry: { baseDelayMs: 1 },
    });
    store = new SharePointRecordStore({ gateway, site: emulator.siteId });
    await provisionSite(gateway, store.site);
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('re-reads the item: the tag it returns is the item’s, and the next update with it succeeds', async () => {
    const c = campaign(`etagless-${randomUUID().slice(0, 6)}`, 1);
    const created = await store.createCampaign(c, audit('campaign.launched', c.id));
    const paused = { ...c, status: 'paused' as const };
    const updated = await store.updateCampaign(created, paused);
    expect(updated.value).toEqual(paused);
    expect((await store.getCampaign(c.id))?.etag).toBe(updated.etag);
    await expect(store.updateCampaign(updated, c)).resolves.toMatchObject({ value: c });
  });

  it('reports the write as done when the re-read fails; its tag is stale, so the next write re-reads', async () => {
    const c = campaign(`unread-${randomUUID().slice(0, 6)}`, 1);
    const created = await store.createCampaign(c, audit('campaign.launched', c.id));
    const paused = { ...c, status: 'paused' as const };
    failItemReads = true;
    const updated = await store.updateCampaign(created, paused).finally(() => {
      failItemReads = false;
    });
    expect(updated.value).toEqual(paused);
    const stored = await store.getCampaign(c.id);
    expect(stored?.value).toEqual(paused);
    await expect(store.updateCampaign(updated, c)).rejects.toMatchObject({
      code: 'precondition-failed',
    });
    if (stored === null) throw new Error('missing');
    await expect(store.updateCampaign(stored, c)).resolves.toMatchObject({ value: c });
  });
});
