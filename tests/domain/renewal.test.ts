import { describe, expect, it } from 'vitest';
import { CountersignError } from '../../src/domain/errors.ts';
import type { RenewalRule } from '../../src/domain/policy.ts';
import { renewalDue } from '../../src/domain/renewal.ts';
import { daysInMonth, instantOf, wallTimeAt } from '../../src/domain/zoned-time.ts';

const LONDON = 'Europe/London';
const due = (rule: RenewalRule, signedAt: string, timeZone = LONDON): string =>
  renewalDue(rule, new Date(signedAt), timeZone).toISOString();
const months = (n: number): RenewalRule => ({ kind: 'anniversary', months: n });
const firstOfSeptember: RenewalRule = { kind: 'fixed-date', month: 9, day: 1 };

describe('anniversary renewal', () => {
  it('falls N months later at the same school-local time', () => {
    expect(due(months(12), '2026-01-15T09:30:00.000Z')).toBe('2027-01-15T09:30:00.000Z');
    expect(due(months(24), '2026-06-10T13:45:12.345Z')).toBe('2028-06-10T13:45:12.345Z');
  });

  it('crosses a year end', () => {
    expect(due(months(1), '2026-12-15T10:00:00.000Z')).toBe('2027-01-15T10:00:00.000Z');
    expect(due(months(3), '2026-11-30T16:00:00.000Z')).toBe('2027-02-28T16:00:00.000Z');
    // 31 December 23:30 GMT is already New Year in Paris: the date is the school's.
    expect(due(months(1), '2026-12-31T23:30:00.000Z', 'Europe/Paris')).toBe(
      '2027-01-31T23:30:00.000Z',
    );
  });

  it('clamps to the end of a shorter month', () => {
    expect(due(months(1), '2026-01-31T10:00:00.000Z')).toBe('2026-02-28T10:00:00.000Z');
    expect(due(months(1), '2028-01-31T10:00:00.000Z')).toBe('2028-02-29T10:00:00.000Z');
    expect(due(months(3), '2026-01-31T10:00:00.000Z')).toBe('2026-04-30T09:00:00.000Z');
  });

  it('handles leap days: 29 February 2028 + 12 months is 28 February 2029', () => {
    expect(due(months(12), '2028-02-29T08:00:00.000Z')).toBe('2029-02-28T08:00:00.000Z');
    expect(due(months(48), '2028-02-29T08:00:00.000Z')).toBe('2032-02-29T08:00:00.000Z');
    expect(due(months(12), '2027-02-28T08:00:00.000Z')).toBe('2028-02-28T08:00:00.000Z');
  });

  it('keeps the wall time across BST/GMT: signed 2026-03-29 00:30 UTC (00:30 GMT)', () => {
    // BST began at 01:00 UTC that morning; on 29 March 2027 London is already on BST.
    expect(due(months(12), '2026-03-29T00:30:00.000Z')).toBe('2027-03-28T23:30:00.000Z');
    // Signed at 02:30 BST just after the change: 02:30 BST a year later.
    expect(due(months(12), '2026-03-29T01:30:00.000Z')).toBe('2027-03-29T01:30:00.000Z');
    // Signed in summer, due in winter: 09:00 BST → 09:00 GMT.
    expect(due(months(6), '2026-07-01T08:00:00.000Z')).toBe('2027-01-01T09:00:00.000Z');
  });

  it('moves a wall time the clocks skip forward by the gap', () => {
    // 01:30 on 29 March 2026 does not exist in London: it becomes 02:30 BST.
    expect(due(months(2), '2026-01-29T01:30:00.000Z')).toBe('2026-03-29T01:30:00.000Z');
  });

  it('takes the first of a wall time the clocks repeat', () => {
    // 01:30 on 25 October 2026 happens twice in London (BST, then GMT): the first is 00:30 UTC.
    expect(due(months(7), '2026-03-25T01:30:00.000Z')).toBe('2026-10-25T00:30:00.000Z');
  });
});

