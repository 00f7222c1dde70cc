import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteWorkStore } from '../../src/adapters/sqlite/sqlite-work-store.ts';
import type { Campaign } from '../../src/domain/campaign.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import type { RecordStore, Tagged } from '../../src/ports/record-store.ts';
import type { WorkStore } from '../../src/ports/work-store.ts';
import { SENDER_LEASE } from '../../src/services/campaigns/campaign-sender.ts';
import {
  createCampaignService,
  type CampaignDeps,
  type CampaignService,
} from '../../src/services/campaigns/campaign-service.ts';
import { digestJobDataSchema } from '../../src/services/campaigns/job-data.ts';
import { placeholderCards } from '../../src/services/campaigns/placeholder-cards.ts';
import { botCardRenderer } from '../../src/bot/index.ts';
import {
  emulatedTeamsUserId,
  type ConnectorEmulatorOptions,
} from '../../src/dev/connector-emulator/connector-emulator.ts';
import type { OutgoingActivity } from '../../src/ports/messenger.ts';
import { config as cardsConfig } from '../bot/card-fixtures.ts';
import { startVirtualRig, TENANT, VirtualTiming, type Rig } from './fixtures.ts';
import { admin, publishVersion, school, sign, teacher, world } from './world.ts';

/** A sent card's refresh block, as far as these tests read it. */
interface CardRefresh {
  userIds?: string[];
  action?: unknown;
}

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Counts the campaign record's writes: what SharePoint would be charged for. */
function countingCampaignWrites(records: RecordStore) {
  const counts = { create: 0, update: 0 };
  const wrapped = new Proxy(records, {
    get(target, property, receiver) {
      if (property === 'createCampaign') {
        return (c: Campaign, a: Parameters<RecordStore['createCampaign']>[1]) => {
          counts.create += 1;
          return target.createCampaign(c, a);
        };
      }
      if (property === 'updateCampaign') {
        return (cur: Tagged<Campaign>, next: Campaign) => {
          counts.update += 1;
          return target.updateCampaign(cur, next);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return { records: wrapped, counts };
}

async function setup(
  staff: number,
  holderId = 'instance-a',
  connector: ConnectorEmulatorOptions = {},
) {
  const timing = new VirtualTiming();
  rig = await startVirtualRig(timing, connector);
  const w = await world(staff);
  const counted = countingCampaignWrites(w.records);
  const make = (
    holder: string,
    work: WorkStore = (rig as Rig).work,
    extra: Partial<CampaignDeps> = {},
  ): CampaignService =>
    createCampaignService({
      records: counted.records,
      directory: w.directory,
      work,
      messenger: (rig as Rig).messenger,
      cards: placeholderCards,
      school,
      clock: { now: () => new Date(timing.now()) },
      timing,
      newId: randomUUID,
      holderId: holder,
      sender: { idlePollMs: 50 },
      totalsEveryMs: 10_000,
      onError: (error) => console.error('campaign runtime:', error),
      ...extra,
    });
  const v1 = await publishVersion(
    w.records,
    1,
    new Date(timing.now() - 86_400_000 * 200).toISOString(),
  );
  return { timing, rig, ...w, counts: counted.counts, v1, service: make(holderId), make };
}

const deadline = (timing: VirtualTiming, days = 21): string =>
  new Date(timing.now() + days * 86_400_000).toISOString();

describe('CampaignService', () => {
  it('launches to the transitive, deduplicated audience, skipping those who signed', async () => {
    const s = await setup(30);
    const signedAt = new Date(s.timing.now() - 86_400_000).toISOString();
    await sign(s.records, s.v1, 's-00001', signedAt);
    await sign(s.records, s.v1, 's-00002', signedAt);
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: deadline(s.timing),
    });
    // 30 staff + the DSL (nested group) + 1 governor; s-00000 is in both audiences once.
    expect(campaign.counts).toEqual({ recipients: 30, sent: 0, failed: 0, signed: 2 });
    expect(campaign.status).toBe('running');
    expect(campaign.reminderDays).toEqual([3, 7, 14]);
    const counts = await s.rig.work.countDeliveries({ jobId: campaign.id });
    expect(counts).toMatchObject({ queued: 30, skipped: 2, total: 32 });
    expect(await s.rig.work.countReasons({ jobId: campaign.id })).toEqual({
      'not required: signed': 2,
    });

    // Launching again finds the same campaign and enqueues nobody twice.
    const again = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: deadline(s.timing),
    });
    expect(again.id).toBe(campaign.id);
    expect((await s.rig.work.countDeliveries({ jobId: campaign.id })).total).toBe(32);
    expect(s.counts.create).toBe(1);
    expect((await s.records.listAudit({ type: 'campaign.launched' })).length).toBe(1);
  });

  it('a relaunch with a new deadline moves it in the work store and the record, audited, and queues nobody again', async () => {
    const s = await setup(10);
    const first = deadline(s.timing, 21);
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: first,
    });
    const before = await s.rig.work.countDeliveries({ jobId: campaign.id });
    const later = deadline(s.timing, 35);
    const again = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: later,
      // Asked, but a campaign keeps its own audiences and reminders (the tab says so).
      reminderDays: [1],
    });
    expect(again.id).toBe(campaign.id);
    expect(again.deadline).toBe(later);
    expect(again.reminderDays).toEqual(campaign.reminderDays);
    expect((await s.records.getCampaign(campaign.id))?.value.deadline).toBe(later);
    // The cards still to send and the reminder rounds read the job's deadline.
    expect((await s.rig.work.getJob(campaign.id))?.deadline).toBe(later);
    expect(await s.rig.work.countDeliveries({ jobId: campaign.id })).toEqual(before);
    const moved = await s.records.listAudit({ type: 'campaign.deadline-moved' });
    expect(moved.map((e) => [e.subject, e.actorId, e.details])).toEqual([
      [campaign.id, admin.id, { from: first, to: later }],
    ]);

    // The same deadline again moves nothing and writes nothing more.
    await s.service.launch(admin, { policyKey: 'staff-aup', versionNumber: 1, deadline: later });
    expect(await s.records.listAudit({ type: 'campaign.deadline-moved' })).toHaveLength(1);
    expect(s.counts.create).toBe(1);

    // A paused campaign's deadline moves too (it stays paused).
    await s.service.pause(admin, campaign.id);
    const latest = deadline(s.timing, 42);
    const paused = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: latest,
    });
    expect(paused).toMatchObject({ status: 'paused', deadline: latest });
    expect((await s.rig.work.getJob(campaign.id))?.status).toBe('paused');
  });

  it('a relaunch that moves the deadline updates the cards already sent in place, paced, and never a card of someone who signed', async () => {
    const s = await setup(110, 'instance-a', { recordBodies: true });
    const first = deadline(s.timing, 21);
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: first,
    });
    s.service.startSender();
    await s.service.sender.untilIdle();
    await s.service.stop();
    const recipients = campaign.counts.recipients;
    const firstCards = new Map(
      s.rig.emulator
        .delivered()
        .filter((d) => d.kind === 'create')
        .map((d) => [d.userId, d.activityId]),
    );
    expect(firstCards.size).toBe(recipients);
    // At once: the new sender knows nothing of the last second's sends, and waits that window
    // out before its first (campaign-sender.ts, on taking the lease over).
    // One signs before the relaunch (left out of the updates), one after it queued them.
    await sign(s.records, s.v1, 's-00001', new Date(s.timing.now()).toISOString());
    const later = deadline(s.timing, 35);
    await s.service.launch(admin, { policyKey: 'staff-aup', versionNumber: 1, deadline: later });
    const updateJob = `${campaign.id}/deadline-1`;
    expect(await s.rig.work.getJob(updateJob)).toMatchObject({
      kind: 'update',
      campaignId: campaign.id,
      deadline: later,
      status: 'running',
    });
    expect((await s.rig.work.countDeliveries({ jobId: updateJob })).queued).toBe(recipients - 1);
    await sign(s.records, s.v1, 's-00002', new Date(s.timing.now()).toISOString());
    const after = s.make('instance-b');
    after.startSender();
    await after.sender.untilIdle();
    await after.stop();

    const updates = s.rig.emulator.delivered().filter((d) => d.kind === 'update');
    expect(updates).toHaveLength(recipients - 2);
    expect(updates.map((u) => u.userId)).not.toContain('s-00001');
    expect(updates.map((u) => u.userId)).not.toContain('s-00002');
    for (const update of updates) {
      // The very card they were sent, now with the new deadline (placeholder cards print it).
      expect(update.activityId).toBe(firstCards.get(update.userId));
      expect(JSON.stringify(update.activity)).toContain(`Please sign by ${later}`);
      expect(JSON.stringify(update.activity)).not.toContain(first);
    }
    // No new message for anyone; the connector never had to refuse one for going too fast.
    expect(s.rig.emulator.counters()).toMatchObject({
      activitiesSent: recipients,
      activitiesUpdated: recipients - 2,
      throttled: 0,
    });
    // Paced like sends: over 50 updates take more than a second of the connector's clock.
    const times = updates.map((u) => u.at).sort((a, b) => a - b);
    for (let i = 50; i < times.length; i += 1) {
      expect((times[i] ?? 0) - (times[i - 50] ?? 0)).toBeGreaterThanOrEqual(1_000);
    }
    // The one who signed meanwhile keeps their card; the campaign's own totals are unchanged.
    expect(await s.rig.work.countDeliveries({ jobId: updateJob })).toMatchObject({
      sent: recipients - 2,
      failed: 1,
      queued: 0,
    });
    expect(await s.rig.work.countReasons({ jobId: updateJob })).toEqual({
      'left as it is: signed since the deadline moved': 1,
    });
    expect((await s.rig.work.getDelivery(updateJob, 's-00003'))?.activityId).toBe(
      firstCards.get('s-00003'),
    );
    const summary = await s.service.get(admin, campaign.id);
    expect(summary.campaign.counts).toMatchObject({
      recipients,
      sent: recipients,
      failed: 0,
    });
    // Counted apart, for the admin: the card left as it was for the one who signed is no failure.
    expect(summary.cardUpdates).toEqual({
      from: first,
      to: later,
      updated: recipients - 2,
      of: recipients - 2,
      waiting: 0,
      notNeeded: 1,
      noCard: 0,
      failed: 0,
      words: `Cards updated ${recipients - 2} of ${recipients - 2} · 1 not needed (signed since, or already showing the new deadline)`,
    });
    // And on each person's page, in words.
    const updateOf = async (userId: string) =>
      (await s.service.personDeliveries(admin, 'staff-aup', userId)).deliveries.find(
        (d) => d.kind === 'update',
      );
    expect(await updateOf('s-00002')).toMatchObject({
      jobId: updateJob,
      state: 'failed',
      outcome: 'Not updated: already signed',
    });
    expect(await updateOf('s-00003')).toMatchObject({
      state: 'sent',
      outcome: 'Card updated with the new deadline',
    });
    // Signed before the relaunch: no update was meant for them, so none is listed.
    expect(await updateOf('s-00001')).toBeUndefined();
  });

  it('sends everyone once and writes totals to the record a few times, not per person', async () => {
    const s = await setup(60);
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: deadline(s.timing),
    });
    s.service.startSender();
    await s.service.sender.untilIdle();
    await s.service.stop();
    expect(s.rig.emulator.counters()).toMatchObject({ activitiesSent: 62, throttled: 0 });
    const summary = await s.service.get(admin, campaign.id);
    expect(summary.campaign.counts).toMatchObject({ recipients: 62, sent: 62, failed: 0 });
    expect(summary.delivery).toMatchObject({ sent: 62, queued: 0, inFlight: 0 });
    // 62 sends at ~49/s take ~1.3 s: one create, and at most a couple of total updates.
    expect(s.counts.create).toBe(1);
    expect(s.counts.update).toBeLessThanOrEqual(3);
  });

  it("names each person in their prompt card's refresh by the Teams user id stored with their conversation, and nobody else's (issue 12)", async () => {
    const s = await setup(3, 'instance-a', { recordBodies: true });
    // s-00000 installed the app: its install activity gave the bot their MRI (bot-app.ts).
    // s-00001 and s-00002 were never seen: the sender creates their conversations and looks
    // each one's member up once (GET …/members/{id}), learning the MRI the connector gives.
    await s.rig.work.putConversation({
      userId: 's-00000',
      conversationId: s.rig.emulator.conversationIdFor('s-00000'),
      serviceUrl: s.rig.emulator.url,
      tenantId: TENANT,
      userMri: '29:1-mri-of-s0',
      updatedAt: new Date(s.timing.now()).toISOString(),
    });
    const service = s.make('instance-a', s.rig.work, { cards: botCardRenderer(cardsConfig) });
    await service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: deadline(s.timing),
    });
    service.startSender();
    await service.sender.untilIdle();
    await service.stop();
    const refreshOf = (userId: string): CardRefresh | undefined => {
      const sent = s.rig.emulator.delivered().filter((d) => d.userId === userId);
      expect(sent).toHaveLength(1);
      const activity = sent[0]?.activity as OutgoingActivity;
      return (activity.attachments?.[0]?.content as { refresh?: CardRefresh }).refresh;
    };
    expect(refreshOf('s-00000')?.userIds).toEqual(['29:1-mri-of-s0']);
    // Never seen: the connector's answer to the lookup names them (the emulator's MRI form), never
    // the id the sender knew them by; one lookup per new conversation, none for a stored one.
    for (const userId of ['s-00001', 's-00002']) {
      expect(refreshOf(userId)?.action).toMatchObject({ type: 'Action.Execute' });
      expect(refreshOf(userId)?.userIds).toEqual([emulatedTeamsUserId(userId)]);
      expect((await s.rig.work.getConversation(userId))?.userMri).toBe(`29:${userId}`);
    }
    // One lookup per conversation created (the two never seen, and anyone else the campaign
    // wrote to first), none for s-00000's stored one.
    const { conversationsCreated, membersLookedUp } = s.rig.emulator.counters();
    expect(conversationsCreated).toBeGreaterThanOrEqual(2);
    expect(membersLookedUp).toBe(conversationsCreated);
    expect((await s.rig.work.getConversation('s-00000'))?.userMri).toBe('29:1-mri-of-s0');
  });

  it('sends a never-seen person their card without a Teams user id when the member lookup fails, and sends it', async () => {
    const s = await setup(1, 'instance-a', { recordBodies: true });
    const service = s.make('instance-a', s.rig.work, { cards: botCardRenderer(cardsConfig) });
    await service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: deadline(s.timing),
    });
    // The conversation is created; the member lookup after it answers 502.
    s.rig.emulator.failMemberLookups(502);
    service.startSender();
    await service.sender.untilIdle();
    await service.stop();
    const sent = s.rig.emulator.delivered().filter((d) => d.userId === 's-00000');
    expect(sent).toHaveLength(1);
    const card = (sent[0]?.activity as OutgoingActivity).attachments?.[0]?.content as {
      refresh?: CardRefresh;
    };
    expect(card.refresh?.action).toMatchObject({ type: 'Action.Execute' });
    expect(card.refresh?.userIds).toBeUndefined();
    expect((await s.rig.work.getConversation('s-00000'))?.userMri).toBeUndefined();
  });

  it('shows 403s per recipient in the counts', async () => {
    const s = await setup(5);
    s.rig.emulator.blockUsers(['s-00003']);
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: deadline(s.timing),
    });
    s.service.startSender();
    await s.service.sender.untilIdle();
    await s.service.stop();
    const summary = await s.service.get(admin, campaign.id);
    expect(summary.campaign.counts).toMatchObject({ sent: 6, failed: 1 });
    expect(summary.reasons).toEqual({
      '403 ConversationBlockedByUser: User blocked the conversation with the bot.': 1,
    });
  });

  it('pauses, resumes and cancels: paused sends nothing, cancelled skips the rest', async () => {
    const s = await setup(10);
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: deadline(s.timing),
    });
    expect((await s.service.pause(admin, campaign.id)).status).toBe('paused');
    s.service.startSender();
    await s.service.sender.untilIdle();
    expect(s.rig.emulator.counters().activitiesSent).toBe(0);
    await expect(s.service.pause(admin, campaign.id)).resolves.toMatchObject({ status: 'paused' });
    await expect(s.service.resume(teacher, campaign.id)).rejects.toMatchObject({
      code: 'forbidden',
    });

    expect((await s.service.resume(admin, campaign.id)).status).toBe('running');
    await s.service.sender.untilIdle();
    expect(s.rig.emulator.counters().activitiesSent).toBe(12);

    const cancelled = await s.service.cancel(admin, campaign.id);
    expect(cancelled.status).toBe('cancelled');
    await expect(s.service.resume(admin, campaign.id)).rejects.toBeInstanceOf(CountersignError);
    await s.service.stop();
    const audit = await s.records.listAudit({ type: 'campaign.status-changed' });
    // All at one virtual instant, so compare as a set.
    expect(audit.map((e) => e.details['to']).sort()).toEqual(['cancelled', 'paused', 'running']);
  });

  it('cancelling mid-way leaves the rest unsent and marked', async () => {
    const s = await setup(40);
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: deadline(s.timing),
    });
    await s.service.cancel(admin, campaign.id);
    s.service.startSender();
    await s.service.sender.untilIdle();
    await s.service.stop();
    expect(s.rig.emulator.counters().activitiesSent).toBe(0);
    expect(await s.rig.work.countReasons({ jobId: campaign.id })).toEqual({ cancelled: 42 });
  });

  it('resumes after a crash: in-flight rows are sent again, nobody is lost', async () => {
    const s = await setup(20);
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: deadline(s.timing),
    });
    // A sender that died: it held the lease, claimed three rows, and one of its sends landed.
    const dead = await s.rig.work.acquireLease(
      SENDER_LEASE,
      'dead',
      15_000,
      new Date(s.timing.now()),
    );
    if (dead === null) throw new Error('lease');
    const fence = { lease: SENDER_LEASE, token: dead.token };
    const claimed = ['s-00000', 's-00001', 's-00002'];
    for (const userId of claimed) {
      await s.rig.work.markInFlight(campaign.id, userId, fence, new Date(s.timing.now()));
    }
    await s.rig.messenger.sendActivity(
      {
        userId: 's-00001',
        conversationId: s.rig.emulator.conversationIdFor('s-00001'),
        serviceUrl: s.rig.emulator.url,
        tenantId: 'tenant-1',
      },
      { type: 'message', text: 'sent before the crash' },
    );
    // The new sender waits for the dead one's lease to expire, then recovers its claims.
    s.service.startSender();
    await s.service.sender.untilIdle();
    await s.service.stop();
    expect(s.service.sender.stats()).toMatchObject({ recovered: 3, leaseToken: dead.token + 1 });
    const perUser = s.rig.emulator.sendsPerUser();
    expect(perUser.size).toBe(22);
    const duplicates = [...perUser.values()].reduce((n, c) => n + c - 1, 0);
    expect(duplicates).toBe(1);
    expect(duplicates).toBeLessThanOrEqual(claimed.length);
    expect(await s.rig.work.countDeliveries({ jobId: campaign.id })).toMatchObject({ sent: 22 });
  });

  it('checks roles, the version and the deadline', async () => {
    const s = await setup(2);
    const input = { policyKey: 'staff-aup', versionNumber: 1, deadline: deadline(s.timing) };
    await expect(s.service.launch(teacher, input)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(s.service.launch(admin, { ...input, versionNumber: 2 })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(
      s.service.launch(admin, { ...input, deadline: new Date(s.timing.now() - 1).toISOString() }),
    ).rejects.toMatchObject({ code: 'validation' });
    await expect(
      s.service.launch(admin, { ...input, audiences: ['volunteer'] }),
    ).rejects.toMatchObject({ code: 'validation' });
  });

  it('previews the card and sends a test to the admin alone', async () => {
    const s = await setup(3);
    const preview = await s.service.previewCard(admin, 'staff-aup', 1);
    expect(preview.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const { jobId } = await s.service.sendTest(admin, { policyKey: 'staff-aup', versionNumber: 1 });
    s.service.startSender();
    await s.service.sender.untilIdle();
    await s.service.stop();
    expect([...s.rig.emulator.sendsPerUser().keys()]).toEqual(['u-dsl']);
    expect(await s.rig.work.countDeliveries({ jobId })).toMatchObject({ sent: 1 });
  });

  it("refuses a campaign for a trust policy's master: a school's copy is what is signed", async () => {
    const s = await setup(1);
    const tagged = await s.records.getPolicy('staff-aup');
    if (tagged === null) throw new Error('the policy');
    await s.records.putPolicy({ ...tagged.value, scope: 'trust' }, tagged.etag);
    const refused = await s.service
      .launch(admin, { policyKey: 'staff-aup', versionNumber: 1, deadline: deadline(s.timing) })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(CountersignError);
    expect((refused as CountersignError).code).toBe('validation');
    expect(await s.records.listCampaigns({ policyKey: 'staff-aup' })).toEqual([]);
  });

  it('reuses the policy its cards read, until the read cache expires', async () => {
    const s = await setup(1);
    const title = async () => (await s.service.previewCard(admin, 'staff-aup', 1)).summary;
    expect(await title()).toBe('Please sign Staff Acceptable Use Policy');
    const tagged = await s.records.getPolicy('staff-aup');
    if (tagged === null) throw new Error('the policy');
    await s.records.putPolicy({ ...tagged.value, title: 'Staff AUP' }, tagged.etag);
    // Read once, reused for a while (read-cache.ts: 30 s), not read per card nor kept for ever.
    s.timing.advance(29_000);
    expect(await title()).toBe('Please sign Staff Acceptable Use Policy');
    s.timing.advance(2_000);
    expect(await title()).toBe('Please sign Staff AUP');
  });
});

/** The work store with one method failing once (a crash or a network error at that step). */
function failingOnce(work: WorkStore, method: keyof WorkStore): WorkStore {
  let failed = false;
  return new Proxy(work, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const bound = (value as (...a: unknown[]) => unknown).bind(target);
      if (property !== method || failed) return bound;
      return () => {
        failed = true;
        return Promise.reject(new Error(`${String(method)} failed`));
      };
    },
  });
}

