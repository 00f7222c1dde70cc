import { describe, expect, it } from 'vitest';
import {
  STATUS_KINDS,
  emptyStatusCounts,
  sumStatusCounts,
  tallyStatuses,
} from '../../src/domain/status-counts.ts';

describe('tallyStatuses', () => {
  it('counts every status, each person once overall and once in each of their audiences', () => {
    const tally = tallyStatuses([
      { audiences: ['staff'], kind: 'signed' },
      { audiences: ['staff', 'governors'], kind: 'awaiting-approval' },
      { audiences: ['governors'], kind: 'rejected' },
      { audiences: ['staff'], kind: 'due' },
      { audiences: ['staff'], kind: 'overdue' },
      { audiences: ['volunteers'], kind: 'not-required' },
      // The same audience twice is still one person in it.
      { audiences: ['staff', 'staff'], kind: 'due' },
    ]);
    expect(tally.people).toBe(7);
    expect(tally.overall).toEqual({
      signed: 1,
      'awaiting-approval': 1,
      rejected: 1,
      due: 2,
      overdue: 1,
      'not-required': 1,
    });
    expect(sumStatusCounts(tally.overall)).toBe(tally.people);
    expect(tally.byAudience.staff).toEqual({
      ...emptyStatusCounts(),
      signed: 1,
      'awaiting-approval': 1,
      due: 2,
      overdue: 1,
    });
    expect(sumStatusCounts(tally.byAudience.staff ?? emptyStatusCounts())).toBe(5);
    expect(sumStatusCounts(tally.byAudience.governors ?? emptyStatusCounts())).toBe(2);
  });

  it('names every status kind with a zero when nobody has it', () => {
    const tally = tallyStatuses([]);
    expect(tally.people).toBe(0);
    expect(Object.keys(tally.overall).sort()).toEqual([...STATUS_KINDS].sort());
    expect(sumStatusCounts(tally.overall)).toBe(0);
    expect(tally.byAudience).toEqual({});
  });
});
