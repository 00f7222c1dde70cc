import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordStore } from '../../src/ports/record-store.ts';
import type { WorkStore } from '../../src/ports/work-store.ts';
import { createCampaignService } from '../../src/services/campaigns/campaign-service.ts';
import { placeholderCards } from '../../src/services/campaigns/placeholder-cards.ts';
import { schoolScopedRecords } from '../../src/services/school-scoped-records.ts';
import { runScheduledWork } from '../../src/services/campaigns/scheduled-work.ts';
import { startVirtualRig, VirtualTiming, type Rig } from './fixtures.ts';
import { admin, publishVersion, school, sign, world } from './world.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function setup(options: { recordBodies?: boolean } = {}) {
  const timing = new VirtualTiming();
  rig = await startVirtualRig(timing, options);
  const w = await world(10);
  let now = new Date('2026-03-04T10:00:00Z');
  const clock = { now: () => new Date(now) };
  const v1 = await publishVersion(w.records, 1, '2025-09-01T07:00:00.000Z');
  const deps = {
    records: w.records,
    directory: w.directory,
    work: rig.work,
    messenger: rig.messenger,
    cards: placeholderCards,
    school,
    clock,
    timing,
    newId: randomUUID,
    sender: { idlePollMs: 50 },
    onError: (error: unknown) => console.error('campaign runtime:', error),
  };
  const service = createCampaignService({ ...deps, holderId: 'a' });
  const scheduled = (
    holderId: string,
    stores: { records?: RecordStore; work?: WorkStore } = {},
    approvalsNotReached?: () => Promise<number>,
  ) => {
    const work = stores.work ?? (rig as Rig).work;
    return runScheduledWork(
      {
        records: stores.records ?? w.records,
        directory: w.directory,
        queue: work,
        leases: work,
        markers: work,
        snapshots: work,
        school,
        holderId,
        ...(approvalsNotReached === undefined ? {} : { approvalsNotReached }),
      },
      new Date(now),
    );
  };
  const sendAll = async () => {
    service.startSender();
    await service.sender.untilIdle();
    await service.stop();
  };
  return {
    ...w,
    v1,
    rig,
    service,
    scheduled,
    sendAll,
    setNow: (iso: string) => {
      now = new Date(iso);
    },
  };
}

/** `target` with `method` failing `times` times (a Graph or storage outage at that step). */
function failing<T extends object>(target: T, method: keyof T, times = 1): T {
  let left = times;
  return new Proxy(target, {
    get(inner, property, receiver) {
      const value: unknown = Reflect.get(inner, property, receiver);
      if (typeof value !== 'function') return value;
      const bound = (value as (...a: unknown[]) => unknown).bind(inner);
      if (property !== method) return bound;
      return (...args: unknown[]) => {
        if (left <= 0) return bound(...args);
        left -= 1;
        return Promise.reject(new Error(`${String(method)} unavailable`));
      };
    },
  });
}