describe('CampaignService launches once', () => {
  const sendAll = async (service: CampaignService) => {
    service.startSender();
    await service.sender.untilIdle();
    await service.stop();
  };

  it('concurrent launches (double click, two admins, two instances) make ONE campaign', async () => {
    const s = await setup(10);
    const other = s.make('instance-b');
    const input = { policyKey: 'staff-aup', versionNumber: 1, deadline: deadline(s.timing) };
    const launched = await Promise.all([
      s.service.launch(admin, input),
      s.service.launch(admin, input),
      other.launch(admin, input),
    ]);
    const ids = new Set(launched.map((c) => c.id));
    expect(ids.size).toBe(1);
    expect(launched.map((c) => c.status)).toEqual(['running', 'running', 'running']);
    expect(await s.rig.work.listJobs({ kind: 'prompt' })).toHaveLength(1);
    expect(await s.records.listCampaigns({})).toHaveLength(1);
    expect(await s.records.listAudit({ type: 'campaign.launched' })).toHaveLength(1);

    await sendAll(s.service);
    const perUser = s.rig.emulator.sendsPerUser();
    expect(perUser.size).toBe(12);
    expect([...perUser.values()].every((n) => n === 1)).toBe(true);
  });

  it('after a cancel, a new launch is a new campaign, and concurrent relaunches still make one', async () => {
    const s = await setup(4);
    const input = { policyKey: 'staff-aup', versionNumber: 1, deadline: deadline(s.timing) };
    const first = await s.service.launch(admin, input);
    await s.service.cancel(admin, first.id);
    const [a, b] = await Promise.all([
      s.service.launch(admin, input),
      s.make('instance-b').launch(admin, input),
    ]);
    expect(a.id).toBe(b.id);
    expect(a.id).not.toBe(first.id);
    expect((await s.records.listCampaigns({})).map((t) => t.value.status).sort()).toEqual([
      'cancelled',
      'running',
    ]);
    const jobs = await s.rig.work.listJobs({ kind: 'prompt' });
    expect(jobs.map((j) => j.status).sort()).toEqual(['cancelled', 'running']);
    await sendAll(s.service);
    expect([...s.rig.emulator.sendsPerUser().values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('a launch retried after failing between the record and the release sends', async () => {
    const s = await setup(5);
    const flaky = s.make('instance-a', failingOnce(s.rig.work, 'setCampaignStatus'));
    const input = { policyKey: 'staff-aup', versionNumber: 1, deadline: deadline(s.timing) };
    await expect(flaky.launch(admin, input)).rejects.toThrow('setCampaignStatus failed');
    // The record says running while the job is still held.
    const [record] = await s.records.listCampaigns({});
    expect(record?.value.status).toBe('running');
    const id = record?.value.id ?? '';
    expect((await s.rig.work.getJob(id))?.status).toBe('paused');

    const retried = await flaky.launch(admin, input);
    expect(retried.id).toBe(id);
    expect((await s.rig.work.getJob(id))?.status).toBe('running');
    await sendAll(flaky);
    expect(await s.rig.work.countDeliveries({ jobId: id })).toMatchObject({ sent: 7, queued: 0 });
    expect(s.counts.create).toBe(1);
  });

  it('a pause landing while a launch retry releases the job keeps the campaign paused', async () => {
    const s = await setup(5);
    const flaky = s.make('instance-a', failingOnce(s.rig.work, 'setCampaignStatus'));
    const input = { policyKey: 'staff-aup', versionNumber: 1, deadline: deadline(s.timing) };
    await expect(flaky.launch(admin, input)).rejects.toThrow('setCampaignStatus failed');
    const [record] = await s.records.listCampaigns({});
    const id = record?.value.id ?? '';
    // Another admin pauses, start to finish, right before the retry's release is written.
    const other = s.make('instance-b');
    let paused = false;
    const racing = new Proxy(s.rig.work, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        const bound = (value as (...a: unknown[]) => Promise<unknown>).bind(target);
        if (property !== 'setCampaignStatus') return bound;
        return async (...args: unknown[]) => {
          if (args[1] === 'running' && !paused) {
            paused = true;
            await other.pause(admin, id);
          }
          return bound(...args);
        };
      },
    });
    const retried = await s.make('instance-a', racing).launch(admin, input);
    expect(paused).toBe(true);
    expect(retried.status).toBe('paused');
    expect((await s.rig.work.getJob(id))?.status).toBe('paused');
    expect((await s.records.getCampaign(id))?.value.status).toBe('paused');
  });

  it('resume (or any transition to the status the record has) aligns the work store', async () => {
    const s = await setup(5);
    const flaky = s.make('instance-a', failingOnce(s.rig.work, 'setCampaignStatus'));
    const input = { policyKey: 'staff-aup', versionNumber: 1, deadline: deadline(s.timing) };
    await expect(flaky.launch(admin, input)).rejects.toThrow('setCampaignStatus failed');
    const [record] = await s.records.listCampaigns({});
    const id = record?.value.id ?? '';
    await expect(flaky.resume(admin, id)).resolves.toMatchObject({ status: 'running' });
    expect((await s.rig.work.getJob(id))?.status).toBe('running');
    await sendAll(flaky);
    expect(s.rig.emulator.counters().activitiesSent).toBe(7);

    // Paused in the record, running in the work store: pausing again stops the job.
    await flaky.pause(admin, id);
    await s.rig.work.setCampaignStatus(id, 'running', new Date(s.timing.now()));
    await expect(flaky.pause(admin, id)).resolves.toMatchObject({ status: 'paused' });
    expect((await s.rig.work.getJob(id))?.status).toBe('paused');
  });

  it('a cancel cut short before the record is refused by launch and resume, finished by cancel', async () => {
    const s = await setup(3);
    const input = { policyKey: 'staff-aup', versionNumber: 1, deadline: deadline(s.timing) };
    const first = await s.service.launch(admin, input);
    // The work store was cancelled; the SharePoint write never happened.
    await s.rig.work.setCampaignStatus(first.id, 'cancelled', new Date(s.timing.now()));
    await expect(s.service.launch(admin, input)).rejects.toMatchObject({ code: 'conflict' });
    await expect(s.service.resume(admin, first.id)).rejects.toMatchObject({ code: 'conflict' });
    await expect(s.service.cancel(admin, first.id)).resolves.toMatchObject({
      status: 'cancelled',
    });
    const next = await s.service.launch(admin, input);
    expect(next.id).not.toBe(first.id);
    expect(next.status).toBe('running');
  });

  it("the sender's loop runs the scheduled work: the digest goes out, the campaign completes", async () => {
    const s = await setup(3);
    const service = s.make('instance-a', s.rig.work, { scheduleEveryMs: 2_000 });
    const campaign = await service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: new Date(s.timing.now() + 1_000).toISOString(),
    });
    service.startSender();
    // Virtual time: each sleep lets the sender and the schedule loop run up to that instant.
    for (let i = 0; i < 50; i += 1) {
      if ((await service.get(admin, campaign.id)).campaign.status === 'completed') break;
      await s.timing.sleep(500);
    }
    await service.sender.untilIdle();
    await service.stop();
    expect((await service.get(admin, campaign.id)).campaign.status).toBe('completed');
    // The head is no audience member: the only card they get is the digest.
    expect(s.rig.emulator.sendsPerUser().get('u-head')).toBe(1);
  });
});

