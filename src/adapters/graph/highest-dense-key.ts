/**
 * The highest n ≥ `from` present in a dense numbering (1, 2, 3 … with no gaps: a shard's chain,
 * the checkpoint numbers), found by equality probes alone. Each probe is a filter on a unique
 * column (`ChainKey eq '3:1742'`), which matches at most one item and so stays valid on a list of
 * any size under the list view threshold; a range (`Seq ge N`) would not (list-partitions.ts).
 *
 * Numbers below `from` are taken as present without a probe (a start past the top answers
 * `from - 1` with nothing found: the caller checks `found`).
 * `probe` answers which of up to `width` numbers are present (one `$batch`). Powers of two above
 * the last known number come first (galloping), then the gap between the highest present and the
 * lowest absent is cut into `width + 1`: a top near a million takes about 6 probes of 20.
 * A gap in the numbering (a deleted row) can make the answer stop below the true top; a writer
 * then meets the unique key (409) and reads again, and verify names the gap.
 */
export async function highestDenseKey<T>(
  probe: (numbers: number[]) => Promise<Map<number, T>>,
  options: { from?: number; width?: number } = {},
): Promise<{ n: number; found: T | undefined }> {
  const width = options.width ?? 20;
  let lo = Math.max(1, options.from ?? 1) - 1;
  let found: T | undefined;
  let hi = Number.POSITIVE_INFINITY;
  const take = async (numbers: number[]): Promise<void> => {
    const present = await probe(numbers);
    for (const n of numbers) {
      const hit = present.get(n);
      if (hit !== undefined && n > lo && n < hi) {
        lo = n;
        found = hit;
      }
    }
    for (const n of numbers) if (!present.has(n) && n > lo && n < hi) hi = n;
  };
  while (hi === Number.POSITIVE_INFINITY) {
    const base = lo;
    await take(Array.from({ length: width }, (_, k) => base + 2 ** k));
  }
  while (hi - lo > 1) {
    const gap = hi - lo - 1;
    const numbers =
      gap <= width
        ? Array.from({ length: gap }, (_, k) => lo + 1 + k)
        : Array.from(
            { length: width },
            (_, k) => lo + Math.round(((k + 1) * (hi - lo)) / (width + 1)),
          );
    await take([...new Set(numbers)].filter((n) => n > lo && n < hi));
  }
  return { n: lo, found };
}
