import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OnceMarkers } from '../../src/ports/once-markers.ts';
import type { OpenStore, Opened } from './opened-store.ts';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

/** The behaviour every OnceMarkers adapter must have. */
export function onceMarkersContract(name: string, open: OpenStore<OnceMarkers>): void {
  describe(`OnceMarkers contract: ${name}`, () => {
    let store: Opened<OnceMarkers>;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('marks things once', async () => {
      expect(await store.isMarked('digest:c1')).toBe(false);
      expect(await store.markOnce('digest:c1', T0)).toBe(true);
      expect(await store.markOnce('digest:c1', at(1))).toBe(false);
      // Checking marks nothing; keys with slashes (job ids) work too.
      expect(await store.isMarked('digest:c1')).toBe(true);
      expect(await store.isMarked('reminder:c1/x:1')).toBe(false);
      expect(await store.isMarked('reminder:c1/x:1')).toBe(false);
      expect(await store.markOnce('reminder:c1/x:1', at(2))).toBe(true);
      expect(await store.isMarked('reminder:c1/x:1')).toBe(true);
    });
  });
}
