import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { openSqliteWorkStore } from '../../src/adapters/sqlite/sqlite-work-store.ts';
import { botCardRenderer } from '../../src/bot/campaign-card-renderer.ts';
import type { Acknowledgement } from '../../src/domain/acknowledgement.ts';
import type { School } from '../../src/domain/school.ts';
import type { WorkStore } from '../../src/ports/work-store.ts';
import type { Actor } from '../../src/services/actor.ts';
import {
  approvalJobId,
  queuedApprovalRequests,
  type ApprovalRequests,
} from '../../src/services/approval-requests.ts';
import {
  createCampaignSender,
  SENDER_LEASE,
} from '../../src/services/campaigns/campaign-sender.ts';
import { cachedPolicyReads } from '../../src/services/campaigns/policy-reads.ts';
import { deliveryRenderer } from '../../src/services/campaigns/render-delivery.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { config } from '../bot/card-fixtures.ts';
import { startRig, startVirtualRig, VirtualTiming, type Rig } from './fixtures.ts';
import { admin, policy, publishVersion, school as worldSchool, teacher, world } from './world.ts';

/**
 * Issue 13 (reliability) and 11 ("Approvals that close"): a signature that needs approval asks
 * its approvers through the work store's delivery queue, sent by the campaign sender with its
 * pacing and Retry-After handling, not in the sign request. The head's one chat is throttled by
 * Teams per conversation (the connector emulator enforces 7 in 1 s and 8 in 2 s: its README
 * cites "Rate limiting for bots"); a burst of signs must still ask the head about each one,
 * exactly once, and survive a restart.
 */
const HEAD = 'u-head';
const school: School = { ...worldSchool, approverIds: [HEAD] };

let rig: Rig | undefined;
let dir: string | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const staff = (i: number): Actor => ({
  id: `s-${String(i).padStart(5, '0')}`,
  upn: `s-${String(i).padStart(5, '0')}@oakfield.example`,
  displayName: `Staff ${i}`,
  roles: [],
});

async function setup(people: number, timing: VirtualTiming, work?: WorkStore) {
  const w = await world(people);
  const stored = await w.records.getPolicy(policy.key);
  if (stored === null) throw new Error('world() stores the policy');
  await w.records.putPolicy({ ...policy, approvalMode: 'every-signature' }, stored.etag);
  const clock = { now: () => new Date(timing.now()) };
  const v1 = await publishVersion(w.records, 1, new Date(timing.now() - 86_400_000).toISOString());
  const errors: { error: unknown; what: string }[] = [];
  const make = (queue: WorkStore, requests?: ApprovalRequests): CountersignService =>
    createCountersignService({
      records: w.records,
      directory: w.directory,
      clock,
      sealKey: 'test-seal-key-with-at-least-32-bytes!!',
      evidence: memoryEvidenceKeys(),
      school,
      approvalRequests: requests ?? queuedApprovalRequests({ queue, school, clock }),
      onRepairError: (error, what) => errors.push({ error, what }),
    });
  const r = rig ?? (await startVirtualRig(timing, {}));
  rig = r;
  const store = work ?? r.work;
  const render = deliveryRenderer(
    botCardRenderer(config),
    cachedPolicyReads(w.records, w.directory, clock),
  );
  const senderOn = (queue: WorkStore, holderId = 'instance-a') => {
    const failures: unknown[] = [];
    const sender = createCampaignSender(
      {
        queue,
        leases: queue,
        conversations: queue,
        messenger: r.messenger,
        render,
        timing,
        holderId,
        onError: (e) => failures.push(e),
      },
      { idlePollMs: 50 },
    );
    return { sender, failures };
  };
  const sign = (service: CountersignService, who: Actor) =>
    service.sign(who, {
      policyKey: policy.key,
      versionNumber: v1.number,
      declarationAccepted: true,
      typedName: who.displayName,
      statedRole: 'Teacher',
      consents: {},
      channel: 'tab',
    });
  return { ...w, v1, clock, errors, service: make(store), make, senderOn, sign, store };
}

/** The acknowledgement id each approval card delivered to the head is about. */
function cardsToHead(r: Rig): string[] {
  return r.emulator
    .delivered()
    .filter((d) => d.userId === HEAD && d.kind === 'create')
    .map((d) => {
      const match = /"acknowledgementId":"([^"]+)"/.exec(JSON.stringify(d.activity));
      return match?.[1] ?? 'no acknowledgement id';
    });
}

const countBy = (ids: readonly string[]): Map<string, number> => {
  const out = new Map<string, number>();
  for (const id of ids) out.set(id, (out.get(id) ?? 0) + 1);
  return out;
};

