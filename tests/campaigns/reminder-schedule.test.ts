import { describe, expect, it } from 'vitest';
import {
  isWorkingTime,
  nextWorkingTime,
  schoolCalendar,
} from '../../src/domain/school-calendar.ts';
import {
  dueReminderRound,
  nextReminderAt,
  reminderTimes,
} from '../../src/services/campaigns/reminder-schedule.ts';

/** A school with no holidays or terms set: weekdays 08:00–17:00. */
const LONDON = schoolCalendar({ timeZone: 'Europe/London' });
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('reminder schedule (school time)', () => {
  it('knows working time: weekdays 08:00–17:00 in the school zone', () => {
    // Monday 2 March 2026, GMT.
    expect(isWorkingTime(new Date('2026-03-02T07:59:59Z'), LONDON)).toBe(false);
    expect(isWorkingTime(new Date('2026-03-02T08:00:00Z'), LONDON)).toBe(true);
    expect(isWorkingTime(new Date('2026-03-02T16:59:59Z'), LONDON)).toBe(true);
    expect(isWorkingTime(new Date('2026-03-02T17:00:00Z'), LONDON)).toBe(false);
    // Saturday.
    expect(isWorkingTime(new Date('2026-03-07T10:00:00Z'), LONDON)).toBe(false);
    // In BST, 07:30 UTC is 08:30 in London.
    expect(isWorkingTime(new Date('2026-06-01T07:30:00Z'), LONDON)).toBe(true);
    expect(isWorkingTime(new Date('2026-06-01T16:30:00Z'), LONDON)).toBe(false);
  });

  it('moves a time outside hours to the next opening', () => {
    // Friday 18:00 → Monday 08:00.
    expect(iso(nextWorkingTime(new Date('2026-03-06T18:00:00Z'), LONDON))).toBe(
      '2026-03-09T08:00:00.000Z',
    );
    // Tuesday 06:00 → Tuesday 08:00.
    expect(iso(nextWorkingTime(new Date('2026-03-03T06:00:00Z'), LONDON))).toBe(
      '2026-03-03T08:00:00.000Z',
    );
    // Within hours: unchanged.
    expect(iso(nextWorkingTime(new Date('2026-03-03T12:34:00Z'), LONDON))).toBe(
      '2026-03-03T12:34:00.000Z',
    );
  });

  it('plans 3, 7 and 14 days after launch, skipping the weekend', () => {
    // Launched Wednesday 4 March 2026 at 10:00: +3 is Saturday → Monday 08:00.
    const times = reminderTimes([3, 7, 14], new Date('2026-03-04T10:00:00Z'), LONDON).map(iso);
    expect(times).toEqual([
      '2026-03-09T08:00:00.000Z',
      '2026-03-11T10:00:00.000Z',
      '2026-03-18T10:00:00.000Z',
    ]);
  });

  it('keeps school-local time across the change to BST', () => {
    // Launched Thursday 26 March 2026 at 10:00 GMT; BST starts Sunday 29 March.
    const times = reminderTimes([4, 7], new Date('2026-03-26T10:00:00Z'), LONDON).map(iso);
    // Monday 30 March 10:00 BST is 09:00 UTC; Thursday 2 April likewise.
    expect(times).toEqual(['2026-03-30T09:00:00.000Z', '2026-04-02T09:00:00.000Z']);
  });

  it('a late-evening launch reminds at the next opening, and two plan days can merge', () => {
    // Friday 20:00: +1 is Saturday and +2 Sunday, both Monday 08:00 (one reminder); +5 is
    // Wednesday 20:00, so Thursday 08:00.
    const times = reminderTimes([1, 2, 5], new Date('2026-03-06T20:00:00Z'), LONDON).map(iso);
    expect(times).toEqual(['2026-03-09T08:00:00.000Z', '2026-03-12T08:00:00.000Z']);
  });

  it('gives the next reminder after now, or none', () => {
    const launched = new Date('2026-03-04T10:00:00Z');
    expect(iso(nextReminderAt([3, 7, 14], launched, launched, LONDON))).toBe(
      '2026-03-09T08:00:00.000Z',
    );
    expect(
      iso(nextReminderAt([3, 7, 14], launched, new Date('2026-03-09T08:00:00Z'), LONDON)),
    ).toBe('2026-03-11T10:00:00.000Z');
    expect(
      nextReminderAt([3, 7, 14], launched, new Date('2026-04-01T00:00:00Z'), LONDON),
    ).toBeNull();
    // Other zones use their own hours: 08:00 in New York on Monday 9 March (EDT) is 12:00 UTC.
    expect(
      iso(
        nextReminderAt([3], launched, launched, schoolCalendar({ timeZone: 'America/New_York' })),
      ),
    ).toBe('2026-03-09T12:00:00.000Z');
  });

  it('says which round is due: only in working time, only the latest, none after the deadline', () => {
    const launched = new Date('2026-03-04T10:00:00Z');
    const deadline = new Date('2026-03-25T17:00:00Z');
    const at = (s: string) => dueReminderRound([3, 7, 14], launched, deadline, new Date(s), LONDON);
    expect(at('2026-03-06T10:00:00Z')).toBeNull();
    expect(at('2026-03-09T08:00:00Z')).toBe(1);
    // Saturday: nothing, though round 1 is past.
    expect(at('2026-03-14T10:00:00Z')).toBeNull();
    // Monday after round 2's Wednesday: round 2 (round 1 is not repeated).
    expect(at('2026-03-16T09:00:00Z')).toBe(2);
    expect(at('2026-03-18T10:00:00Z')).toBe(3);
    expect(at('2026-03-26T10:00:00Z')).toBeNull();
  });
});
