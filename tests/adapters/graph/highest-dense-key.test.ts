import { describe, expect, it } from 'vitest';
import { highestDenseKey } from '../../../src/adapters/graph/highest-dense-key.ts';

/** A numbering 1..top as a probe answers it, counting the probes (each a $batch of ≤ 20). */
function numbering(top: number, missing: ReadonlySet<number> = new Set()) {
  let probes = 0;
  const probe = (numbers: number[]) => {
    probes += 1;
    expect(numbers.length).toBeLessThanOrEqual(20);
    return Promise.resolve(
      new Map(
        numbers
          .filter((n) => n >= 1 && n <= top && !missing.has(n))
          .map((n) => [n, `#${String(n)}`]),
      ),
    );
  };
  return { probe, probes: () => probes };
}

describe('highestDenseKey', () => {
  it.each([0, 1, 2, 19, 20, 21, 1000, 62_500, 1_000_000])('finds %i', async (top) => {
    const { probe, probes } = numbering(top);
    const { n, found } = await highestDenseKey(probe);
    expect(n).toBe(top);
    expect(found).toBe(top === 0 ? undefined : `#${String(top)}`);
    // Galloping then cutting the gap in 21: a million in 7 batches of equality filters.
    expect(probes()).toBeLessThanOrEqual(7);
  });

  it('starts from a known number', async () => {
    const { probe, probes } = numbering(5_203);
    expect((await highestDenseKey(probe, { from: 5_197 })).n).toBe(5_203);
    expect(probes()).toBeLessThanOrEqual(2);
  });

  it('takes the numbers below the start as present: from past the top answers from - 1', async () => {
    const { probe } = numbering(10);
    const { n, found } = await highestDenseKey(probe, { from: 12 });
    expect(n).toBe(11);
    expect(found).toBeUndefined();
  });
});