describe('fixed-date renewal', () => {
  it('is 1 September at 00:00 school time: 23:00 UTC on 31 August while on BST', () => {
    expect(due(firstOfSeptember, '2026-01-10T12:00:00.000Z')).toBe('2026-08-31T23:00:00.000Z');
    expect(due(firstOfSeptember, '2026-08-31T22:59:59.999Z')).toBe('2026-08-31T23:00:00.000Z');
  });

  it('is next year’s date once this year’s has come (strictly after signing)', () => {
    expect(due(firstOfSeptember, '2026-08-31T23:00:00.000Z')).toBe('2027-08-31T23:00:00.000Z');
    expect(due(firstOfSeptember, '2026-09-15T12:00:00.000Z')).toBe('2027-08-31T23:00:00.000Z');
  });

  it('crosses a year end', () => {
    expect(due(firstOfSeptember, '2026-12-31T23:59:00.000Z')).toBe('2027-08-31T23:00:00.000Z');
    const newYear: RenewalRule = { kind: 'fixed-date', month: 1, day: 1 };
    expect(due(newYear, '2026-12-31T23:30:00.000Z')).toBe('2027-01-01T00:00:00.000Z');
    // In Sydney 2026-12-31T14:00Z is already 1 January 2027 01:00: next is 1 January 2028.
    expect(due(newYear, '2026-12-31T14:00:00.000Z', 'Australia/Sydney')).toBe(
      '2027-12-31T13:00:00.000Z',
    );
  });

  it('uses GMT for a date in winter', () => {
    const january: RenewalRule = { kind: 'fixed-date', month: 1, day: 6 };
    expect(due(january, '2026-09-01T10:00:00.000Z')).toBe('2027-01-06T00:00:00.000Z');
  });

  it('falls on 28 February in common years for a 29 February rule', () => {
    const leapDay: RenewalRule = { kind: 'fixed-date', month: 2, day: 29 };
    expect(due(leapDay, '2027-01-01T00:00:00.000Z')).toBe('2027-02-28T00:00:00.000Z');
    expect(due(leapDay, '2027-03-01T00:00:00.000Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(due(leapDay, '2028-02-29T00:00:00.000Z')).toBe('2029-02-28T00:00:00.000Z');
  });

  it('moves a midnight the clocks skip to the first moment of that day', () => {
    // Chile puts its clocks forward at 00:00 on 6 September 2026: the day starts at 01:00 -03.
    const rule: RenewalRule = { kind: 'fixed-date', month: 9, day: 6 };
    expect(due(rule, '2026-03-01T00:00:00.000Z', 'America/Santiago')).toBe(
      '2026-09-06T04:00:00.000Z',
    );
  });
});

describe('zoned time', () => {
  it('reads wall times and converts them back', () => {
    const instant = new Date('2026-07-01T08:15:30.250Z');
    const wall = wallTimeAt(instant, LONDON);
    expect(wall).toEqual({
      year: 2026,
      month: 7,
      day: 1,
      hour: 9,
      minute: 15,
      second: 30,
      millisecond: 250,
    });
    expect(instantOf(wall, LONDON).toISOString()).toBe(instant.toISOString());
  });

  it('knows month lengths and leap years', () => {
    expect([2026, 2028, 2100, 2000].map((year) => daysInMonth(year, 2))).toEqual([28, 29, 28, 29]);
    expect(daysInMonth(2026, 12)).toBe(31);
    expect(daysInMonth(2026, 4)).toBe(30);
  });

  it('refuses an unknown time zone or an invalid date with a validation error', () => {
    expect(() => due(months(12), '2026-01-01T00:00:00.000Z', 'Europe/Atlantis')).toThrow(
      CountersignError,
    );
    expect(() => renewalDue(months(12), new Date('not a date'), LONDON)).toThrow(
      expect.objectContaining({ code: 'validation' }),
    );
  });
});
