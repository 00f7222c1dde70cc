import { describe, expect, it } from 'vitest';
import { instantOf, wallTimeAt } from '../../src/domain/zoned-time.ts';

/**
 * wallTimeAt reads the zone's offset once per quarter hour and does the rest with arithmetic
 * (a 20,000-person report reads a renewal date for each). It must agree with the time zone
 * data itself at every instant, across every clock change of the year, in zones whose offsets
 * and changes are not whole hours.
 */
const ZONES = [
  'Europe/London',
  'America/St_Johns', // −3:30, changes at 02:00 local
  'Australia/Lord_Howe', // +10:30, a 30-minute change
  'Pacific/Chatham', // +12:45 / +13:45
  'Asia/Kolkata', // no changes
];

const formats = new Map<string, Intl.DateTimeFormat>();

function fromIntl(instant: Date, timeZone: string) {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(instant);
  const read = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: read('year'),
    month: read('month'),
    day: read('day'),
    hour: read('hour'),
    minute: read('minute'),
    second: read('second'),
    millisecond: instant.getUTCMilliseconds(),
  };
}

describe('wallTimeAt', () => {
  it.each(ZONES)('agrees with the time zone data through 2026 in %s', (zone) => {
    const start = Date.UTC(2026, 0, 1);
    const end = Date.UTC(2027, 0, 1);
    // A step that is not a divisor of 15 minutes, so every offset within a quarter hour is met.
    const step = 37 * 60_000 + 11_123;
    const wrong: string[] = [];
    for (let at = start; at < end; at += step) {
      const instant = new Date(at);
      const expected = fromIntl(instant, zone);
      const actual = wallTimeAt(instant, zone);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) wrong.push(instant.toISOString());
    }
    expect(wrong).toEqual([]);
  });

  it('agrees second by second in the 40 minutes around London putting its clocks forward and back', () => {
    const wrong: string[] = [];
    for (const change of [Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1)]) {
      for (let at = change - 1_200_000; at < change + 1_200_000; at += 1_000) {
        const instant = new Date(at);
        if (
          JSON.stringify(wallTimeAt(instant, 'Europe/London')) !==
          JSON.stringify(fromIntl(instant, 'Europe/London'))
        ) {
          wrong.push(instant.toISOString());
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('round-trips with instantOf, and moves a skipped time forward by the gap', () => {
    const wall = { year: 2026, month: 7, day: 1, hour: 9, minute: 30, second: 5, millisecond: 7 };
    expect(wallTimeAt(instantOf(wall, 'Europe/London'), 'Europe/London')).toEqual(wall);
    const skipped = { ...wall, month: 3, day: 29, hour: 1, minute: 30, second: 0, millisecond: 0 };
    expect(instantOf(skipped, 'Europe/London').toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it.each(ZONES)(
    'instantOf agrees with the time zone data for wall times through 2026 in %s',
    (zone) => {
      // The offsets the zone uses in 2026, from the data itself.
      const offsetOf = (at: number) => {
        const w = fromIntl(new Date(at), zone);
        return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond) - at;
      };
      const offsets = new Set<number>();
      for (let at = Date.UTC(2025, 11, 30); at < Date.UTC(2027, 0, 2); at += 900_000) {
        offsets.add(offsetOf(at));
      }
      // The earliest instant showing the wall time; in a gap, the wall time read with the offset
      // from the day before (moved forward by the gap).
      const expected = (local: number) =>
        [...offsets]
          .map((o) => local - o)
          .filter((at) => offsetOf(at) === local - at)
          .sort()[0] ?? local - offsetOf(local - 86_400_000);
      const wrong: string[] = [];
      const step = 37 * 60_000 + 11_123;
      for (let local = Date.UTC(2026, 0, 1); local < Date.UTC(2027, 0, 1); local += step) {
        const d = new Date(local);
        const wall = {
          year: d.getUTCFullYear(),
          month: d.getUTCMonth() + 1,
          day: d.getUTCDate(),
          hour: d.getUTCHours(),
          minute: d.getUTCMinutes(),
          second: d.getUTCSeconds(),
          millisecond: d.getUTCMilliseconds(),
        };
        if (instantOf(wall, zone).getTime() !== expected(local)) wrong.push(d.toISOString());
      }
      expect(wrong).toEqual([]);
    },
  );
});
