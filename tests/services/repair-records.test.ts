import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { GraphGateway } from '../../src/adapters/graph/graph-gateway.ts';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../src/adapters/graph/sharepoint-record-store.ts';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import type { Acknowledgement } from '../../src/domain/acknowledgement.ts';
import type { AuditEvent } from '../../src/domain/audit-event.ts';
import type { School } from '../../src/domain/school.ts';
import { AudienceHashes } from '../../src/domain/audience-hashes.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { repairSignatureAudit } from '../../src/services/repair-records.ts';
import type { ServiceContext } from '../../src/services/service-context.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import type { Actor } from '../../src/services/actor.ts';
import { verifyStoredEvidence } from '../../src/services/verify-stored-evidence.ts';
import { signedAcknowledgement } from '../adapters/graph/evidence-fixtures.ts';
import {
  CONTRACT_SEAL_KEY,
  audit,
  pendingApproval,
  policy,
  policyVersion,
  signature,
} from '../contract/record-fixtures.ts';
import { emulatorGateway } from '../support/emulator-graph.ts';

const SCHOOL: School = {
  id: 'contract-school',
  name: 'Sweeper School',
  timeZone: 'Europe/London',
  audiences: [{ key: 'staff', label: 'Staff', groupIds: ['g-staff'] }],
  approverIds: [],
  adminIds: [],
};

/**
 * The sweeper (repairRecords) over the real SharePoint record store and the Graph emulator, with
 * rows a fault or a site owner left behind.
 */
