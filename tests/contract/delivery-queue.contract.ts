import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryJob, DeliveryQueue } from '../../src/ports/delivery-queue.ts';
import { deliveryKey } from '../../src/ports/delivery-queue.ts';
import type { Fence, LeaseStore } from '../../src/ports/lease-store.ts';
import type { OpenStore, Opened } from './opened-store.ts';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

function job(id: string, overrides: Partial<DeliveryJob> = {}): DeliveryJob {
  return {
    id,
    kind: 'prompt',
    campaignId: 'c1',
    policyKey: 'staff-aup',
    versionNumber: 2,
    deadline: '2026-03-20T17:00:00.000Z',
    status: 'running',
    createdAt: T0.toISOString(),
    data: { note: 'x' },
    ...overrides,
  };
}

/**
 * The behaviour every DeliveryQueue adapter must have. The sender's writes are fenced by its
 * lease, so the store under test holds the leases too.
 */
export function deliveryQueueContract(
  name: string,
  open: OpenStore<DeliveryQueue & LeaseStore>,
): void {
  describe(`DeliveryQueue contract: ${name}`, () => {
    let store: Opened<DeliveryQueue & LeaseStore>;
    let fence: Fence;

    beforeEach(async () => {
      store = await open();
      const grant = await store.acquireLease('sender', 'me', 10_000, T0);
      if (grant === null) throw new Error('a fresh store must grant the lease');
      fence = { lease: 'sender', token: grant.token };
    });
    afterEach(async () => {
      await store.close();
    });

    it('has one identity for as long as it lives; a fresh store has another', async () => {
      const first = await store.storeIdentity();
      expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isNaN(Date.parse(first.createdAt))).toBe(false);
      await store.createJob(job('c1'));
      expect(await store.storeIdentity()).toEqual(first);
      const other = await open();
      try {
        expect((await other.storeIdentity()).id).not.toBe(first.id);
      } finally {
        await other.close();
      }
    });

    it('creates a job once and reads it back', async () => {
      expect(await store.createJob(job('c1'))).toBe(true);
      expect(await store.createJob(job('c1', { policyKey: 'other' }))).toBe(false);
      const read = await store.getJob('c1');
      expect(read).toEqual(job('c1'));
      expect(await store.getJob('nope')).toBeNull();
      await store.createJob(job('auto/x', { kind: 'new-starter', campaignId: undefined }));
      expect((await store.listJobs({ campaignId: 'c1' })).map((j) => j.id)).toEqual(['c1']);
      expect((await store.listJobs({ kind: 'new-starter' })).map((j) => j.id)).toEqual(['auto/x']);
    });

    it('enqueues idempotently and counts by state', async () => {
      await store.createJob(job('c1'));
      const added = await store.enqueue(
        'c1',
        [
          { userId: 'a', variant: 'from-v1', displayName: 'Ann Able' },
          { userId: 'b' },
          { userId: 'c', state: 'skipped', reason: 'signed' },
        ],
        T0,
      );
      expect(added).toBe(3);
      expect(await store.enqueue('c1', [{ userId: 'a' }, { userId: 'd' }], T0)).toBe(1);
      expect(await store.countDeliveries({ jobId: 'c1' })).toEqual({
        queued: 3,
        inFlight: 0,
        sent: 0,
        failed: 0,
        skipped: 1,
        total: 4,
      });
      expect(await store.countReasons({ campaignId: 'c1' })).toEqual({ signed: 1 });
      expect(await store.getDelivery('c1', 'a')).toMatchObject({
        variant: 'from-v1',
        displayName: 'Ann Able',
      });
      expect((await store.getDelivery('c1', 'b'))?.variant).toBeUndefined();
    });

    it('leaves out people a job of the same version already has', async () => {
      await store.createJob(job('c1'));
      await store.createJob(job('auto', { kind: 'new-starter', campaignId: undefined }));
      await store.enqueue('c1', [{ userId: 'a' }], T0);
      const added = await store.enqueue('auto', [{ userId: 'a' }, { userId: 'n' }], T0, {
        unlessInVersion: { policyKey: 'staff-aup', versionNumber: 2 },
      });
      expect(added).toBe(1);
      expect(
        (await store.listDeliveries({ jobId: 'auto', limit: 10 })).map((d) => d.userId),
      ).toEqual(['n']);
    });

    it('counts only jobs that asked the person to sign: an approval, digest or test card does not', async () => {
      // The head approved someone's signature of version 2 and the DSL had the digest and a test
      // card of it: each is still a new starter for version 2 and must be prompted.
      await store.createJob(job('approval/ack-1', { kind: 'approval', campaignId: undefined }));
      await store.createJob(job('c1/digest', { kind: 'digest' }));
      await store.createJob(job('test/dsl', { kind: 'test', campaignId: undefined }));
      await store.createJob(job('auto', { kind: 'new-starter', campaignId: undefined }));
      await store.enqueue('approval/ack-1', [{ userId: 'head' }], T0);
      await store.enqueue('c1/digest', [{ userId: 'dsl' }], T0);
      await store.enqueue('test/dsl', [{ userId: 'dsl' }], T0);
      const added = await store.enqueue('auto', [{ userId: 'head' }, { userId: 'dsl' }], T0, {
        unlessInVersion: { policyKey: 'staff-aup', versionNumber: 2 },
      });
      expect(added).toBe(2);
      expect(
        (await store.listDeliveries({ jobId: 'auto', limit: 10 })).map((d) => d.userId).sort(),
      ).toEqual(['dsl', 'head']);
    });

    it('walks a delivery through in-flight to sent, fenced', async () => {
      await store.createJob(job('c1'));
      await store.enqueue('c1', [{ userId: 'a' }, { userId: 'b' }], T0);
      const next = await store.nextQueued({ now: T0, limit: 10 });
      expect(next.map((d) => d.userId)).toEqual(['a', 'b']);
      expect(
        (
          await store.nextQueued({
            now: T0,
            limit: 10,
            excluding: new Set([deliveryKey('c1', 'a')]),
          })
        ).map((d) => d.userId),
      ).toEqual(['b']);

      expect(await store.markInFlight('c1', 'a', fence, at(1))).toBe(true);
      // A second claim of the same row is refused: it is not queued any more.
      expect(await store.markInFlight('c1', 'a', fence, at(2))).toBe(false);
      expect((await store.nextQueued({ now: at(2), limit: 10 })).map((d) => d.userId)).toEqual([
        'b',
      ]);
      expect(await store.markSent('c1', 'a', fence, at(3), 'act-1')).toBe(true);
      const sent = await store.getDelivery('c1', 'a');
      expect(sent).toMatchObject({ state: 'sent', activityId: 'act-1', fence: fence.token });
      // A wrong token neither claims nor finishes.
      expect(await store.markInFlight('c1', 'b', { lease: 'sender', token: 99 }, at(4))).toBe(
        false,
      );
      expect(await store.markInFlight('c1', 'b', fence, at(4))).toBe(true);
      expect(await store.markSent('c1', 'b', { lease: 'sender', token: 99 }, at(5))).toBe(false);
      expect(await store.markFailed('c1', 'b', fence, at(5), '403 blocked')).toBe(true);
      expect(await store.getDelivery('c1', 'b')).toMatchObject({
        state: 'failed',
        reason: '403 blocked',
      });
    });

    it('requeues after a throttle with a not-before time', async () => {
      await store.createJob(job('c1'));
      await store.enqueue('c1', [{ userId: 'a' }], T0);
      await store.markInFlight('c1', 'a', fence, T0);
      expect(await store.requeue('c1', 'a', fence, at(5_000), at(1), '429')).toBe(true);
      expect(await store.nextQueued({ now: at(4_999), limit: 10 })).toEqual([]);
      const due = await store.nextQueued({ now: at(5_000), limit: 10 });
      expect(due).toHaveLength(1);
      expect(due[0]).toMatchObject({ attempts: 1, reason: '429', state: 'queued' });
    });

    it('does not hand out rows of paused or cancelled campaigns', async () => {
      await store.createJob(job('c1'));
      await store.createJob(job('c1/reminder-1', { kind: 'reminder' }));
      await store.enqueue('c1', [{ userId: 'a' }, { userId: 'b' }], T0);
      await store.enqueue('c1/reminder-1', [{ userId: 'a' }], T0);
      expect(await store.setCampaignStatus('c1', 'paused', T0)).toBe(2);
      expect(await store.nextQueued({ now: T0, limit: 10 })).toEqual([]);
      expect(await store.markInFlight('c1', 'a', fence, T0)).toBe(false);
      await store.setCampaignStatus('c1', 'running', T0);
      expect(await store.nextQueued({ now: T0, limit: 10 })).toHaveLength(3);
      await store.setCampaignStatus('c1', 'cancelled', at(1));
      expect(await store.countDeliveries({ campaignId: 'c1' })).toMatchObject({
        queued: 0,
        skipped: 3,
      });
      // Cancelled is final.
      expect(await store.setCampaignStatus('c1', 'running', at(2))).toBe(0);
      expect((await store.getJob('c1'))?.status).toBe('cancelled');
    });

    it('finishes a job only when no row is queued or in flight; a campaign change leaves it; new rows revive it', async () => {
      await store.createJob(job('c1'));
      await store.createJob(job('c1/reminder-1', { kind: 'reminder' }));
      await store.enqueue('c1/reminder-1', [{ userId: 'a' }, { userId: 'b' }], T0);
      expect(await store.finishJob('c1/reminder-1')).toBe(false);
      expect(await store.markInFlight('c1/reminder-1', 'a', fence, T0)).toBe(true);
      expect(await store.markSent('c1/reminder-1', 'a', fence, at(1))).toBe(true);
      expect(await store.markInFlight('c1/reminder-1', 'b', fence, at(1))).toBe(true);
      expect(await store.finishJob('c1/reminder-1')).toBe(false);
      expect(await store.markFailed('c1/reminder-1', 'b', fence, at(2), '403 blocked')).toBe(true);
      expect(await store.finishJob('c1/reminder-1')).toBe(true);
      expect((await store.getJob('c1/reminder-1'))?.status).toBe('finished');
      expect((await store.listJobs({ status: 'running' })).map((j) => j.id)).toEqual(['c1']);
      expect(await store.finishJob('c1/reminder-1')).toBe(false);
      // Its rows are the record still.
      expect(await store.countDeliveries({ jobId: 'c1/reminder-1' })).toMatchObject({
        sent: 1,
        failed: 1,
      });
      // Pausing and resuming the campaign leave a finished job as it is.
      expect(await store.setCampaignStatus('c1', 'paused', at(3))).toBe(1);
      expect((await store.getJob('c1/reminder-1'))?.status).toBe('finished');
      expect(await store.finishJob('c1')).toBe(false);
      expect(await store.setCampaignStatus('c1', 'running', at(4))).toBe(1);
      expect((await store.getJob('c1/reminder-1'))?.status).toBe('finished');
      // Rows added later revive it, and they are handed out and sent.
      expect(await store.enqueue('c1/reminder-1', [{ userId: 'a' }, { userId: 'c' }], at(5))).toBe(
        1,
      );
      expect((await store.getJob('c1/reminder-1'))?.status).toBe('running');
      expect((await store.nextQueued({ now: at(6), limit: 10 })).map((d) => d.userId)).toEqual([
        'c',
      ]);
      expect(await store.markInFlight('c1/reminder-1', 'c', fence, at(6))).toBe(true);
      expect(await store.finishJob('nope')).toBe(false);
    });

    it('moves the deadline of every job of a campaign, not of a cancelled one or of others', async () => {
      const later = '2026-03-27T17:00:00.000Z';
      await store.createJob(job('c1'));
      await store.createJob(job('c1/reminder-1', { kind: 'reminder' }));
      await store.createJob(job('c2', { campaignId: 'c2' }));
      await store.enqueue('c1', [{ userId: 'a' }], T0);
      expect(await store.setCampaignDeadline('c1', later)).toBe(2);
      expect((await store.getJob('c1'))?.deadline).toBe(later);
      expect((await store.getJob('c1/reminder-1'))?.deadline).toBe(later);
      expect((await store.getJob('c2'))?.deadline).toBe(job('c2').deadline);
      // The rows and everything else about the jobs are as they were.
      expect(await store.getJob('c1')).toEqual(job('c1', { deadline: later }));
      expect(await store.getDelivery('c1', 'a')).toMatchObject({ state: 'queued' });
      // Already that deadline: nothing changes.
      expect(await store.setCampaignDeadline('c1', later)).toBe(0);
      // Cancelled is final, deadline included.
      await store.setCampaignStatus('c2', 'cancelled', at(1));
      expect(await store.setCampaignDeadline('c2', later)).toBe(0);
      expect((await store.getJob('c2'))?.deadline).toBe(job('c2').deadline);
    });

    it('requeues in-flight rows of an older sender, and only for the current holder', async () => {
      await store.createJob(job('c1'));
      await store.enqueue('c1', [{ userId: 'a' }, { userId: 'b' }, { userId: 'c' }], T0);
      await store.markInFlight('c1', 'a', fence, T0);
      await store.markInFlight('c1', 'b', fence, T0);
      await store.markSent('c1', 'b', fence, at(1));
      const next = await store.acquireLease('sender', 'restarted', 10_000, at(60_000));
      if (next === null) throw new Error('the lease had expired');
      const newFence = { lease: 'sender', token: next.token };
      // The old holder cannot sweep any more.
      expect(await store.requeueStale(fence, at(60_000), at(60_000))).toBe(0);
      expect(await store.requeueStale(newFence, at(0), at(60_000))).toBe(1);
      expect(await store.getDelivery('c1', 'a')).toMatchObject({ state: 'queued' });
      expect(await store.getDelivery('c1', 'b')).toMatchObject({ state: 'sent' });
      // The old sender's late answer for row a changes nothing once it was re-claimed.
      await store.markInFlight('c1', 'a', newFence, at(60_001));
      expect(await store.markSent('c1', 'a', fence, at(60_002))).toBe(false);
      // Rows claimed under the current token go back only when older than the cut-off.
      expect(await store.requeueStale(newFence, at(60_001), at(60_003))).toBe(0);
      expect(await store.requeueStale(newFence, at(60_002), at(60_003))).toBe(1);
    });

    it('pages deliveries by user id and state', async () => {
      await store.createJob(job('c1'));
      await store.enqueue(
        'c1',
        ['u3', 'u1', 'u2', 'u4'].map((userId) => ({ userId })),
        T0,
      );
      const first = await store.listDeliveries({ jobId: 'c1', limit: 2 });
      expect(first.map((d) => d.userId)).toEqual(['u1', 'u2']);
      const second = await store.listDeliveries({ jobId: 'c1', limit: 2, after: 'u2' });
      expect(second.map((d) => d.userId)).toEqual(['u3', 'u4']);
      expect(await store.listDeliveries({ jobId: 'c1', state: 'sent', limit: 10 })).toEqual([]);
    });
  });
}