describe('runScheduledWork', () => {
  it('reminds on plan, in working hours, those not signed; one digest after the deadline', async () => {
    const s = await setup();
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: '2026-03-25T17:00:00.000Z',
    });
    await s.sendAll();
    expect(s.rig.emulator.counters().activitiesSent).toBe(12);
    await sign(s.records, s.v1, 's-00001', '2026-03-05T09:00:00.000Z');
    await sign(s.records, s.v1, 's-00002', '2026-03-05T09:00:00.000Z');

    // Friday: no reminder due yet (the first is on Saturday → Monday 08:00).
    s.setNow('2026-03-06T10:00:00Z');
    expect((await s.scheduled('a')).reminders).toEqual([]);
    // Saturday evening: out of hours.
    s.setNow('2026-03-07T19:00:00Z');
    expect((await s.scheduled('a')).reminders).toEqual([]);
    // Monday 08:30: round 1 to the 10 who have not signed; a second run (or instance) adds none.
    s.setNow('2026-03-09T08:30:00Z');
    const [first, second] = await Promise.all([s.scheduled('a'), s.scheduled('b')]);
    expect([first.ran, second.ran].sort()).toEqual([false, true]);
    expect((first.ran ? first : second).reminders).toEqual([
      { campaignId: campaign.id, round: 1, recipients: 10 },
    ]);
    expect((await s.scheduled('b')).reminders).toEqual([]);
    await s.sendAll();
    const perUser = s.rig.emulator.sendsPerUser();
    expect(perUser.get('s-00003')).toBe(2);
    expect(perUser.get('s-00001')).toBe(1);

    // After the deadline: one digest to the admin and the headteacher, then never again.
    s.setNow('2026-03-26T10:00:00Z');
    const after = await s.scheduled('a');
    expect(after.digests).toEqual([{ campaignId: campaign.id, recipients: 2 }]);
    expect(after.reminders).toEqual([]);
    expect((await s.scheduled('b')).digests).toEqual([]);
    s.setNow('2026-03-27T10:00:00Z');
    expect((await s.scheduled('a')).digests).toEqual([]);
    await s.sendAll();
    const record = await s.service.get(admin, campaign.id);
    expect(record.campaign.status).toBe('completed');
    expect(record.campaign.counts).toMatchObject({ sent: 12, signed: 2 });
    const digests = s.rig.emulator
      .delivered()
      .filter((d) => d.userId === 'u-head' || d.userId === 'u-dsl');
    // The DSL is staff too: prompt, reminder and digest; the head only the digest.
    expect(digests.map((d) => d.userId).sort()).toEqual(['u-dsl', 'u-dsl', 'u-dsl', 'u-head']);
  });

  it('the digest says how many approvals reached no approver, and where to resend them', async () => {
    const s = await setup({ recordBodies: true });
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: '2026-03-25T17:00:00.000Z',
    });
    await s.sendAll();
    s.setNow('2026-03-26T10:00:00Z');
    let asked = 0;
    const after = await s.scheduled('a', {}, () => {
      asked += 1;
      return Promise.resolve(2);
    });
    expect(after.digests).toEqual([{ campaignId: campaign.id, recipients: 2 }]);
    expect(asked).toBe(1);
    const job = await s.rig.work.getJob(`${campaign.id}/digest`);
    expect(job?.data).toMatchObject({ digest: { approvalsNotReached: 2 } });
    await s.sendAll();
    const toHead = s.rig.emulator.delivered().filter((d) => d.userId === 'u-head');
    expect(toHead).toHaveLength(1);
    expect(JSON.stringify(toHead[0]?.activity)).toContain('Approvals not reached: 2.');
  });

  it('a digest with every approval reached says nothing of approvals', async () => {
    const s = await setup();
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: '2026-03-25T17:00:00.000Z',
    });
    s.setNow('2026-03-26T10:00:00Z');
    await s.scheduled('a', {}, () => Promise.resolve(0));
    const job = await s.rig.work.getJob(`${campaign.id}/digest`);
    expect(job?.data).toHaveProperty('digest');
    expect(job?.data).not.toHaveProperty('digest.approvalsNotReached');
  });

  it('keeps the running list to the work in hand: jobs finish once done, a campaign after its digest', async () => {
    const s = await setup();
    const running = async () =>
      (await s.rig.work.listJobs({ status: 'running' })).map((job) => job.id).sort();
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: '2026-03-25T17:00:00.000Z',
    });
    await s.sendAll();
    // Every prompt sent, but the campaign still has its reminders and digest to come.
    s.setNow('2026-03-06T10:00:00Z');
    expect((await s.scheduled('a')).finished).toEqual([]);
    expect(await running()).toEqual([campaign.id]);

    s.setNow('2026-03-09T08:30:00Z');
    const round = await s.scheduled('a');
    expect(round.reminders).toEqual([{ campaignId: campaign.id, round: 1, recipients: 12 }]);
    // Its rows are queued: not finished yet.
    expect(round.finished).toEqual([]);
    await s.sendAll();
    s.setNow('2026-03-09T09:30:00Z');
    expect((await s.scheduled('a')).finished).toEqual([`${campaign.id}/reminder-1`]);
    expect(await running()).toEqual([campaign.id]);

    // After the deadline: the digest goes out and the campaign's prompt job finishes; the digest
    // job once it is sent. Nothing is left running, and the records stay.
    s.setNow('2026-03-26T10:00:00Z');
    const after = await s.scheduled('a');
    expect(after.digests).toEqual([{ campaignId: campaign.id, recipients: 2 }]);
    expect(after.finished).toEqual([campaign.id]);
    await s.sendAll();
    s.setNow('2026-03-26T11:00:00Z');
    expect((await s.scheduled('a')).finished).toHaveLength(1);
    expect(await running()).toEqual([]);
    expect(await s.rig.work.countDeliveries({ campaignId: campaign.id })).toMatchObject({
      sent: 26,
      queued: 0,
    });
    expect((await s.service.get(admin, campaign.id)).campaign.status).toBe('completed');
    // A run with nothing running reads no job's rows and finishes nothing.
    s.setNow('2026-03-27T10:00:00Z');
    expect((await s.scheduled('a')).finished).toEqual([]);
  });

  it("in a trust, each school's scheduled work digests its own campaigns only, with one policy listing a run", async () => {
    const s = await setup();
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: '2026-03-25T17:00:00.000Z',
    });
    await s.sendAll();
    // Two schools of one trust over the one work store, each with its own view of the records.
    const trustSchool = (id: string) => {
      const policyReads = { getPolicy: 0, listPolicies: 0 };
      const records = schoolScopedRecords(s.records, () => id);
      const counted = new Proxy(records, {
        get(target, property, receiver) {
          if (property === 'getPolicy' || property === 'listPolicies') policyReads[property] += 1;
          return Reflect.get(target, property, receiver) as unknown;
        },
      });
      const service = createCampaignService({
        records: counted,
        directory: s.directory,
        work: s.rig.work,
        messenger: s.rig.messenger,
        cards: placeholderCards,
        school: { ...school, id },
        clock: { now: () => new Date('2026-03-26T10:00:00Z') },
        newId: randomUUID,
        holderId: 'a',
        trust: { role: { kind: 'scheduled-only' }, lease: `campaign-scheduler:${id}` },
        onError: (error: unknown) => console.error('campaign runtime:', error),
      });
      return { service, policyReads };
    };
    const other = trustSchool('riverside');
    const own = trustSchool(school.id);
    const othersRun = await other.service.runScheduled();
    expect(othersRun.digests).toEqual([]);
    // Its view lists no policy of Oakfield's: one listing for the running jobs, one for the
    // new starters' step, no policy read a job.
    expect(other.policyReads).toEqual({ getPolicy: 0, listPolicies: 2 });
    expect((await own.service.runScheduled()).digests).toEqual([
      { campaignId: campaign.id, recipients: 2 },
    ]);
  });

  it('prompts new starters once, without a campaign, and not those a campaign reached', async () => {
    const s = await setup();
    const join = (id: string) => {
      s.directory.addPerson({
        id,
        displayName: `New ${id}`,
        userPrincipalName: `${id}@oakfield.example`,
      });
      s.directory.addMembers('g-staff-core', [id]);
    };
    s.setNow('2026-03-06T10:00:00Z');
    // First run: the baseline (existing staff are a campaign's business).
    expect((await s.scheduled('a')).newStarters).toEqual([]);
    // Someone joins, and a campaign launched meanwhile already prompts them: no second prompt.
    join('new-1');
    await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: '2026-03-25T17:00:00.000Z',
    });
    s.setNow('2026-03-06T11:00:00Z');
    expect((await s.scheduled('a')).newStarters).toEqual([]);
    // Someone joins later: prompted once.
    join('new-2');
    s.setNow('2026-03-06T12:00:00Z');
    expect((await s.scheduled('a')).newStarters).toEqual([
      { policyKey: 'staff-aup', recipients: 1 },
    ]);
    expect((await s.scheduled('a')).newStarters).toEqual([]);
    await s.sendAll();
    const perUser = s.rig.emulator.sendsPerUser();
    expect(perUser.get('new-1')).toBe(1);
    expect(perUser.get('new-2')).toBe(1);
  });

  it('prompts renewals once per renewal date', async () => {
    const s = await setup();
    // Signed last year: the fixed-date renewal (1 September) has come round.
    await sign(s.records, s.v1, 's-00004', '2025-09-10T09:00:00.000Z');
    s.setNow('2026-09-07T09:00:00Z');
    const first = await s.scheduled('a');
    expect(first.renewals).toEqual([
      { policyKey: 'staff-aup', jobId: 'renewal/staff-aup/v1/2026-09-01', recipients: 1 },
    ]);
    expect((await s.scheduled('a')).renewals).toEqual([]);
  });

  it('a digest whose reads fail after the deadline goes out on the next run; the campaign completes', async () => {
    const s = await setup();
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: '2026-03-25T17:00:00.000Z',
    });
    await s.sendAll();
    s.setNow('2026-03-26T10:00:00Z');
    const down = failing(s.records, 'listVersions');
    await expect(s.scheduled('a', { records: down })).rejects.toThrow('listVersions unavailable');
    expect((await s.service.get(admin, campaign.id)).campaign.status).toBe('running');

    s.setNow('2026-03-26T10:05:00Z');
    expect((await s.scheduled('a', { records: down })).digests).toEqual([
      { campaignId: campaign.id, recipients: 2 },
    ]);
    expect((await s.service.get(admin, campaign.id)).campaign.status).toBe('completed');
    expect((await s.scheduled('a')).digests).toEqual([]);
    await s.sendAll();
    const head = s.rig.emulator.delivered().filter((d) => d.userId === 'u-head');
    expect(head).toHaveLength(1);
  });

  it('a digest queued but not yet recorded as completed completes on the next run, sent once', async () => {
    const s = await setup();
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: '2026-03-25T17:00:00.000Z',
    });
    s.setNow('2026-03-26T10:00:00Z');
    const down = failing(s.records, 'updateCampaign');
    await expect(s.scheduled('a', { records: down })).rejects.toThrow('updateCampaign unavailable');
    // The rows are queued; the retry adds nobody and completes the record.
    expect((await s.scheduled('a', { records: down })).digests).toEqual([
      { campaignId: campaign.id, recipients: 0 },
    ]);
    expect((await s.service.get(admin, campaign.id)).campaign.status).toBe('completed');
    await s.sendAll();
    expect(s.rig.emulator.delivered().filter((d) => d.userId === 'u-head')).toHaveLength(1);
  });

  it('a reminder round that fails part-way is sent on the next run, to each person once', async () => {
    const s = await setup();
    const campaign = await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: '2026-03-25T17:00:00.000Z',
    });
    await s.sendAll();
    s.setNow('2026-03-09T08:30:00Z');
    // The Graph read of signatures fails, then the enqueue after the job was created.
    const readsDown = failing(s.records, 'listAcknowledgements');
    await expect(s.scheduled('a', { records: readsDown })).rejects.toThrow(
      'listAcknowledgements unavailable',
    );
    const queueDown = failing(s.rig.work, 'enqueue');
    await expect(s.scheduled('a', { work: queueDown })).rejects.toThrow('enqueue unavailable');
    s.setNow('2026-03-09T08:35:00Z');
    expect((await s.scheduled('a')).reminders).toEqual([
      { campaignId: campaign.id, round: 1, recipients: 12 },
    ]);
    expect((await s.scheduled('a')).reminders).toEqual([]);
    await s.sendAll();
    expect([...s.rig.emulator.sendsPerUser().values()].every((n) => n === 2)).toBe(true);
  });

  it("one campaign's failing step does not hold up the others, and is reported", async () => {
    const s = await setup();
    await sign(s.records, s.v1, 's-00004', '2025-09-10T09:00:00.000Z');
    s.setNow('2026-09-01T09:00:00Z');
    await s.service.launch(admin, {
      policyKey: 'staff-aup',
      versionNumber: 1,
      deadline: '2026-09-04T17:00:00.000Z',
    });
    // After the deadline the digest needs the policy, and SharePoint keeps failing.
    s.setNow('2026-09-07T09:00:00Z');
    const down = failing(s.records, 'getPolicy', 100);
    await expect(s.scheduled('a', { records: down })).rejects.toThrow('getPolicy unavailable');
    // The renewals after it still ran.
    expect(await s.rig.work.getJob('renewal/staff-aup/v1/2026-09-01')).not.toBeNull();
  });
});
