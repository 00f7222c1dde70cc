import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fence, LeaseStore } from '../../src/ports/lease-store.ts';
import type { OpenStore, Opened } from './opened-store.ts';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

/** The behaviour every LeaseStore adapter must have. */
export function leaseStoreContract(name: string, open: OpenStore<LeaseStore>): void {
  describe(`LeaseStore contract: ${name}`, () => {
    let store: Opened<LeaseStore>;
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

    it('grants a lease to one holder at a time and fences the next holder', async () => {
      expect(await store.acquireLease('sender', 'other', 10_000, at(1))).toBeNull();
      const renewed = await store.acquireLease('sender', 'me', 10_000, at(2));
      expect(renewed?.token).toBe(fence.token);
      // Expired: someone else takes it with a larger token.
      const taken = await store.acquireLease('sender', 'other', 10_000, at(20_000));
      expect(taken?.token).toBe(fence.token + 1);
      const mine = {
        name: 'sender',
        holder: 'me',
        token: fence.token,
        expiresAt: T0.toISOString(),
      };
      expect(await store.renewLease(mine, 10_000, at(20_001))).toBeNull();
      if (taken === null) throw new Error('unreachable');
      expect((await store.renewLease(taken, 10_000, at(20_002)))?.expiresAt).toBe(
        at(30_002).toISOString(),
      );
      await store.releaseLease(taken);
      const again = await store.acquireLease('sender', 'me', 10_000, at(20_003));
      expect(again?.token).toBe(fence.token + 2);
    });
  });
}
