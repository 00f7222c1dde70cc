/**
 * A stable sort that gives the event loop back while it works. Sorting a 20,000-person report by
 * name in one `Array.prototype.sort` held the loop for 130-250 ms (each comparison is an
 * Intl.Collator call); here runs of SORT_RUN items are sorted one at a time, then merged pairwise,
 * each merge yielding every SORT_RUN comparisons. Same order as `[...items].sort(compare)`.
 */
export const SORT_RUN = 1_000;

export async function sortInSlices<T>(
  items: readonly T[],
  compare: (a: T, b: T) => number,
  yieldToEventLoop: () => Promise<void>,
  run: number = SORT_RUN,
): Promise<T[]> {
  let runs: T[][] = [];
  for (let i = 0; i < items.length; i += run) {
    if (i > 0) await yieldToEventLoop();
    runs.push(items.slice(i, i + run).sort(compare));
  }
  while (runs.length > 1) {
    const merged: T[][] = [];
    for (let i = 0; i < runs.length; i += 2) {
      const left = runs[i] ?? [];
      const right = runs[i + 1];
      merged.push(
        right === undefined ? left : await merge(left, right, compare, yieldToEventLoop, run),
      );
    }
    runs = merged;
  }
  return runs[0] ?? [];
}

/** Merges two sorted runs; on equal keys the left one's item first, so the sort stays stable. */
async function merge<T>(
  left: readonly T[],
  right: readonly T[],
  compare: (a: T, b: T) => number,
  yieldToEventLoop: () => Promise<void>,
  run: number,
): Promise<T[]> {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  let steps = 0;
  while (i < left.length && j < right.length) {
    if (++steps % run === 0) await yieldToEventLoop();
    const a = left[i] as T;
    const b = right[j] as T;
    if (compare(b, a) < 0) {
      out.push(b);
      j += 1;
    } else {
      out.push(a);
      i += 1;
    }
  }
  for (; i < left.length; i++) out.push(left[i] as T);
  for (; j < right.length; j++) out.push(right[j] as T);
  return out;
}