describe('approval requests through the delivery queue', () => {
  it('a burst of 60 signs (some retried) asks the head about every one exactly once, paced into her one chat', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing, { recordBodies: true });
    const s = await setup(60, timing);
    const people = Array.from({ length: 60 }, (_, i) => staff(i));
    // Everyone at once; the first ten press Sign again (a double click, a retry).
    const signed = await Promise.all(people.map((p) => s.sign(s.service, p)));
    await Promise.all(people.slice(0, 10).map((p) => s.sign(s.service, p)));
    const acks = signed.flatMap((o) => (o.kind === 'signed' ? [o.acknowledgement] : []));
    expect(acks.map((a) => a.approvalState)).toEqual(Array(60).fill('pending'));
    // Nothing was sent in the sign requests: 60 requests wait in the queue.
    expect(rig.emulator.counters().activitiesSent).toBe(0);
    const jobs = await s.store.listJobs({ kind: 'approval' });
    expect(jobs).toHaveLength(60);

    // The head installed the app: her Teams user id came with her conversation.
    await s.store.putConversation({
      userId: HEAD,
      conversationId: rig.emulator.conversationIdFor(HEAD),
      serviceUrl: rig.emulator.url,
      tenantId: 'tenant-1',
      userMri: `29:${HEAD}`,
      updatedAt: new Date(timing.now()).toISOString(),
    });
    // Teams throttles the head's chat besides (three 429s with Retry-After): waited out.
    rig.emulator.failNext(3, 429);
    const { sender, failures } = s.senderOn(s.store);
    sender.start();
    await sender.untilIdle();
    await sender.stop();
    expect(failures).toEqual([]);
    const delivered = countBy(cardsToHead(rig));
    expect(delivered.size).toBe(60);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect([...delivered.keys()].sort()).toEqual(acks.map((a) => a.id).sort());
    expect(rig.emulator.counters().injectedFailures).toBe(3);
    // Each card names her for its refresh by that Teams user id (addressed-activity.ts).
    const refreshed = rig.emulator
      .delivered()
      .filter((d) => d.userId === HEAD)
      .map((d) => JSON.stringify(d.activity).includes(`"userIds":["29:${HEAD}"]`));
    expect(refreshed).toEqual(Array(60).fill(true));
    expect(sender.stats().throttled).toBeGreaterThanOrEqual(3);
    // Paced to the conversation's windows: never more than 7 in any one second to her chat.
    const times = rig.emulator
      .delivered()
      .filter((d) => d.userId === HEAD)
      .map((d) => d.at);
    for (const t of times) {
      expect(times.filter((u) => u >= t && u < t + 1_000).length).toBeLessThanOrEqual(7);
    }
    const statuses = await queuedApprovalRequests({
      queue: s.store,
      school,
      clock: s.clock,
    }).statuses(acks);
    expect([...statuses.values()].map((st) => st.kind)).toEqual(Array(60).fill('delivered'));
    expect(s.errors).toEqual([]);
  });

  it('a card that cannot reach the head is shown as not reached, with the reason, and a resend reaches her once', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing, { recordBodies: true });
    const s = await setup(3, timing);
    rig.emulator.blockUsers([HEAD]);
    const acks: Acknowledgement[] = [];
    for (let i = 0; i < 3; i += 1) {
      const outcome = await s.sign(s.service, staff(i));
      if (outcome.kind === 'signed') acks.push(outcome.acknowledgement);
    }
    const requests = queuedApprovalRequests({ queue: s.store, school, clock: s.clock });
    const blocked = s.senderOn(s.store);
    blocked.sender.start();
    await blocked.sender.untilIdle();
    await blocked.sender.stop();
    const seen = await requests.statuses(acks);
    for (const ack of acks) {
      const status = seen.get(ack.id);
      expect(status?.kind).toBe('not-reached');
      const approvers = status !== undefined && 'approvers' in status ? status.approvers : [];
      expect(approvers.map((a) => [a.userId, a.state])).toEqual([[HEAD, 'not-reached']]);
      expect(approvers[0]?.reason).toMatch(/blocked/i);
    }
    // The Admin view lists them first, in words, with the reason and a resend.
    const views = await s.service.approvalRequests(admin);
    expect(views.map((v) => [v.state, v.canResend])).toEqual(Array(3).fill(['not-reached', true]));
    expect(views[0]?.words).toMatch(
      /^Approver not reached: the card could not be delivered to Helen Head \(.*blocked.*\)/,
    );
    await expect(s.service.approvalRequests(teacher)).rejects.toMatchObject({ code: 'forbidden' });
    // The admin digest's count (scheduled-work.ts): the three reached nobody.
    expect(await s.service.approvalsNotReached()).toBe(3);
    // She unblocks the app; the admin presses Resend for one of them.
    rig.emulator.unblockUsers([HEAD]);
    const first = acks[0]?.id ?? '';
    expect(await s.service.resendApprovalRequest(admin, first)).toEqual({ queued: 1 });
    // A second press before it went is the same resend: nothing more.
    expect(await requests.resend(acks[0] as Acknowledgement)).toBe(0);
    await expect(
      s.service.resendApprovalRequest(admin, 'staff-aup:v9:nobody'),
    ).rejects.toMatchObject({ code: 'not-found' });
    const second = s.senderOn(s.store);
    second.sender.start();
    await second.sender.untilIdle();
    await second.sender.stop();
    expect(cardsToHead(rig)).toEqual([acks[0]?.id]);
    const after = await requests.statuses(acks);
    expect(after.get(acks[0]?.id ?? '')?.kind).toBe('delivered');
    expect(after.get(acks[1]?.id ?? '')?.kind).toBe('not-reached');
    expect(await s.store.getJob(approvalJobId(acks[0]?.id ?? '', 1))).not.toBeNull();
    expect(await s.service.approvalsNotReached()).toBe(2);
    const later = await s.service.approvalRequests(admin);
    expect(later.find((v) => v.acknowledgementId === first)?.words).toBe(
      'Approver asked: the card reached Helen Head.',
    );
  });

  it('survives a kill: requests queued and claimed by a dead instance are sent after a restart, none lost', async () => {
    dir = mkdtempSync(join(tmpdir(), 'approval-requests-'));
    const path = join(dir, 'work.sqlite');
    const timing = new VirtualTiming();
    rig = await startRig({ now: () => timing.now(), recordBodies: true });
    const before = openSqliteWorkStore({ path });
    const s = await setup(20, timing, before);
    const acks: Acknowledgement[] = [];
    for (let i = 0; i < 20; i += 1) {
      const outcome = await s.sign(s.service, staff(i));
      if (outcome.kind === 'signed') acks.push(outcome.acknowledgement);
    }
    // The instance held the sender lease and had claimed three requests when it was killed.
    const dead = await before.acquireLease(SENDER_LEASE, 'dead', 15_000, new Date(timing.now()));
    if (dead === null) throw new Error('lease');
    for (const ack of acks.slice(0, 3)) {
      expect(
        await before.markInFlight(
          approvalJobId(ack.id),
          HEAD,
          { lease: SENDER_LEASE, token: dead.token },
          new Date(timing.now()),
        ),
      ).toBe(true);
    }
    await before.close();
    // The restart: the same file, a new process's store and sender.
    const after = openSqliteWorkStore({ path });
    try {
      const { sender, failures } = s.senderOn(after, 'instance-b');
      sender.start();
      await sender.untilIdle();
      await sender.stop();
      expect(failures).toEqual([]);
      expect(sender.stats().recovered).toBe(3);
      const delivered = countBy(cardsToHead(rig));
      expect([...delivered.keys()].sort()).toEqual(acks.map((a) => a.id).sort());
      expect([...delivered.values()].every((n) => n === 1)).toBe(true);
      // A repeat of a sign after the restart asks nobody again.
      await s.sign(s.make(after), staff(0));
      expect(
        await after.countDeliveries({ jobId: approvalJobId(acks[0]?.id ?? '') }),
      ).toMatchObject({ sent: 1, total: 1 });
    } finally {
      await after.close();
    }
  });

  it('a work store down at the sign keeps the signature, and the repair sweep queues the request', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing, { recordBodies: true });
    const s = await setup(2, timing);
    const refuse = (): Promise<never> => Promise.reject(new Error('database is locked'));
    const down: WorkStore = { ...s.store, createJob: refuse, enqueue: refuse };
    const storeDown = s.make(down);
    const outcome = await s.sign(storeDown, staff(0));
    expect(outcome).toMatchObject({ kind: 'signed', created: true });
    expect(await s.records.listAcknowledgements({ userId: staff(0).id })).toHaveLength(1);
    expect(s.errors.map((e) => e.what)).toEqual([
      `queue the approval request of ${outcome.kind === 'signed' ? outcome.acknowledgement.id : ''}`,
    ]);
    expect(await s.store.listJobs({ kind: 'approval' })).toEqual([]);
    // The store is back; the sweep finds the pending signature with no request and queues it.
    const report = await s.service.repairRecords();
    expect(report.approvalRequestsQueued).toEqual([
      outcome.kind === 'signed' ? outcome.acknowledgement.id : '',
    ]);
    // A second sweep finds nothing missing.
    expect((await s.service.repairRecords()).approvalRequestsQueued).toEqual([]);
    const { sender } = s.senderOn(s.store);
    sender.start();
    await sender.untilIdle();
    await sender.stop();
    expect(cardsToHead(rig)).toHaveLength(1);
  });
});