describe('CampaignService when the work store is lost (issue 13, item 1)', () => {
  /** A campaign that reached everyone (22 people), 5 of whom signed; then the store is gone. */
  async function sentThenStoreLost() {
    const s = await setup(20);
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: deadline(s.timing),
    });
    s.service.startSender();
    await s.service.sender.untilIdle();
    await s.service.stop();
    const signedIds = ['s-00000', 's-00001', 's-00002', 's-00003', 's-00004'];
    for (const id of signedIds) {
      await sign(s.records, s.v1, id, new Date(s.timing.now()).toISOString());
    }
    // The file was deleted (or set aside as damaged): the instance restarts on a fresh store.
    const fresh = openSqliteWorkStore({ path: ':memory:' });
    const restarted = s.make('instance-a', fresh);
    return { ...s, campaign, signedIds, fresh, restarted };
  }

  it('shows the campaign as "delivery records lost" with SharePoint\'s totals, never zeros', async () => {
    const s = await sentThenStoreLost();
    try {
      const [summary] = await s.restarted.list(admin);
      expect(summary?.deliveryRecords).toEqual({
        kind: 'lost',
        reason: 'store-replaced',
        sentBeforeLoss: 22,
        failedBeforeLoss: 0,
      });
      expect(summary?.delivery).toMatchObject({ sent: 22, queued: 0, total: 22 });
      // Nothing the restarted instance does writes the fresh store's zeros over SharePoint's.
      s.restarted.startSender();
      await s.restarted.runScheduled();
      await s.restarted.stop();
      await s.restarted.flushTotals();
      expect((await s.records.getCampaign(s.campaign.id))?.value.counts).toMatchObject({
        sent: 22,
        failed: 0,
      });
    } finally {
      await s.fresh.close();
    }
  });

  it('refuses pause, resume and a relaunch (which would re-send to everyone), saying what to choose', async () => {
    const s = await sentThenStoreLost();
    try {
      for (const attempt of [
        () => s.restarted.pause(admin, s.campaign.id),
        () =>
          s.restarted.launch(admin, {
            policyKey: 'staff-aup',
            versionNumber: 1,
            deadline: deadline(s.timing),
          }),
      ]) {
        const error = await attempt().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(CountersignError);
        expect((error as CountersignError).details).toMatchObject({
          reason: 'delivery-records-lost',
          sentBeforeLoss: 22,
        });
        expect((error as CountersignError).message).toMatch(
          /resume it to the people who have not signed yet \(up to 22 of them may get the card a second time\), or cancel it/,
        );
      }
      expect(await s.fresh.listJobs({})).toEqual([]);
      expect(s.rig.emulator.counters().activitiesSent).toBe(22);
    } finally {
      await s.fresh.close();
    }
  });

  it('tells the admins and approvers once, in a digest, what was lost and what to choose', async () => {
    const s = await sentThenStoreLost();
    try {
      const first = await s.restarted.runScheduled();
      expect(first.lostAlerts).toEqual([{ campaignId: s.campaign.id, recipients: 2 }]);
      // Once per campaign and store: the next run says nothing again.
      expect((await s.restarted.runScheduled()).lostAlerts).toEqual([]);
      s.restarted.startSender();
      await s.restarted.sender.untilIdle();
      await s.restarted.stop();
      // After the 22 prompts before the loss: the alert, to the admin (DSL) and the head.
      const alerts = s.rig.emulator.delivered().slice(22);
      expect(alerts.map((d) => d.userId).sort()).toEqual(['u-dsl', 'u-head']);
      const store = (await s.fresh.storeIdentity()).id;
      const job = await s.fresh.getJob(`${s.campaign.id}/lost-${store}`);
      expect(job).toMatchObject({ kind: 'digest', campaignId: s.campaign.id });
      // SharePoint's totals, not the fresh store's zeros, and the campaign named.
      expect(digestJobDataSchema.parse(job?.data).digest).toMatchObject({
        alert: 'delivery-records-lost',
        delivery: { sent: 22, failed: 0 },
        deliveryRecordsLost: [
          {
            campaignId: s.campaign.id,
            reason: 'store-replaced',
            sentBeforeLoss: 22,
            failedBeforeLoss: 0,
            versionNumber: 1,
          },
        ],
      });
      // Nobody else was sent anything: the alert is the admins' and approvers' only.
      expect(s.rig.emulator.counters().activitiesSent).toBe(24);
    } finally {
      await s.fresh.close();
    }
  });

  it("cancel stops it and keeps SharePoint's totals", async () => {
    const s = await sentThenStoreLost();
    try {
      const cancelled = await s.restarted.cancel(admin, s.campaign.id);
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.counts).toMatchObject({ sent: 22, failed: 0 });
    } finally {
      await s.fresh.close();
    }
  });

  it('recover sends only to those not yet signed, carries the totals on and audits the choice', async () => {
    const s = await sentThenStoreLost();
    try {
      const recovered = await s.restarted.recover(admin, s.campaign.id);
      expect(recovered).toMatchObject({ queued: 17, mayGetSecondCard: 17 });
      expect(recovered.campaign).toMatchObject({
        status: 'running',
        workStoreId: (await s.fresh.storeIdentity()).id,
        carried: { sent: 22, failed: 0 },
      });
      s.restarted.startSender();
      await s.restarted.sender.untilIdle();
      await s.restarted.stop();
      const perUser = s.rig.emulator.sendsPerUser();
      // Those who signed got the one card; the 17 others a second one, as the admin chose.
      for (const id of s.signedIds) expect(perUser.get(id)).toBe(1);
      expect([...perUser.values()].filter((n) => n === 2)).toHaveLength(17);
      const summary = await s.restarted.get(admin, s.campaign.id);
      expect(summary.deliveryRecords).toEqual({ kind: 'kept' });
      expect(summary.campaign.counts).toMatchObject({ sent: 39, failed: 0 });
      const events = await s.records.listAudit({ type: 'campaign.recovered' });
      expect(events.map((e) => e.details)).toEqual([
        expect.objectContaining({ sentBeforeLoss: 22, queued: 17, mayGetSecondCard: 17 }),
      ]);
      // Recovering twice is refused: the campaign has its delivery records again.
      await expect(s.restarted.recover(admin, s.campaign.id)).rejects.toThrow(
        /still has its delivery records/,
      );
    } finally {
      await s.fresh.close();
    }
  });
});
