import { afterEach, describe, expect, it } from 'vitest';
import {
  createCampaignSender,
  type SenderOptions,
} from '../../src/services/campaigns/campaign-sender.ts';
import { tenantPacing } from '../../src/services/campaigns/pacing.ts';
import { GraphUnavailableError } from '../../src/adapters/graph/graph-gateway.ts';
import { systemTiming, type Timing } from '../../src/services/campaigns/timing.ts';
import {
  promptJob,
  renderSimple,
  seedJob,
  startRig,
  startVirtualRig,
  userIds,
  VirtualTiming,
  type Rig,
} from './fixtures.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

function sender(r: Rig, timing: Timing, options: Partial<SenderOptions> = {}, holderId = 'me') {
  const errors: unknown[] = [];
  const s = createCampaignSender(
    {
      queue: r.work,
      leases: r.work,
      conversations: r.work,
      messenger: r.messenger,
      render: renderSimple,
      timing,
      holderId,
      onError: (e) => errors.push(e),
    },
    { idlePollMs: 20, ...options },
  );
  return { sender: s, errors };
}

describe('campaign sender against the connector emulator', () => {
  it('paces 500 sends to the Teams limits: every one delivered once, no 429', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing);
    const users = userIds(500);
    await seedJob(rig, promptJob('c1'), users);
    const started = timing.now();
    const { sender: s, errors } = sender(rig, timing);
    s.start();
    await s.untilIdle();
    await s.stop();
    const counters = rig.emulator.counters();
    expect(errors).toEqual([]);
    expect(counters.throttled).toBe(0);
    expect(counters.maxTenantPerSecond).toBeLessThanOrEqual(50);
    expect(counters.activitiesSent).toBe(500);
    const perUser = rig.emulator.sendsPerUser();
    expect(perUser.size).toBe(500);
    expect([...perUser.values()].every((n) => n === 1)).toBe(true);
    expect(await rig.work.countDeliveries({ jobId: 'c1' })).toMatchObject({
      sent: 500,
      queued: 0,
      inFlight: 0,
    });
    // Close to the ceiling, in virtual seconds: at least 97 % of 50 a second.
    const times = rig.emulator.delivered().map((d) => d.at);
    const rate = (times.length - 1) / (((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000);
    expect(rate / 50).toBeGreaterThanOrEqual(0.97);
    expect(timing.now()).toBeGreaterThan(started);
  });

  it('keeps to the limits in real time too: at most a stray 429 from a stall, waited out', async () => {
    rig = await startRig();
    const users = userIds(150);
    await seedJob(rig, promptJob('c1'), users);
    const { sender: s, errors } = sender(rig, systemTiming);
    s.start();
    await s.untilIdle();
    await s.stop();
    expect(errors).toEqual([]);
    // The exact "no 429" proof runs in virtual time (above and below). In real time a busy CI
    // machine can stall a process long enough for one answer to land in the next window; the
    // sender must then wait it out and lose nobody, and such 429s must stay rare.
    const counters = rig.emulator.counters();
    expect(counters.activitiesSent).toBe(150);
    expect(counters.throttled).toBeLessThanOrEqual(3);
    expect(s.stats().throttled).toBe(counters.throttled);
    expect([...rig.emulator.sendsPerUser().values()].every((n) => n === 1)).toBe(true);
    expect(rig.emulator.sendsPerUser().size).toBe(150);
  });

  it('paces messages to one conversation to its windows (7/1 s, 8/2 s)', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing);
    // Twelve jobs to the same person: twelve messages in one conversation.
    for (let i = 0; i < 12; i += 1) await seedJob(rig, promptJob(`c${i}`), ['same-person']);
    const { sender: s, errors } = sender(rig, timing);
    s.start();
    await s.untilIdle();
    await s.stop();
    expect(errors).toEqual([]);
    expect(rig.emulator.counters()).toMatchObject({ throttled: 0, activitiesSent: 12 });
  });

  it('keeps to a lower tenant ceiling when set (30 a second): no 429, close to 30 a second', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing, { tenantRules: [{ limit: 30, windowMs: 1_000 }] });
    const users = userIds(300);
    await seedJob(rig, promptJob('c1'), users);
    const { sender: s, errors } = sender(rig, timing, { pacing: tenantPacing(30) });
    s.start();
    await s.untilIdle();
    await s.stop();
    expect(errors).toEqual([]);
    expect(rig.emulator.counters()).toMatchObject({ activitiesSent: 300, throttled: 0 });
    expect(rig.emulator.counters().maxTenantPerSecond).toBeLessThanOrEqual(30);
    const times = rig.emulator.delivered().map((d) => d.at);
    const rate = (times.length - 1) / (((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000);
    expect(rate / 30).toBeGreaterThanOrEqual(0.95);
  });

  it('waits out 429 Retry-After and carries on, losing nobody', async () => {
    const timing = new VirtualTiming();
    // A stricter connector than Teams (10 a second) against a sender pacing for 50.
    rig = await startVirtualRig(timing, { tenantRules: [{ limit: 10, windowMs: 1_000 }] });
    const users = userIds(40);
    await seedJob(rig, promptJob('c1'), users);
    const { sender: s, errors } = sender(rig, timing, { concurrency: 4 });
    s.start();
    await s.untilIdle();
    await s.stop();
    expect(errors).toEqual([]);
    const counters = rig.emulator.counters();
    expect(counters.throttled).toBeGreaterThan(0);
    expect(s.stats().throttled).toBe(counters.throttled);
    expect(counters.activitiesSent).toBe(40);
    expect(await rig.work.countDeliveries({ jobId: 'c1' })).toMatchObject({ sent: 40, failed: 0 });
  });

  it('records 403 per recipient with a reason and does not retry it', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing);
    const users = userIds(10);
    rig.emulator.blockUsers(['user-00003', 'user-00007']);
    await seedJob(rig, promptJob('c1'), users);
    const { sender: s } = sender(rig, timing);
    s.start();
    await s.untilIdle();
    await s.stop();
    expect(await rig.work.countDeliveries({ jobId: 'c1' })).toMatchObject({ sent: 8, failed: 2 });
    expect(await rig.work.countReasons({ jobId: 'c1' })).toEqual({
      '403 ConversationBlockedByUser: User blocked the conversation with the bot.': 2,
    });
    expect(rig.emulator.counters().forbidden).toBe(2);
    expect((await rig.work.getDelivery('c1', 'user-00003'))?.attempts).toBe(0);
  });

  it('retries 5xx with backoff a bounded number of times', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing);
    await seedJob(rig, promptJob('c1'), ['a']);
    rig.emulator.failNext(2, 503);
    const { sender: s } = sender(rig, timing, { maxTransientAttempts: 5 });
    s.start();
    await s.untilIdle();
    expect(await rig.work.getDelivery('c1', 'a')).toMatchObject({ state: 'sent', attempts: 2 });

    await seedJob(rig, promptJob('c2'), ['b']);
    rig.emulator.failNext(100, 500);
    await s.untilIdle();
    await s.stop();
    const failed = await rig.work.getDelivery('c2', 'b');
    expect(failed).toMatchObject({ state: 'failed', attempts: 4 });
    expect(failed?.reason).toMatch(
      /^500 ServiceError: Injected failure\. \(gave up after 5 attempts\)$/,
    );
    expect(rig.emulator.counters().injectedFailures).toBe(2 + 5);
  });

  it('keeps people queued, not failed, while Microsoft 365 is down and the card cannot be drawn, then sends each once', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing);
    const users = userIds(20);
    await seedJob(rig, promptJob('c1'), users);
    // The records are refused (the gateway's circuit open) for the first two virtual minutes.
    const downUntil = timing.now() + 120_000;
    const errors: unknown[] = [];
    const s = createCampaignSender(
      {
        queue: rig.work,
        leases: rig.work,
        conversations: rig.work,
        messenger: rig.messenger,
        render: () =>
          timing.now() < downUntil
            ? Promise.reject(new GraphUnavailableError(10_000))
            : renderSimple(),
        timing,
        holderId: 'me',
        onError: (e) => errors.push(e),
      },
      { idlePollMs: 20, maxTransientAttempts: 5 },
    );
    s.start();
    while (timing.now() < downUntil) await timing.sleep(5_000);
    await s.untilIdle();
    await s.stop();
    expect(errors).toEqual([]);
    expect(await rig.work.countDeliveries({ jobId: 'c1' })).toMatchObject({
      sent: 20,
      failed: 0,
      queued: 0,
      inFlight: 0,
    });
    const perUser = rig.emulator.sendsPerUser();
    expect(perUser.size).toBe(20);
    expect([...perUser.values()].every((n) => n === 1)).toBe(true);
  });

  it('retries 412 and 504 from the connector instead of dropping the recipient', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing);
    await seedJob(rig, promptJob('c1'), ['a']);
    rig.emulator.failNext(1, 412);
    const { sender: s } = sender(rig, timing);
    s.start();
    await s.untilIdle();
    expect(await rig.work.getDelivery('c1', 'a')).toMatchObject({ state: 'sent', attempts: 1 });

    await seedJob(rig, promptJob('c2'), ['b'], { storeConversations: false });
    rig.emulator.failNext(1, 504);
    await s.untilIdle();
    await s.stop();
    expect(await rig.work.getDelivery('c2', 'b')).toMatchObject({ state: 'sent', attempts: 1 });
    expect(rig.emulator.counters()).toMatchObject({ injectedFailures: 2, activitiesSent: 2 });
  });

  it('creates the conversation (installing the app) when none is stored, and keeps it', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing);
    rig.emulator.uninstallApp(['new-1']);
    await seedJob(rig, promptJob('c1'), ['new-1', 'new-2'], { storeConversations: false });
    const { sender: s } = sender(rig, timing);
    s.start();
    await s.untilIdle();
    await s.stop();
    expect(rig.emulator.counters()).toMatchObject({ conversationsCreated: 2, activitiesSent: 2 });
    // Only the person without the app needed an install (after Teams refused with 403).
    expect(s.stats()).toMatchObject({ installs: 1, conversationsCreated: 2 });
    expect((await rig.work.getConversation('new-1'))?.conversationId).toBe(
      rig.emulator.conversationIdFor('new-1'),
    );
  });

  it('waits for an install to land (403 for a while after it) and then messages the person', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing, { installDelayRequests: 4 });
    rig.emulator.uninstallApp(['new-1']);
    await seedJob(rig, promptJob('c1'), ['new-1', 'new-2'], { storeConversations: false });
    const { sender: s, errors } = sender(rig, timing);
    s.start();
    await s.untilIdle();
    await s.stop();
    expect(errors).toEqual([]);
    // Installed once; refused 403 four times after it (every attempt requeued, none failed).
    expect(s.stats()).toMatchObject({ installs: 1, installing: 2, failed: 0, sent: 2 });
    expect(rig.emulator.counters()).toMatchObject({ forbidden: 5, activitiesSent: 2 });
    expect(rig.emulator.sendsPerUser().get('new-1')).toBe(1);
    expect(await rig.work.getDelivery('c1', 'new-1')).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('installs for someone Teams answers 404 BotNotInConversationRoster, as for the 403', async () => {
    // The same code with 404 (the targeted messages page's Teams SDK table): the same decision.
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing, { notInRosterStatus: 404, installDelayRequests: 2 });
    rig.emulator.uninstallApp(['new-1']);
    await seedJob(rig, promptJob('c1'), ['new-1', 'new-2'], { storeConversations: false });
    const { sender: s, errors } = sender(rig, timing);
    s.start();
    await s.untilIdle();
    await s.stop();
    expect(errors).toEqual([]);
    expect(s.stats()).toMatchObject({ installs: 1, failed: 0, sent: 2 });
    expect(rig.emulator.counters()).toMatchObject({ notFound: 3, forbidden: 0, activitiesSent: 2 });
    expect(rig.emulator.sendsPerUser().get('new-1')).toBe(1);
  });

  for (const status of [403, 404] as const) {
    it(`a stored conversation answered ${String(status)} BotNotInConversationRoster (the app removed since) is set aside: installed again, a new chat, sent once`, async () => {
      const timing = new VirtualTiming();
      rig = await startVirtualRig(timing, { notInRosterStatus: status });
      // Their conversation is stored (storeConversations), and the app was removed since.
      await seedJob(rig, promptJob('c1'), ['gone', 'kept']);
      rig.emulator.uninstallApp(['gone']);
      const { sender: s, errors } = sender(rig, timing);
      s.start();
      await s.untilIdle();
      await s.stop();
      expect(errors).toEqual([]);
      // The send over the stored chat refused, then create refused, install, create, send.
      expect(s.stats()).toMatchObject({ installs: 1, failed: 0, sent: 2, conversationsCreated: 1 });
      expect(rig.emulator.sendsPerUser().get('gone')).toBe(1);
      // Requeued once (the refused send), then sent.
      expect(await rig.work.getDelivery('c1', 'gone')).toMatchObject({
        state: 'sent',
        attempts: 1,
      });
      expect(s.stats()).toMatchObject({ requeued: 1 });
      expect((await rig.work.getConversation('gone'))?.conversationId).toBe(
        rig.emulator.conversationIdFor('gone'),
      );
    });
  }

  it('a stored conversation of someone who blocked the bot is not reinstalled: failed at once', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing);
    await seedJob(rig, promptJob('c1'), ['blocker']);
    rig.emulator.blockUsers(['blocker']);
    const { sender: s } = sender(rig, timing);
    s.start();
    await s.untilIdle();
    await s.stop();
    expect(s.stats()).toMatchObject({ installs: 0, failed: 1, sent: 0 });
    expect((await rig.work.getDelivery('c1', 'blocker'))?.reason).toMatch(
      /^403 ConversationBlockedByUser: /,
    );
  });

  it('gives up on an install that never lands once the install wait is over', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing, { installDelayRequests: 1_000 });
    rig.emulator.uninstallApp(['new-1']);
    await seedJob(rig, promptJob('c1'), ['new-1'], { storeConversations: false });
    const started = timing.now();
    const { sender: s } = sender(rig, timing, { installWaitMs: 60_000 });
    s.start();
    await s.untilIdle();
    await s.stop();
    expect(s.stats()).toMatchObject({ installs: 1, failed: 1, sent: 0 });
    const row = await rig.work.getDelivery('c1', 'new-1');
    expect(row?.state).toBe('failed');
    expect(row?.reason).toMatch(
      /^403 BotNotInConversationRoster: .* \(app installed 60 s ago, still not reachable\)$/,
    );
    expect(timing.now() - started).toBeGreaterThanOrEqual(60_000);
  });

  it('lets only the lease holder send: two senders, each person once', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing);
    const users = userIds(120);
    await seedJob(rig, promptJob('c1'), users);
    const a = sender(rig, timing, {}, 'instance-a');
    const b = sender(rig, timing, {}, 'instance-b');
    a.sender.start();
    b.sender.start();
    await Promise.race([a.sender.untilIdle(), b.sender.untilIdle()]);
    await Promise.all([a.sender.stop(), b.sender.stop()]);
    const holders = [a.sender.stats(), b.sender.stats()].filter((st) => st.sent > 0);
    expect(holders).toHaveLength(1);
    expect(rig.emulator.counters()).toMatchObject({ activitiesSent: 120, throttled: 0 });
    expect([...rig.emulator.sendsPerUser().values()].every((n) => n === 1)).toBe(true);
  });

  it('a sender taking over mid-campaign waits out the old one’s last window: no 429 at the handover', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing);
    const users = userIds(200);
    await seedJob(rig, promptJob('c1'), users);
    const a = sender(rig, timing, {}, 'instance-a');
    a.sender.start();
    // Instance a is sending at full pace (50 a second) when it stops and hands the lease over.
    while (a.sender.stats().sent < 100) await timing.sleep(10);
    await a.sender.stop();
    const handedOver = timing.now();
    // Instance b takes it at once: it cannot know what a sent in the last second.
    const b = sender(rig, timing, {}, 'instance-b');
    b.sender.start();
    await b.sender.untilIdle();
    await b.sender.stop();
    expect([...a.errors, ...b.errors]).toEqual([]);
    expect(b.sender.stats().leaseToken).toBe(2);
    const counters = rig.emulator.counters();
    expect(counters).toMatchObject({ activitiesSent: 200, throttled: 0 });
    expect(counters.maxTenantPerSecond).toBeLessThanOrEqual(50);
    expect([...rig.emulator.sendsPerUser().values()].every((n) => n === 1)).toBe(true);
    // b's first send waited one tenant window (1 s and the pacer's margin) after the handover.
    const firstOfB = Math.min(
      ...rig.emulator
        .delivered()
        .filter((d) => d.at >= handedOver)
        .map((d) => d.at),
    );
    expect(firstOfB - handedOver).toBeGreaterThanOrEqual(1_000);
  });

  it('idles cheaply: a standby tries the lease at half its TTL, the holder sweeps only for claims of its own; a clean stop hands over', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing);
    const { work, messenger } = rig;
    const calls = { acquire: new Map<string, number>(), sweeps: 0 };
    const counted = {
      ...work,
      acquireLease: (name: string, holder: string, ttlMs: number, now: Date) => {
        calls.acquire.set(holder, (calls.acquire.get(holder) ?? 0) + 1);
        return work.acquireLease(name, holder, ttlMs, now);
      },
      requeueStale: (...args: Parameters<typeof work.requeueStale>) => {
        calls.sweeps += 1;
        return work.requeueStale(...args);
      },
    };
    const make = (holderId: string) =>
      createCampaignSender(
        {
          queue: counted,
          leases: counted,
          conversations: work,
          messenger,
          render: renderSimple,
          timing,
          holderId,
          onError: (e) => {
            throw e;
          },
        },
        { leaseTtlMs: 15_000, renewEveryMs: 5_000, idlePollMs: 1_000, staleAfterMs: 120_000 },
      );
    const holder = make('holder');
    holder.start();
    while (!holder.stats().holdsLease) await timing.sleep(10);
    const standby = make('standby');
    standby.start();
    const started = timing.now();
    // Ten quiet virtual minutes.
    while (timing.now() - started < 600_000) await timing.sleep(5_000);
    // Every 7.5 s, not every second (600 s / 7.5 s = 80).
    expect(calls.acquire.get('standby')).toBeGreaterThanOrEqual(79);
    expect(calls.acquire.get('standby')).toBeLessThanOrEqual(82);
    // The holder swept once, when it took the lease; with nothing claimed, never again.
    expect(calls.sweeps).toBe(1);
    // A clean stop releases the lease: the standby takes it at its next try, not 15 s on.
    await holder.stop();
    const stoppedAt = timing.now();
    while (!standby.stats().holdsLease) await timing.sleep(100);
    expect(timing.now() - stoppedAt).toBeLessThanOrEqual(7_600);
    await seedJob(rig, promptJob('c1'), userIds(20));
    await standby.untilIdle();
    await standby.stop();
    expect(rig.emulator.counters().activitiesSent).toBe(20);
    expect(standby.stats().leaseToken).toBe(2);
  });

  it('backs off when the store fails every turn, reporting 1st, 2nd, 4th… failures, not each one', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing);
    let calls = 0;
    const broken = new Error('database disk image is malformed');
    const queue = {
      ...rig.work,
      nextQueued: () => {
        calls += 1;
        return Promise.reject(broken);
      },
    };
    const errors: unknown[] = [];
    const s = createCampaignSender(
      {
        queue,
        leases: rig.work,
        conversations: rig.work,
        messenger: rig.messenger,
        render: renderSimple,
        timing,
        holderId: 'me',
        onError: (e) => errors.push(e),
      },
      { idlePollMs: 1_000, backoffMaxMs: 60_000 },
    );
    const started = timing.now();
    s.start();
    // Ten virtual minutes of a corrupt store.
    while (timing.now() - started < 600_000) await timing.sleep(5_000);
    await s.stop();
    // 1, 2, 4 … 32 s, then every 60 s: 6 turns in the first 63 s, then one a minute (not 600).
    expect(calls).toBeGreaterThanOrEqual(14);
    expect(calls).toBeLessThanOrEqual(16);
    // Reported at the 1st, 2nd, 4th and 8th failure only, each the store's own error.
    expect(errors.length).toBe(Math.floor(Math.log2(calls)) + 1);
    expect(errors.every((e) => e === broken)).toBe(true);
    expect(s.stats().consecutiveErrors).toBe(calls);
  });
});
