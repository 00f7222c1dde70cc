import { RestError, TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { afterAll, describe, expect, it } from 'vitest';
import { openAzureTablesWorkStore } from '../../../src/adapters/azure-tables/azure-tables-work-store.ts';
import { CONTROL_LANES } from '../../../src/adapters/azure-tables/table-keys.ts';
import type { DeliveryJob } from '../../../src/ports/delivery-queue.ts';
import type { Fence } from '../../../src/ports/lease-store.ts';
import type { WorkStore } from '../../../src/ports/work-store.ts';
import { workStoreContracts } from '../../contract/work-store.contract.ts';
import { failOnCi } from '../../support/required-on-ci.ts';
import { startAzurite, type RunningAzurite } from '../../support/start-azurite.ts';

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

type Policy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];

const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const job = (id: string, overrides: Partial<DeliveryJob> = {}): DeliveryJob => ({
  id,
  kind: 'prompt',
  campaignId: 'c1',
  policyKey: 'staff-aup',
  versionNumber: 2,
  status: 'running',
  createdAt: T0.toISOString(),
  data: {},
  ...overrides,
});
const users = (count: number, from = 0): Array<{ userId: string }> =>
  Array.from({ length: count }, (_, i) => ({ userId: `u${String(from + i).padStart(4, '0')}` }));

