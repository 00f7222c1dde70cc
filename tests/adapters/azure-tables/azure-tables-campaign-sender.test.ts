import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openAzureTablesWorkStore } from '../../../src/adapters/azure-tables/azure-tables-work-store.ts';
import type { WorkStore } from '../../../src/ports/work-store.ts';
import {
  createCampaignSender,
  type SenderOptions,
} from '../../../src/services/campaigns/campaign-sender.ts';
import { systemTiming } from '../../../src/services/campaigns/timing.ts';
import {
  promptJob,
  renderSimple,
  seedJob,
  startRig,
  userIds,
  type Rig,
} from '../../campaigns/fixtures.ts';
import { failOnCi } from '../../support/required-on-ci.ts';
import { startAzurite, type RunningAzurite } from '../../support/start-azurite.ts';
import { startStorageProxy } from '../../support/storage-proxy.ts';

// The campaign sender on the Azure Tables work store, two service instances sharing the
// tables, against the Bot Connector emulator: what scaling out has to get right.

let azurite: RunningAzurite | null = null;
let unavailable = '';
try {
  azurite = await startAzurite({ service: 'table' });
} catch (error) {
  unavailable = error instanceof Error ? error.message : String(error);
  failOnCi('The Azure Tables suite', `Azurite could not start (${unavailable})`);
  console.warn(`Azure Tables tests skipped: Azurite could not start (${unavailable})`);
}
afterAll(async () => {
  await azurite?.stop();
});

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const FAST: Partial<SenderOptions> = {
  idlePollMs: 20,
  leaseTtlMs: 1_000,
  renewEveryMs: 250,
  staleAfterMs: 60_000,
};

function sender(work: WorkStore, messenger: Rig['messenger'], holderId: string) {
  const errors: unknown[] = [];
  const s = createCampaignSender(
    {
      queue: work,
      leases: work,
      conversations: work,
      messenger,
      render: renderSimple,
      timing: systemTiming,
      holderId,
      onError: (e) => errors.push(e),
    },
    FAST,
  );
  return { sender: s, errors };
}

/** A store that can be made to stop answering, as the store of a process that died would. */
function freezable(store: WorkStore): { store: WorkStore; freeze(): void } {
  let frozen = false;
  const never = new Promise<never>(() => {});
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown =>
        frozen ? never : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return {
    store: proxy,
    freeze() {
      frozen = true;
    },
  };
}

if (azurite === null) {
  describe('campaign sender on Azure Tables', () => {
    it.skip(`skipped: Azurite could not start (${unavailable})`, () => {});
  });
} else {
  const { connectionString } = azurite;
  let n = 0;
  const open = (tablePrefix: string): Promise<WorkStore> =>
    openAzureTablesWorkStore({ connectionString, tablePrefix });

  describe('campaign sender on Azure Tables (Azurite)', () => {
    it('two instances: one holds the lease and sends, each person once', async () => {
      const prefix = `s${++n}p${process.pid}`;
      const storeA = await open(prefix);
      const storeB = await open(prefix);
      rig = await startRig({}, storeA);
      const users = userIds(100);
      await seedJob(rig, promptJob('c1'), users);
      const a = sender(storeA, rig.messenger, 'instance-a');
      const b = sender(storeB, rig.messenger, 'instance-b');
      a.sender.start();
      b.sender.start();
      await Promise.race([a.sender.untilIdle(), b.sender.untilIdle()]);
      await Promise.all([a.sender.stop(), b.sender.stop()]);
      expect([...a.errors, ...b.errors]).toEqual([]);
      expect([a.sender.stats(), b.sender.stats()].filter((st) => st.sent > 0)).toHaveLength(1);
      expect(rig.emulator.counters().activitiesSent).toBe(100);
      expect([...rig.emulator.sendsPerUser().values()].every((k) => k === 1)).toBe(true);
      expect(await storeB.countDeliveries({ jobId: 'c1' })).toMatchObject({
        sent: 100,
        queued: 0,
        inFlight: 0,
      });
    });

    it('storage cut off mid-campaign (the connection, not a restarted Azurite): the sender backs off, then finishes; repeats stay within what was in flight', async () => {
      // The cut is a proxy that drops every connection and refuses new ones: Azurite keeps
      // every write it accepted, as Azure Storage does (a restarted Azurite loses its last
      // seconds of writes).
      const proxy = await startStorageProxy(connectionString);
      try {
        const prefix = `s${++n}p${process.pid}`;
        const store = await openAzureTablesWorkStore({
          connectionString: proxy.connectionString,
          tablePrefix: prefix,
          clientOptions: { retryOptions: { maxRetries: 1, retryDelayInMs: 50 } },
        });
        const observer = await open(prefix);
        rig = await startRig({}, observer);
        const users = userIds(120);
        await seedJob(rig, promptJob('c1'), users);
        const errors: unknown[] = [];
        const s = createCampaignSender(
          {
            queue: store,
            leases: store,
            conversations: store,
            messenger: rig.messenger,
            render: renderSimple,
            timing: systemTiming,
            holderId: 'instance-a',
            onError: (e) => errors.push(e),
          },
          { ...FAST, staleAfterMs: 2_000, backoffMaxMs: 500 },
        );
        s.start();
        while (rig.emulator.counters().activitiesSent < 30) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        const sentAtCut = rig.emulator.counters().activitiesSent;
        const inFlightAtCut = s.stats().inProgress;
        await proxy.cut();
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const sentDuringCut = rig.emulator.counters().activitiesSent;
        await proxy.restore();
        await s.untilIdle();
        await s.stop();
        // The outage was reported (not hidden), and nobody was lost.
        expect(errors.length).toBeGreaterThan(0);
        const perUser = rig.emulator.sendsPerUser();
        expect(perUser.size).toBe(120);
        const repeats = [...perUser.values()].reduce((sum, k) => sum + k - 1, 0);
        expect(repeats).toBeLessThanOrEqual(inFlightAtCut);
        // Nothing was claimed while the store could not be reached: at most what was in flight
        // went out during the cut.
        expect(sentDuringCut - sentAtCut).toBeLessThanOrEqual(inFlightAtCut);
        expect(await observer.countDeliveries({ jobId: 'c1' })).toMatchObject({
          sent: 120,
          inFlight: 0,
          queued: 0,
        });
      } finally {
        await proxy.close();
      }
    });

    it('an instance dies mid-campaign: the other takes over; only its in-flight sends repeat', async () => {
      const prefix = `s${++n}p${process.pid}`;
      const dying = freezable(await open(prefix));
      const storeB = await open(prefix);
      rig = await startRig({}, storeB);
      const users = userIds(120);
      await seedJob(rig, promptJob('c1'), users);
      const a = sender(dying.store, rig.messenger, 'instance-a');
      a.sender.start();
      while (rig.emulator.counters().activitiesSent < 30) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      dying.freeze();
      const stuck = a.sender.stats().inProgress;
      const b = sender(storeB, rig.messenger, 'instance-b');
      b.sender.start();
      await b.sender.untilIdle();
      await b.sender.stop();
      expect(b.errors).toEqual([]);
      const perUser = rig.emulator.sendsPerUser();
      expect(perUser.size).toBe(120);
      const repeats = [...perUser.values()].reduce((sum, k) => sum + k - 1, 0);
      expect(repeats).toBeLessThanOrEqual(stuck);
      expect(b.sender.stats().leaseToken).toBe(2);
      expect(await storeB.countDeliveries({ jobId: 'c1' })).toMatchObject({
        sent: 120,
        inFlight: 0,
      });
    });
  });
}
