import type { CheckpointArchive } from './checkpoint-archive.ts';
import type { ConversationRefs } from './conversation-refs.ts';
import type { DeliveryQueue } from './delivery-queue.ts';
import type { LeaseStore } from './lease-store.ts';
import type { MembershipSnapshots } from './membership-snapshots.ts';
import type { OnceMarkers } from './once-markers.ts';

/**
 * Work state that is not a record, in one store: the delivery queue, leases, conversation
 * references, once-markers, membership snapshots, and the copies of the evidence checkpoints
 * (outside the SharePoint site, so a site owner cannot take them back). SQLite (node:sqlite) by default; Azure
 * Tables when scaled out. The composition root opens one and hands each consumer the port it
 * uses (the sender: queue, leases, conversations; the scheduler: queue, leases, markers,
 * snapshots; the bot: conversations); each port has its own contract suite in tests/contract.
 */
export type WorkStore = DeliveryQueue &
  LeaseStore &
  ConversationRefs &
  OnceMarkers &
  MembershipSnapshots &
  CheckpointArchive & {
    /** Whether the store can be read and is whole (the readiness check; cheap enough to poll). */
    checkIntegrity(): Promise<IntegrityCheck>;
    close(): Promise<void>;
  };

/** A store's answer to "are you whole?": a problem names what is wrong, in the store's words. */
export type IntegrityCheck = { ok: true } | { ok: false; problem: string };

// The bot's tests import the conversation type from here.
export type { StoredConversation } from './conversation-refs.ts';

/** An adapter's parts, one per port, on one connection. */
export interface WorkStoreParts {
  queue: DeliveryQueue;
  leases: LeaseStore;
  conversations: ConversationRefs;
  markers: OnceMarkers;
  snapshots: MembershipSnapshots;
  /** Reads the store and checks it is whole (a corrupt file, unreachable tables: not ok). */
  checkIntegrity(): Promise<IntegrityCheck>;
  checkpoints: CheckpointArchive;
  /** Ends the shared connection (and forgets what the parts cached). */
  close(): Promise<void>;
}

/** One WorkStore from an adapter's parts: every method goes to the part that owns it. */
export function combineWorkStore(parts: WorkStoreParts): WorkStore {
  const { queue, leases, conversations, markers, snapshots, checkpoints } = parts;
  return {
    storeIdentity: () => queue.storeIdentity(),
    createJob: (job) => queue.createJob(job),
    getJob: (id) => queue.getJob(id),
    listJobs: (query) => queue.listJobs(query),
    setCampaignStatus: (campaignId, status, now) =>
      queue.setCampaignStatus(campaignId, status, now),
    setCampaignDeadline: (campaignId, deadline) => queue.setCampaignDeadline(campaignId, deadline),
    finishJob: (jobId) => queue.finishJob(jobId),
    enqueue: (jobId, recipients, now, options) => queue.enqueue(jobId, recipients, now, options),
    nextQueued: (query) => queue.nextQueued(query),
    markInFlight: (jobId, userId, fence, now) => queue.markInFlight(jobId, userId, fence, now),
    markSent: (jobId, userId, fence, now, activityId) =>
      queue.markSent(jobId, userId, fence, now, activityId),
    markFailed: (jobId, userId, fence, now, reason) =>
      queue.markFailed(jobId, userId, fence, now, reason),
    requeue: (jobId, userId, fence, notBefore, now, reason) =>
      queue.requeue(jobId, userId, fence, notBefore, now, reason),
    requeueStale: (fence, claimedBefore, now) => queue.requeueStale(fence, claimedBefore, now),
    getDelivery: (jobId, userId) => queue.getDelivery(jobId, userId),
    listDeliveries: (query) => queue.listDeliveries(query),
    countDeliveries: (query) => queue.countDeliveries(query),
    countReasons: (query) => queue.countReasons(query),
    acquireLease: (name, holder, ttlMs, now) => leases.acquireLease(name, holder, ttlMs, now),
    renewLease: (grant, ttlMs, now) => leases.renewLease(grant, ttlMs, now),
    releaseLease: (grant) => leases.releaseLease(grant),
    getConversation: (userId) => conversations.getConversation(userId),
    putConversation: (conversation) => conversations.putConversation(conversation),
    markOnce: (key, now) => markers.markOnce(key, now),
    isMarked: (key) => markers.isMarked(key),
    recordMembers: (scope, userIds, now) => snapshots.recordMembers(scope, userIds, now),
    checkIntegrity: () => parts.checkIntegrity(),
    putCheckpoint: (copy) => checkpoints.putCheckpoint(copy),
    latestCheckpoints: (limit) => checkpoints.latestCheckpoints(limit),
    close: () => parts.close(),
  };
}
