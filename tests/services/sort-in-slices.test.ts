import { describe, expect, it } from 'vitest';
import { sortInSlices } from '../../src/services/sort-in-slices.ts';

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('sortInSlices', () => {
  it('orders as Array.prototype.sort does, equal keys in their first order (stable)', async () => {
    // 2,503 items in runs of 100: 26 runs, an odd one out at every merge pass.
    const items = Array.from({ length: 2_503 }, (_, i) => ({ key: (i * 7919) % 97, at: i }));
    const compare = (a: { key: number }, b: { key: number }) => a.key - b.key;
    const sorted = await sortInSlices(items, compare, immediate, 100);
    expect(sorted).toEqual([...items].sort(compare));
    expect(sorted).toHaveLength(items.length);
    // The input is left as it was.
    expect(items[1]).toEqual({ key: 62, at: 1 });
  });

  it('gives the event loop back between runs and while merging', async () => {
    let yields = 0;
    const counting = () => {
      yields += 1;
      return immediate();
    };
    const names = Array.from({ length: 1_000 }, (_, i) => `Person ${String(999 - i)}`);
    const byName = new Intl.Collator('en-GB');
    const sorted = await sortInSlices(names, (a, b) => byName.compare(a, b), counting, 50);
    expect(sorted).toEqual([...names].sort((a, b) => byName.compare(a, b)));
    // 19 yields between the 20 runs, and more inside the merges.
    expect(yields).toBeGreaterThan(19);
  });

  it('sorts nothing and one item', async () => {
    expect(await sortInSlices([], (a: number, b: number) => a - b, immediate)).toEqual([]);
    expect(await sortInSlices([3], (a: number, b: number) => a - b, immediate)).toEqual([3]);
  });
});