describe('the sweeper against the Graph emulator', () => {
  let emulator: GraphEmulator;
  let gateway: GraphGateway;
  let store: SharePointRecordStore;
  let service: CountersignService;
  const keys = memoryEvidenceKeys();
  const policyKey = 'sweep-aup';
  const version = policyVersion(policyKey, 1, { status: 'published' });
  // Signed an hour before the sweeper runs: past its ten minutes' grace.
  const signedAt = '2026-03-10T09:00:00.000Z';
  const now = new Date('2026-03-10T10:00:00.000Z');

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    gateway = emulatorGateway(emulator);
    store = new SharePointRecordStore({
      gateway,
      site: emulator.siteId,
      evidenceSigner: keys.signer,
    });
    await provisionSite(gateway, store.site);
    // Created as every creating path does: the row, then its policy.created event.
    await store.putPolicy(policy(policyKey, { approvalMode: 'every-signature' }));
    await store.appendAudit([audit('policy.created', policyKey)]);
    await store.createVersion(version, audit('policy.saved', `${policyKey}:v1`));
    service = createCountersignService({
      records: store,
      directory: new MemoryDirectory({ people: [], groups: [] }),
      clock: { now: () => now },
      sealKey: CONTRACT_SEAL_KEY,
      evidence: keys,
      school: SCHOOL,
      readCache: false,
    });
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function items(list: 'acknowledgements' | 'approvals' | 'audit'): Promise<string> {
    return `${await store.site.listPath(list)}/items`;
  }

  async function itemOf(
    list: 'acknowledgements' | 'approvals' | 'audit',
    column: string,
    value: string,
  ): Promise<string> {
    const reply = await gateway.call({
      method: 'GET',
      url: `${await items(list)}?$expand=fields&$filter=fields/${column} eq '${value}'`,
    });
    const id = (reply.body as { value?: { id: string }[] }).value?.[0]?.id;
    if (id === undefined) throw new Error(`no ${list} row with ${column} ${value}`);
    return id;
  }

  async function patch(
    list: 'acknowledgements' | 'approvals',
    itemId: string,
    fields: Record<string, unknown>,
  ): Promise<void> {
    await gateway.call({
      method: 'PATCH',
      url: `${await items(list)}/${itemId}/fields`,
      body: fields,
    });
  }

  /** A pending signature, as the service stores it, whose audit event a fault then lost. */
  async function signedWithoutEvent(
    pending = true,
  ): Promise<{ ack: Acknowledgement; eventId: string }> {
    const ack: Acknowledgement = {
      ...signature(version, randomUUID(), signedAt),
      approvalState: pending ? 'pending' : 'not-required',
    };
    const event = audit('acknowledgement.signed', ack.id, signedAt);
    await store.recordSignature(ack, event, await signedAcknowledgement(keys.signer, ack));
    await gateway.call({
      method: 'DELETE',
      url: `${await items('audit')}/${await itemOf('audit', 'EventId', event.id)}`,
    });
    return { ack, eventId: event.id };
  }

  async function signatureEventsOf(ackId: string) {
    return (await store.listAudit({ type: 'acknowledgement.signed' })).filter(
      (e) => e.subject === ackId,
    );
  }

  it('writes the policy.created event a fault lost after the policy’s row, once, and the log still verifies', async () => {
    let clock = new Date('2026-03-10T10:00:00.000Z');
    const admin: Actor = {
      id: 'u-admin',
      upn: 'admin@school.example',
      displayName: 'Ada Admin',
      roles: ['Policy.Admin'],
    };
    // The process is killed between the two writes: the policy's row lands, its event never.
    const killed = new Proxy(store, {
      get(target, name) {
        const value: unknown = Reflect.get(target, name, target);
        if (name === 'appendAudit') {
          return (events: AuditEvent[]) =>
            events.some((e) => e.type === 'policy.created')
              ? Promise.reject(new Error('process killed'))
              : target.appendAudit(events);
        }
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const on = (records: SharePointRecordStore) =>
      createCountersignService({
        records,
        directory: new MemoryDirectory({ people: [], groups: [] }),
        clock: { now: () => clock },
        sealKey: CONTRACT_SEAL_KEY,
        evidence: keys,
        school: SCHOOL,
        readCache: false,
      });
    const key = 'lost-event-aup';
    await expect(
      on(killed).createPolicy(admin, { key, title: 'Volunteers AUP', audiences: ['staff'] }),
    ).rejects.toThrow('process killed');
    expect(await store.getPolicy(key)).not.toBeNull();
    const createdEvents = async () =>
      (await store.listAudit({ type: 'policy.created' })).filter((e) => e.subject === key);
    expect(await createdEvents()).toEqual([]);

    const healthy = on(store);
    // Within ten minutes the creator may still be writing it: the sweeper waits.
    expect((await healthy.repairRecords()).policyEventsRecreated).toEqual([]);
    clock = new Date(clock.getTime() + 11 * 60_000);
    // Only the policy without one: sweep-aup's own event (under its random id) is found by subject.
    expect((await healthy.repairRecords()).policyEventsRecreated).toEqual([key]);
    expect(await createdEvents()).toEqual([
      expect.objectContaining({
        id: `${key}:created`,
        actorId: 'countersign-service',
        at: clock.toISOString(),
        details: expect.objectContaining({
          title: 'Volunteers AUP',
          audiences: ['staff'],
          repaired: true,
          createdBy: admin.id,
          createdAt: '2026-03-10T10:00:00.000Z',
        }) as unknown,
      }),
    ]);
    // Nothing left: a second sweep adds nothing.
    expect((await healthy.repairRecords()).policyEventsRecreated).toEqual([]);
    expect(await createdEvents()).toHaveLength(1);
    // The event is signed into its shard's chain like any other: the records still verify.
    const verified = verifyStoredEvidence(await store.readEvidence(), keys.keyRing);
    expect(verified.findings).toEqual([]);
    expect(verified.ok).toBe(true);
  });

  it('builds the event from the signed record, not from edited columns, and lists each list once', async () => {
    const { ack, eventId } = await signedWithoutEvent(false);
    // A site owner edits the plain columns the event would otherwise have been built from.
    await patch('acknowledgements', await itemOf('acknowledgements', 'AckKey', ack.id), {
      ContentHash: 'f'.repeat(64),
      Channel: 'card',
    });
    emulator.resetCounters();
    const report = await service.repairRecords();
    expect(report.auditEventsRecreated).toContain(eventId);
    const [event] = await signatureEventsOf(ack.id);
    expect(event).toMatchObject({
      id: eventId,
      at: ack.signedAt,
      details: { contentHash: ack.contentHash, channel: ack.channel, repaired: true },
    });
    // Reads: acknowledgements, the log's events, Approvals keys and policies (one page each),
    // and the head of the event's shard for its chained append. Each list is listed once.
    const counters = emulator.counters();
    expect(counters.byMethod.GET).toBe(5);
  });

  it('skips and reports an unreadable Approvals row, and still creates the missing ones', async () => {
    const broken = signature(version, randomUUID(), signedAt);
    const brokenAck: Acknowledgement = { ...broken, approvalState: 'pending' };
    await store.recordSignature(
      brokenAck,
      audit('acknowledgement.signed', brokenAck.id, signedAt),
      await signedAcknowledgement(keys.signer, brokenAck),
    );
    await store.createApproval(pendingApproval(brokenAck));
    const brokenItem = await itemOf('approvals', 'AcknowledgementId', brokenAck.id);
    await patch('approvals', brokenItem, { AcknowledgementId: null });
    await expect(store.listApprovals({})).rejects.toMatchObject({ code: 'upstream' });

    const { ack } = await signedWithoutEvent(true);
    const report = await service.repairRecords();
    expect(report.skipped).toContainEqual({
      list: 'approvals',
      id: `item ${brokenItem}`,
      reason: 'the Approvals row names no acknowledgement (edited in SharePoint?)',
    });
    expect(report.approvalsCreated).toContain(ack.id);
  });

  it('never announces a signature twice when its AuditEventId was blanked', async () => {
    // Its event is there: nothing to write, though the row no longer says which event it was.
    const kept = signature(version, randomUUID(), signedAt);
    const keptEvent = audit('acknowledgement.signed', kept.id, signedAt);
    await store.recordSignature(kept, keptEvent, await signedAcknowledgement(keys.signer, kept));
    await patch('acknowledgements', await itemOf('acknowledgements', 'AckKey', kept.id), {
      AuditEventId: null,
    });
    // Its event is gone too: re-created once, under the fixed id "<ackId>:signed".
    const { ack: lost } = await signedWithoutEvent(false);
    await patch('acknowledgements', await itemOf('acknowledgements', 'AckKey', lost.id), {
      AuditEventId: null,
    });

    const first = await service.repairRecords();
    expect(first.auditEventsRecreated).not.toContain(keptEvent.id);
    expect(first.auditEventsRecreated).toContain(`${lost.id}:signed`);
    expect((await signatureEventsOf(kept.id)).map((e) => e.id)).toEqual([keptEvent.id]);
    const second = await service.repairRecords();
    expect(second.auditEventsRecreated).toEqual([]);
    expect((await signatureEventsOf(lost.id)).map((e) => e.id)).toEqual([`${lost.id}:signed`]);
  });

  it('repairs nothing from a row whose signed record does not hold', async () => {
    const { ack } = await signedWithoutEvent(false);
    const itemId = await itemOf('acknowledgements', 'AckKey', ack.id);
    const reply = await gateway.call({
      method: 'GET',
      url: `${await items('acknowledgements')}/${itemId}?$expand=fields`,
    });
    const record = JSON.parse(
      (reply.body as { fields: { Record: string } }).fields.Record,
    ) as Record<string, unknown>;
    await patch('acknowledgements', itemId, {
      Record: JSON.stringify({ ...record, typedName: 'Someone Else' }),
    });
    const report = await service.repairRecords();
    expect(report.auditEventsRecreated.some((id) => id.startsWith(ack.id))).toBe(false);
    expect(report.skipped).toContainEqual(
      expect.objectContaining({ list: 'acknowledgements', id: ack.id }),
    );
    expect(await signatureEventsOf(ack.id)).toEqual([]);
  });

  describe('on a repeat of the same signature (repairSignatureAudit)', () => {
    const context = (): ServiceContext => ({
      records: store,
      directory: new MemoryDirectory({ people: [], groups: [] }),
      clock: { now: () => now },
      sealKey: CONTRACT_SEAL_KEY,
      evidence: keys,
      school: SCHOOL,
      newId: () => randomUUID(),
      viewHash: new AudienceHashes().of,
    });

    it('re-creates the event from the row’s signed record under its own event id, once', async () => {
      const { ack, eventId } = await signedWithoutEvent(false);
      // The plain columns edited: the event must still say what was signed.
      await patch('acknowledgements', await itemOf('acknowledgements', 'AckKey', ack.id), {
        ContentHash: 'f'.repeat(64),
        Channel: 'card',
      });
      expect(await repairSignatureAudit(context(), ack.id)).toEqual({
        kind: 'recreated',
        eventId,
      });
      expect(await repairSignatureAudit(context(), ack.id)).toEqual({ kind: 'whole' });
      const events = await signatureEventsOf(ack.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        id: eventId,
        actorId: ack.userId,
        at: ack.signedAt,
        details: { contentHash: ack.contentHash, channel: ack.channel, repaired: true },
      });
      expect(await repairSignatureAudit(context(), 'no-such-ack')).toEqual({ kind: 'no-row' });
    });

    it('writes nothing from a row whose signed record does not hold', async () => {
      const { ack } = await signedWithoutEvent(false);
      const itemId = await itemOf('acknowledgements', 'AckKey', ack.id);
      const reply = await gateway.call({
        method: 'GET',
        url: `${await items('acknowledgements')}/${itemId}?$expand=fields`,
      });
      const record = JSON.parse(
        (reply.body as { fields: { Record: string } }).fields.Record,
      ) as Record<string, unknown>;
      await patch('acknowledgements', itemId, {
        Record: JSON.stringify({ ...record, contentHash: 'e'.repeat(64) }),
      });
      expect(await repairSignatureAudit(context(), ack.id)).toMatchObject({ kind: 'skipped' });
      expect(await signatureEventsOf(ack.id)).toEqual([]);
    });
  });
});
