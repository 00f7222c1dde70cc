import { describe, expect, it } from 'vitest';
import { pageInSlices, sortInSlices } from '../../src/domain/sort-in-slices.ts';

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

describe('pageInSlices', () => {
  const items = Array.from({ length: 2_503 }, (_, i) => ({ key: (i * 7919) % 97, at: i }));
  const compare = (a: { key: number }, b: { key: number }) => a.key - b.key;
  const sorted = [...items].sort(compare);

  it('gives the page a stable full sort gives, ties in their first order, at every depth', async () => {
    // Pages at the start (the heap), in the middle and at the end (a full sort), a short last
    // page, past the end, and pages whose edges fall inside a run of equal keys.
    for (const [offset, size] of [
      [0, 1],
      [0, 50],
      [26, 50],
      [100, 100],
      [600, 25],
      [1_200, 100],
      [2_450, 100],
      [2_503, 10],
      [5_000, 10],
    ] as const) {
      const page = await pageInSlices(items, compare, offset, size, immediate, 100);
      expect(page).toEqual(sorted.slice(offset, offset + size));
    }
    expect(items[1]).toEqual({ key: 62, at: 1 });
  });

  it('orders names as the collator does and gives the event loop back while it reads', async () => {
    let yields = 0;
    const counting = () => {
      yields += 1;
      return immediate();
    };
    const byName = new Intl.Collator('en-GB');
    const names = Array.from({ length: 1_000 }, (_, i) => `Person ${String((i * 389) % 1_000)}`);
    const page = await pageInSlices(names, (a, b) => byName.compare(a, b), 10, 20, counting, 50);
    expect(page).toEqual([...names].sort((a, b) => byName.compare(a, b)).slice(10, 30));
    expect(yields).toBeGreaterThanOrEqual(19);
  });

  it('an empty list has empty pages', async () => {
    expect(await pageInSlices([], (a: number, b: number) => a - b, 0, 10, immediate)).toEqual([]);
  });
});
