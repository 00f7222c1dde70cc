import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MembershipSnapshots } from '../../src/ports/membership-snapshots.ts';
import type { OpenStore, Opened } from './opened-store.ts';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

/** The behaviour every MembershipSnapshots adapter must have. */
export function membershipSnapshotsContract(
  name: string,
  open: OpenStore<MembershipSnapshots>,
): void {
  describe(`MembershipSnapshots contract: ${name}`, () => {
    let store: Opened<MembershipSnapshots>;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('tracks members seen: a baseline, then only the new ones', async () => {
      expect(await store.recordMembers('staff-aup/staff', ['a', 'b'], T0)).toEqual({
        baseline: true,
        added: [],
      });
      expect(await store.recordMembers('staff-aup/staff', ['a', 'b', 'c'], at(1))).toEqual({
        baseline: false,
        added: ['c'],
      });
    });
  });
}
