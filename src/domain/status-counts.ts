import type { PersonStatusKind } from './person-status.ts';

/**
 * Every status a person can have, in the order a reader meets them (done, waiting on someone
 * else, still to do, not asked). A count or chart that leaves one out does not add up.
 */
export const STATUS_KINDS = [
  'signed',
  'awaiting-approval',
  'rejected',
  'due',
  'overdue',
  'not-required',
] as const satisfies readonly PersonStatusKind[];

/** How many people have each status: every kind present, zeros included. */
export type StatusCounts = Record<PersonStatusKind, number>;

export interface StatusTally {
  /** Each person once, whatever number of audiences they are in. */
  overall: StatusCounts;
  /** Per audience: a person in two audiences counts in both. */
  byAudience: Record<string, StatusCounts>;
  /** People counted: the sum of `overall`. */
  people: number;
}

export function emptyStatusCounts(): StatusCounts {
  return {
    signed: 0,
    'awaiting-approval': 0,
    rejected: 0,
    due: 0,
    overdue: 0,
    'not-required': 0,
  };
}

export function sumStatusCounts(counts: StatusCounts): number {
  return STATUS_KINDS.reduce((sum, kind) => sum + counts[kind], 0);
}

/**
 * Counts people by status, overall and per audience, so the chart and the totals reconcile:
 * `overall` sums to the number of people, each audience's counts to that audience's size.
 */
export function tallyStatuses(
  people: Iterable<{ readonly audiences: readonly string[]; readonly kind: PersonStatusKind }>,
): StatusTally {
  const overall = emptyStatusCounts();
  const byAudience: Record<string, StatusCounts> = {};
  let count = 0;
  for (const { audiences, kind } of people) {
    count += 1;
    overall[kind] += 1;
    // Each audience once, without a Set per person (most people are in one or two audiences: a
    // 20,000-person report made 20,000 Sets here).
    for (let i = 0; i < audiences.length; i++) {
      const audience = audiences[i] as string;
      if (audiences.indexOf(audience) !== i) continue;
      (byAudience[audience] ??= emptyStatusCounts())[kind] += 1;
    }
  }
  return { overall, byAudience, people: count };
}