if (azurite === null) {
  describe('AzureTablesWorkStore', () => {
    it.skip(`skipped: Azurite could not start (${unavailable})`, () => {});
  });
} else {
  const { connectionString } = azurite;
  let n = 0;
  // Each store gets its own tables, as each SQLite test gets a fresh file.
  const freshPrefix = (): string => `t${++n}p${process.pid}`;
  /** Two stores on the same tables stand for two instances of the service. */
  const open = (
    tablePrefix: string,
    clientOptions: TableServiceClientOptions = {},
  ): Promise<WorkStore> =>
    openAzureTablesWorkStore({ connectionString, tablePrefix, clientOptions });

  workStoreContracts('Azure Tables (Azurite)', () => open(freshPrefix()));

  describe('AzureTablesWorkStore on Azurite', () => {
    const pair = async (): Promise<[WorkStore, WorkStore, Fence, string]> => {
      const prefix = freshPrefix();
      const a = await open(prefix);
      const b = await open(prefix);
      const grant = await a.acquireLease('sender', 'a', 60_000, T0);
      if (grant === null) throw new Error('a fresh store grants the lease');
      return [a, b, { lease: 'sender', token: grant.token }, prefix];
    };

    it('lets exactly one of two instances claim each row', async () => {
      const [a, b, fence] = await pair();
      await a.createJob(job('c1'));
      expect(await a.enqueue('c1', users(40), T0)).toBe(40);
      const rows = await a.nextQueued({ now: T0, limit: 100 });
      expect(rows).toHaveLength(40);
      const claims = await Promise.all(
        rows.flatMap((row) => [
          a.markInFlight(row.jobId, row.userId, fence, at(1)),
          b.markInFlight(row.jobId, row.userId, fence, at(1)),
        ]),
      );
      expect(claims.filter(Boolean)).toHaveLength(40);
      for (let i = 0; i < claims.length; i += 2) expect(claims[i] !== claims[i + 1]).toBe(true);
      expect(await b.countDeliveries({ jobId: 'c1' })).toMatchObject({ inFlight: 40, queued: 0 });
      expect(await a.nextQueued({ now: at(2), limit: 100 })).toEqual([]);
    });

    it('grants an expired lease to exactly one of several instances', async () => {
      const [a, b, , prefix] = await pair();
      const c = await open(prefix);
      const grants = await Promise.all(
        [a, b, c, b, c].map((store, i) => store.acquireLease('sender', `h${i}`, 1_000, at(60_000))),
      );
      const won = grants.filter((g) => g !== null);
      expect(won).toHaveLength(1);
      expect(won[0]?.token).toBe(2);
    });

    it('enqueues many recipients in batches, once, even from two instances at once', async () => {
      const [a, b] = await pair();
      await a.createJob(job('c1'));
      const everyone = users(260);
      const [fromA, fromB] = await Promise.all([
        a.enqueue('c1', everyone, T0),
        b.enqueue('c1', everyone.slice(30), T0),
      ]);
      expect(fromA + fromB).toBe(260);
      expect(await a.enqueue('c1', users(270), at(1))).toBe(10);
      expect(await b.countDeliveries({ campaignId: 'c1' })).toMatchObject({
        queued: 270,
        total: 270,
      });
      // Oldest first: the ten enqueued a millisecond later come last.
      const due = await a.nextQueued({ now: at(1), limit: 300 });
      expect(due.slice(-10).map((d) => d.userId)).toEqual(users(10, 260).map((u) => u.userId));
      const page = await a.listDeliveries({ jobId: 'c1', after: 'u0099', limit: 3 });
      expect(page.map((d) => d.userId)).toEqual(['u0100', 'u0101', 'u0102']);
    });

    it('honours a pause made by another instance, though it has claimed in that job before', async () => {
      const [a, b, fence] = await pair();
      await a.createJob(job('c1'));
      await a.enqueue('c1', users(3), T0);
      expect(await a.markInFlight('c1', 'u0000', fence, at(1))).toBe(true);
      expect(await b.setCampaignStatus('c1', 'paused', at(2))).toBe(1);
      expect(await a.markInFlight('c1', 'u0001', fence, at(3))).toBe(false);
      await b.setCampaignStatus('c1', 'running', at(4));
      expect(await a.markInFlight('c1', 'u0001', fence, at(5))).toBe(true);
    });

    it('refuses a claim that an older sender sends after a newer one took over and swept', async () => {
      // The old sender passes the lease check, then stalls; meanwhile the lease expires, a new
      // sender takes it and sweeps. The old claim then reaches the store: the job's control row
      // has changed under it, so it fails, and the retry sees the lease has moved on.
      let takeOver: (() => Promise<void>) | null = null;
      const stallBeforeBatch: Policy = {
        name: 'stall-before-batch',
        async sendRequest(request, next) {
          const hook = takeOver;
          if (hook !== null && request.method === 'POST' && request.url.includes('$batch')) {
            takeOver = null;
            await hook();
          }
          return next(request);
        },
      };
      const prefix = freshPrefix();
      const fresh = await open(prefix);
      const old = await open(prefix, {
        additionalPolicies: [{ policy: stallBeforeBatch, position: 'perCall' }],
      });
      await fresh.createJob(job('c1'));
      await fresh.enqueue('c1', users(1), T0);
      const oldGrant = await old.acquireLease('sender', 'old', 1_000, T0);
      if (oldGrant === null) throw new Error('a fresh store grants the lease');
      let newFence: Fence | null = null;
      takeOver = async () => {
        const grant = await fresh.acquireLease('sender', 'new', 60_000, at(5_000));
        if (grant === null) throw new Error('the old lease had expired');
        newFence = { lease: 'sender', token: grant.token };
        await fresh.requeueStale(newFence, at(5_000), at(5_000));
      };
      const oldFence = { lease: 'sender', token: oldGrant.token };
      expect(await old.markInFlight('c1', 'u0000', oldFence, at(900))).toBe(false);
      expect(takeOver).toBeNull();
      expect(await fresh.getDelivery('c1', 'u0000')).toMatchObject({ state: 'queued' });
      if (newFence === null) throw new Error('the new sender took over');
      expect(await fresh.markInFlight('c1', 'u0000', newFence, at(5_001))).toBe(true);
    });

    it('keeps ids that Table storage refuses in keys', async () => {
      const [a, , fence] = await pair();
      const id = 'c1/reminder-1 #2?\\%';
      await a.createJob(job(id, { kind: 'reminder' }));
      expect(await a.enqueue(id, [{ userId: 'x/y#z' }, { userId: '50%' }], T0)).toBe(2);
      expect((await a.getJob(id))?.id).toBe(id);
      expect(await a.markInFlight(id, 'x/y#z', fence, at(1))).toBe(true);
      expect(await a.markSent(id, 'x/y#z', fence, at(2), 'act')).toBe(true);
      expect(await a.getDelivery(id, 'x/y#z')).toMatchObject({ state: 'sent', activityId: 'act' });
      expect((await a.nextQueued({ now: at(3), limit: 5 })).map((d) => d.userId)).toEqual(['50%']);
      expect(await a.markOnce('digest/c1#1', T0)).toBe(true);
      expect(await a.markOnce('digest/c1#1', T0)).toBe(false);
    });

    it('recognises its own writes when an answer was lost and the SDK retried', async () => {
      // Drops the answer of the next POST (a create or a transaction) after it has landed.
      let armed = false;
      let dropped = 0;
      const dropAnswer: Policy = {
        name: 'drop-an-answer',
        async sendRequest(request, next) {
          const response = await next(request);
          if (armed && request.method === 'POST' && response.status < 300) {
            armed = false;
            dropped += 1;
            throw new RestError('socket hang up', { code: 'ECONNRESET', request });
          }
          return response;
        },
      };
      const prefix = freshPrefix();
      const plain = await open(prefix);
      const flaky = await open(prefix, {
        additionalPolicies: [{ policy: dropAnswer, position: 'perRetry' }],
        retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 },
      });
      const lost = async <T>(write: () => Promise<T>): Promise<T> => {
        armed = true;
        const before = dropped;
        const result = await write();
        expect(dropped).toBe(before + 1);
        return result;
      };
      await plain.createJob(job('c0'));
      expect(await lost(() => flaky.createJob(job('c1')))).toBe(true);
      expect(await lost(() => flaky.enqueue('c1', users(60), T0))).toBe(60);
      expect(await plain.countDeliveries({ jobId: 'c1' })).toMatchObject({ queued: 60 });
      expect(await lost(() => flaky.markOnce('digest:c1', T0))).toBe(true);
      expect(await lost(() => flaky.recordMembers('scope', ['a'], T0))).toMatchObject({
        baseline: true,
      });
      expect(await lost(() => flaky.recordMembers('scope', ['a', 'b'], at(1)))).toEqual({
        baseline: false,
        added: ['b'],
      });
      const grant = await plain.acquireLease('sender', 'me', 60_000, T0);
      if (grant === null) throw new Error('a fresh store grants the lease');
      const fence = { lease: 'sender', token: grant.token };
      expect(await lost(() => flaky.markInFlight('c1', 'u0000', fence, at(1)))).toBe(true);
      expect(await lost(() => flaky.markSent('c1', 'u0000', fence, at(2), 'act'))).toBe(true);
      expect(await plain.getDelivery('c1', 'u0000')).toMatchObject({ state: 'sent' });
    });

    /** A store on fresh tables whose storage requests are counted. */
    const counted = async (prefix = freshPrefix()) => {
      const count = { requests: 0 };
      const counter: Policy = {
        name: 'count-requests',
        sendRequest(request, next) {
          count.requests += 1;
          return next(request);
        },
      };
      const store = await open(prefix, {
        additionalPolicies: [{ policy: counter, position: 'perCall' }],
      });
      return { store, count, prefix };
    };

    it('reads the next queued rows of a job with one query on its partition', async () => {
      const { store, count } = await counted();
      await store.createJob(job('c1'));
      count.requests = 0;
      await store.enqueue('c1', users(500), T0);
      // A control-row read, a scan for existing rows, ten transactions of fifty recipients,
      // the job entity touched (other instances' senders see new rows by it) and read again (a
      // finished job given rows runs again).
      expect(count.requests).toBeLessThanOrEqual(14);
      count.requests = 0;
      expect(await store.nextQueued({ now: T0, limit: 50 })).toHaveLength(50);
      // The running jobs, then one range query on the job's partition.
      expect(count.requests).toBe(2);
      count.requests = 0;
      expect(await store.nextQueued({ now: at(500), limit: 50 })).toHaveLength(50);
      // The job list is reused for 2 s: only the queue.
      expect(count.requests).toBe(1);
    });

    it('claims and settles a row it read from the queue with one request each, fenced by its own grant', async () => {
      const { store, count, prefix } = await counted();
      const other = await open(prefix);
      await store.createJob(job('c1'));
      await store.enqueue('c1', users(11), T0);
      const grant = await store.acquireLease('sender', 'me', 15_000, T0);
      if (grant === null) throw new Error('a fresh store grants the lease');
      const fence = { lease: 'sender', token: grant.token };
      const rows = await store.nextQueued({ now: at(1), limit: 20 });
      const [first, second, third] = rows.slice(CONTROL_LANES);
      if (first === undefined || second === undefined || third === undefined) {
        throw new Error('eleven rows are due');
      }
      // The first claim on each of a job's control lanes also reads that lane; later ones
      // know it.
      for (const row of rows.slice(0, CONTROL_LANES)) {
        expect(await store.markInFlight('c1', row.userId, fence, at(2))).toBe(true);
      }
      count.requests = 0;
      expect(await store.markInFlight('c1', first.userId, fence, at(2))).toBe(true);
      expect(count.requests).toBe(1);
      count.requests = 0;
      expect(await store.markSent('c1', first.userId, fence, at(3), 'act-1')).toBe(true);
      expect(count.requests).toBe(1);
      expect(await other.getDelivery('c1', first.userId)).toMatchObject({
        state: 'sent',
        activityId: 'act-1',
      });
      // Renewing writes under the etag it knows: one request.
      count.requests = 0;
      const renewed = await store.renewLease(grant, 15_000, at(5_000));
      expect(renewed?.token).toBe(grant.token);
      expect(count.requests).toBe(1);
      // Another instance changed the row behind the cached queue entry: the claim notices.
      expect(await other.markInFlight('c1', second.userId, fence, at(5_001))).toBe(true);
      expect(await store.markInFlight('c1', second.userId, fence, at(5_002))).toBe(false);
      // Past two thirds of its grant the store reads the lease again; a lease taken by
      // another holder refuses the old token.
      const taken = await other.acquireLease('sender', 'other', 15_000, at(20_001));
      expect(taken?.token).toBe(grant.token + 1);
      expect(await store.markInFlight('c1', third.userId, fence, at(20_002))).toBe(false);
      expect(await other.getDelivery('c1', third.userId)).toMatchObject({ state: 'queued' });
    });

    it('releases a lease with one request, so another instance takes it at once', async () => {
      const { store, count, prefix } = await counted();
      const other = await open(prefix);
      const grant = await store.acquireLease('sender', 'me', 15_000, T0);
      if (grant === null) throw new Error('a fresh store grants the lease');
      expect(await other.acquireLease('sender', 'other', 15_000, at(1))).toBeNull();
      count.requests = 0;
      await store.releaseLease(grant);
      expect(count.requests).toBe(1);
      expect((await other.acquireLease('sender', 'other', 15_000, at(2)))?.token).toBe(
        grant.token + 1,
      );
    });

    it('leaves jobs with nothing due unread until their entity changes, and sees another instance enqueue', async () => {
      const { store: sender, count, prefix } = await counted();
      const api = await open(prefix);
      for (const id of ['old-1', 'old-2', 'old-3']) await api.createJob(job(id));
      expect(await sender.nextQueued({ now: T0, limit: 10 })).toEqual([]);
      count.requests = 0;
      expect(await sender.nextQueued({ now: at(1_000), limit: 10 })).toEqual([]);
      // Within 2 s of the last listing: nothing read at all.
      expect(count.requests).toBe(0);
      expect(await sender.nextQueued({ now: at(60_000), limit: 10 })).toEqual([]);
      // A minute on: the running jobs listed again, none of the three queues read again.
      expect(count.requests).toBe(1);
      await api.enqueue('old-2', users(2), at(60_000));
      expect(await sender.nextQueued({ now: at(61_000), limit: 10 })).toEqual([]);
      // At the next listing the other instance's rows turn up (its enqueue touched the job).
      expect(
        (await sender.nextQueued({ now: at(62_000), limit: 10 })).map((d) => d.userId),
      ).toEqual(['u0000', 'u0001']);
      // A pause and a resume by another instance are seen at the next listing too.
      await api.setCampaignStatus('c1', 'paused', at(62_001));
      expect(await sender.nextQueued({ now: at(64_001), limit: 10 })).toEqual([]);
      await api.setCampaignStatus('c1', 'running', at(64_002));
      expect(await sender.nextQueued({ now: at(66_002), limit: 10 })).toHaveLength(2);
      // This instance's own writes are seen at once, and so is a row due again after a 429.
      await sender.enqueue('old-1', users(1, 7), at(66_003));
      expect(await sender.nextQueued({ now: at(66_003), limit: 10 })).toHaveLength(3);
      const grant = await sender.acquireLease('sender', 'me', 60_000, at(66_003));
      if (grant === null) throw new Error('a fresh store grants the lease');
      const fence = { lease: 'sender', token: grant.token };
      await sender.markInFlight('old-1', 'u0007', fence, at(66_004));
      await sender.requeue('old-1', 'u0007', fence, at(66_500), at(66_005), '429');
      await sender.markInFlight('old-2', 'u0000', fence, at(66_006));
      await sender.markInFlight('old-2', 'u0001', fence, at(66_006));
      expect(await sender.nextQueued({ now: at(66_100), limit: 10 })).toEqual([]);
      expect(
        (await sender.nextQueued({ now: at(66_500), limit: 10 })).map((d) => d.userId),
      ).toEqual(['u0007']);
    });

    it('claims in a job made before control lanes through its one control row', async () => {
      const [a, b, fence, prefix] = await pair();
      await a.createJob(job('c1'));
      // What a job made before lanes has: `ctl` only.
      const deliveries = TableClient.fromConnectionString(connectionString, `${prefix}Deliveries`, {
        allowInsecureConnection: true,
      });
      for (let lane = 1; lane < CONTROL_LANES; lane++) {
        await deliveries.deleteEntity('c1', `ctl|${lane}`);
      }
      await a.enqueue('c1', users(4), T0);
      expect(await a.nextQueued({ now: at(1), limit: 10 })).toHaveLength(4);
      const claims = await Promise.all(
        users(3).map((u) => a.markInFlight('c1', u.userId, fence, at(2))),
      );
      expect(claims).toEqual([true, true, true]);
      expect(await a.markSent('c1', 'u0000', fence, at(3))).toBe(true);
      await b.setCampaignStatus('c1', 'paused', at(4));
      expect(await a.markInFlight('c1', 'u0003', fence, at(5))).toBe(false);
      expect(await b.countDeliveries({ jobId: 'c1' })).toMatchObject({
        sent: 1,
        inFlight: 2,
        queued: 1,
      });
    });

    it('records members seen: a baseline, then only the new ones', async () => {
      const store = await open(freshPrefix());
      const many = users(150).map((u) => u.userId);
      expect(await store.recordMembers('staff-aup/staff', many, T0)).toEqual({
        baseline: true,
        added: [],
      });
      const next = await store.recordMembers('staff-aup/staff', [...many, 'new-1', 'new-2'], at(1));
      expect(next).toEqual({ baseline: false, added: ['new-1', 'new-2'] });
    });
  });
}
