import { openSqliteWorkStore } from '../../src/adapters/sqlite/sqlite-work-store.ts';
import { ConnectorMessenger } from '../../src/adapters/teams-connector/connector-messenger.ts';
import {
  startConnectorEmulator,
  type ConnectorEmulator,
  type ConnectorEmulatorOptions,
} from '../../src/dev/connector-emulator/connector-emulator.ts';
import type { Messenger, OutgoingActivity } from '../../src/ports/messenger.ts';
import type { DeliveryJob } from '../../src/ports/delivery-queue.ts';
import type { WorkStore } from '../../src/ports/work-store.ts';
import type { Timing } from '../../src/services/campaigns/timing.ts';

export const TENANT = 'tenant-1';

export interface Rig {
  emulator: ConnectorEmulator;
  work: WorkStore;
  messenger: Messenger;
  close(): Promise<void>;
}

/** A rig on a virtual clock: the emulator reads it, connector calls hold it still. */
export async function startVirtualRig(
  timing: VirtualTiming,
  options: ConnectorEmulatorOptions = {},
) {
  const rig = await startRig({ ...options, now: () => timing.now() });
  const inner = rig.messenger;
  const messenger: Messenger = {
    ensureInstalled: (userId) => timing.track(() => inner.ensureInstalled(userId)),
    trusts: (serviceUrl) => inner.trusts(serviceUrl),
    createConversation: (userId) => timing.track(() => inner.createConversation(userId)),
    teamsUserId: (ref) => timing.track(() => inner.teamsUserId(ref)),
    sendActivity: (ref, activity) => timing.track(() => inner.sendActivity(ref, activity)),
    updateActivity: (ref, id, activity) =>
      timing.track(() => inner.updateActivity(ref, id, activity)),
  };
  return { ...rig, messenger };
}

export async function startRig(
  options: ConnectorEmulatorOptions = {},
  work: WorkStore = openSqliteWorkStore({ path: ':memory:' }),
): Promise<Rig> {
  const emulator = await startConnectorEmulator({ tenantId: TENANT, ...options });
  const messenger = new ConnectorMessenger({
    serviceUrl: emulator.url,
    tenantId: TENANT,
    botId: 'bot-1',
    getToken: () => Promise.resolve('test-token'),
    installApp: (userId) => {
      emulator.installApp(userId);
      return Promise.resolve();
    },
  });
  return {
    emulator,
    work,
    messenger,
    close: async () => {
      await work.close();
      await emulator.close();
    },
  };
}

export function userIds(n: number, prefix = 'user'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
}

export function promptJob(id: string, overrides: Partial<DeliveryJob> = {}): DeliveryJob {
  return {
    id,
    kind: 'prompt',
    campaignId: id,
    policyKey: 'staff-aup',
    versionNumber: 2,
    status: 'running',
    createdAt: new Date().toISOString(),
    data: {},
    ...overrides,
  };
}

/** Seeds a job whose recipients all have a stored conversation (one send each). */
export async function seedJob(
  rig: Rig,
  job: DeliveryJob,
  users: string[],
  options: { storeConversations?: boolean } = {},
): Promise<void> {
  await rig.work.createJob(job);
  await rig.work.enqueue(
    job.id,
    users.map((userId) => ({ userId })),
    new Date(),
  );
  if (options.storeConversations !== false) {
    for (const userId of users) {
      await rig.work.putConversation({
        userId,
        conversationId: rig.emulator.conversationIdFor(userId),
        serviceUrl: rig.emulator.url,
        tenantId: TENANT,
        updatedAt: new Date().toISOString(),
      });
    }
  }
}

export const simpleActivity: OutgoingActivity = { type: 'message', text: 'Please sign' };
export const renderSimple = (): Promise<OutgoingActivity> => Promise.resolve(simpleActivity);

/**
 * A virtual clock: sleeping advances time instead of waiting, waking sleepers in time order.
 * Real I/O still takes real time; I/O registered with `track` holds virtual time still until it
 * completes, so a request reaches the emulator at the virtual instant it left.
 */
export class VirtualTiming implements Timing {
  #now: number;
  #busy = 0;
  #sleepers: { at: number; seq: number; resolve: () => void }[] = [];
  #seq = 0;
  #scheduled = false;

  constructor(start = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#sleepers.push({ at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve });
      this.#schedule();
    });
  }

  /** Virtual time does not move while `work` is pending. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.#busy += 1;
    try {
      return await work();
    } finally {
      this.#busy -= 1;
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Let everything runnable run first; then wake the earliest sleeper.
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#busy > 0) {
        // Wait for tracked I/O without spinning the CPU.
        setTimeout(() => this.#schedule(), 1);
        return;
      }
      this.#sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#sleepers.shift();
      if (next === undefined) return;
      this.#now = Math.max(this.#now, next.at);
      next.resolve();
      if (this.#sleepers.length > 0) this.#schedule();
    });
  }
}
