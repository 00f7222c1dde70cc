import { describe, expect, it } from 'vitest';
import {
  isWorkingTime,
  nextWorkingTime,
  schoolCalendar,
} from '../../src/domain/school-calendar.ts';
import { dueReminderRound, reminderTimes } from '../../src/services/campaigns/reminder-schedule.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;
const at = (s: string) => new Date(s);

/** February half term from Friday 13 to Monday 23 February 2026: it spans a weekend. */
const HALF_TERM = { name: 'February half term', from: '2026-02-13', to: '2026-02-23' };
const oakfield = schoolCalendar({
  timeZone: 'Europe/London',
  holidays: [HALF_TERM, { name: 'Training day', from: '2026-03-30', to: '2026-03-30' }],
  terms: [
    { name: 'Autumn 2026', from: '2026-09-02', to: '2026-12-18' },
    { name: 'Spring 2027', from: '2027-01-05', to: '2027-03-26' },
  ],
});

describe('school calendar: reminders and nudges only in school time', () => {
  it('a holiday spanning a weekend: nothing from Friday to Monday, next is Tuesday 08:00', () => {
    expect(isWorkingTime(at('2026-02-12T10:00:00Z'), oakfield)).toBe(true);
    expect(isWorkingTime(at('2026-02-13T10:00:00Z'), oakfield)).toBe(false);
    expect(isWorkingTime(at('2026-02-23T10:00:00Z'), oakfield)).toBe(false);
    expect(iso(nextWorkingTime(at('2026-02-12T17:30:00Z'), oakfield))).toBe(
      '2026-02-24T08:00:00.000Z',
    );
  });

  it('across the clocks going forward (29 March 2026) and a training day: 08:00 BST', () => {
    // Friday 27 March after hours; Monday 30 March is a training day; Tuesday opens at 08:00 BST.
    expect(iso(nextWorkingTime(at('2026-03-27T18:00:00Z'), oakfield))).toBe(
      '2026-03-31T07:00:00.000Z',
    );
    const plain = schoolCalendar({ timeZone: 'Europe/London' });
    expect(iso(nextWorkingTime(at('2026-03-27T18:00:00Z'), plain))).toBe(
      '2026-03-30T07:00:00.000Z',
    );
    // And back (25 October 2026): Friday 17:30 BST, then Monday 08:00 GMT.
    expect(iso(nextWorkingTime(at('2026-10-23T16:30:00Z'), plain))).toBe(
      '2026-10-26T08:00:00.000Z',
    );
  });

  it('a break between terms is not school time; after the last term is not known to be one', () => {
    // Friday 18 December 2026 at 17:00, the end of the autumn term: next is Tuesday 5 January.
    expect(iso(nextWorkingTime(at('2026-12-18T17:00:00Z'), oakfield))).toBe(
      '2027-01-05T08:00:00.000Z',
    );
    expect(isWorkingTime(at('2026-12-30T10:00:00Z'), oakfield)).toBe(false);
    // Saturday 10 April 2027, after the last term entered: Monday is a school day (BST).
    expect(iso(nextWorkingTime(at('2027-04-10T10:00:00Z'), oakfield))).toBe(
      '2027-04-12T07:00:00.000Z',
    );
  });

  it("keeps the school's own working hours", () => {
    const short = schoolCalendar({
      timeZone: 'Europe/London',
      workingHours: { startHour: 9, endHour: 15 },
    });
    expect(isWorkingTime(at('2026-03-02T14:59:00Z'), short)).toBe(true);
    expect(isWorkingTime(at('2026-03-02T15:00:00Z'), short)).toBe(false);
    expect(iso(nextWorkingTime(at('2026-03-02T15:00:00Z'), short))).toBe(
      '2026-03-03T09:00:00.000Z',
    );
  });

  it('finds no working moment when a year holds no school day', () => {
    const closed = schoolCalendar({
      timeZone: 'Europe/London',
      holidays: [{ from: '2026-01-01', to: '2027-12-31' }],
    });
    expect(nextWorkingTime(at('2026-03-02T10:00:00Z'), closed)).toBeNull();
    expect(reminderTimes([3], at('2026-03-02T10:00:00Z'), closed)).toEqual([]);
  });
});

describe('reminder plan over a holiday', () => {
  it('moves each reminder out of half term, keeps one for the first day back', () => {
    // Launched Wednesday 11 February 2026 at 10:00; plan 1, 3, 7 and 14 days.
    const times = reminderTimes([1, 3, 7, 14], at('2026-02-11T10:00:00Z'), oakfield).map(iso);
    expect(times).toEqual([
      '2026-02-12T10:00:00.000Z',
      '2026-02-24T08:00:00.000Z',
      '2026-02-25T10:00:00.000Z',
    ]);
    const deadline = at('2026-03-06T17:00:00Z');
    const launched = at('2026-02-11T10:00:00Z');
    // Monday 16 February is in half term: no round is due, whatever the plan says.
    expect(
      dueReminderRound([1, 3, 7, 14], launched, deadline, at('2026-02-16T10:00:00Z'), oakfield),
    ).toBeNull();
    expect(
      dueReminderRound([1, 3, 7, 14], launched, deadline, at('2026-02-24T08:00:00Z'), oakfield),
    ).toBe(2);
  });
});
