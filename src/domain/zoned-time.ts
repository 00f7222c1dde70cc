import { CountersignError } from './errors.ts';

/** A wall-clock reading in some time zone (month 1–12). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached !== undefined) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch (error) {
    throw new CountersignError(
      'validation',
      `"${timeZone}" is not a known IANA time zone.`,
      {
        timeZone,
      },
      { cause: error },
    );
  }
  formatters.set(timeZone, formatter);
  return formatter;
}

function assertValid(date: Date, what: string): void {
  if (Number.isNaN(date.getTime())) {
    throw new CountersignError('validation', `${what} is not a valid date.`);
  }
}

/** The wall-clock reading of an instant, as the time zone data gives it (Intl). */
function wallTimeFromIntl(instant: Date, timeZone: string): WallTime {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const read = (type: Intl.DateTimeFormatPartTypes): number => {
    const part = parts.find((p) => p.type === type);
    if (part === undefined) {
      throw new CountersignError(
        'unavailable',
        `The time zone data gave no ${type} for ${timeZone}.`,
      );
    }
    return Number(part.value);
  };
  const era = parts.find((p) => p.type === 'era')?.value ?? 'AD';
  const yearOfEra = read('year');
  return {
    // Years before 1 AD come back as a year of the BC era; schools will not meet them, but the
    // arithmetic should stay right.
    year: era.startsWith('B') ? 1 - yearOfEra : yearOfEra,
    month: read('month'),
    day: read('day'),
    hour: read('hour'),
    minute: read('minute'),
    second: read('second'),
    millisecond: instant.getUTCMilliseconds(),
  };
}

/**
 * The wall-clock reading of an instant in a time zone: the instant moved by the zone's offset
 * then, read as UTC. The offset comes from the time zone data (Intl) once per quarter hour of
 * time (see offsetAt), since formatToParts is the costly part: a report of 20,000 people reads
 * a renewal date for each (issue 13, item 3).
 */
export function wallTimeAt(instant: Date, timeZone: string): WallTime {
  assertValid(instant, 'The instant');
  const at = instant.getTime();
  const shifted = new Date(Math.floor(at / 1000) * 1000 + offsetAt(at, timeZone));
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    millisecond: instant.getUTCMilliseconds(),
  };
}

/** Milliseconds since the epoch of a wall time read as if it were UTC. */
function asUtc(wall: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return date.getTime();
}

/** The zone's offset from UTC (ms, east positive) at a whole second, from the time zone data. */
function exactOffsetAt(whole: number, timeZone: string): number {
  return asUtc({ ...wallTimeFromIntl(new Date(whole), timeZone), millisecond: 0 }) - whole;
}

const QUARTER_HOUR_MS = 900_000;
/** Offsets at the first and last whole second of each quarter hour asked about, per zone. */
const quarterOffsets = new Map<string, Map<number, number>>();
/** Enough for every quarter hour of nearly three years; cleared (not grown) past it. */
const MAX_REMEMBERED = 100_000;

function offsetAtSecond(whole: number, timeZone: string): number {
  let zone = quarterOffsets.get(timeZone);
  if (zone === undefined) {
    zone = new Map();
    quarterOffsets.set(timeZone, zone);
  }
  const known = zone.get(whole);
  if (known !== undefined) return known;
  if (zone.size >= MAX_REMEMBERED) zone.clear();
  const offset = exactOffsetAt(whole, timeZone);
  zone.set(whole, offset);
  return offset;
}

/**
 * The zone's offset from UTC (ms, east positive) at an instant. When the offset is the same at
 * the start and the end of the instant's quarter hour, it is that offset throughout (no zone
 * changes its clocks twice within 15 minutes); otherwise a transition falls inside it and the
 * instant is read from the time zone data itself.
 */
export function offsetAt(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const start = Math.floor(whole / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  const first = offsetAtSecond(start, timeZone);
  const last = offsetAtSecond(start + QUARTER_HOUR_MS - 1000, timeZone);
  return first === last ? first : exactOffsetAt(whole, timeZone);
}

const DAY_MS = 86_400_000;

/**
 * The instant a wall time names in a time zone. Like Temporal's "compatible" disambiguation:
 * a time repeated when the clocks go back is the earlier of the two; a time skipped when they go
 * forward is moved forward by the length of the gap (01:30 on the day BST starts is 02:30 BST).
 */
export function instantOf(wall: WallTime, timeZone: string): Date {
  const local = asUtc(wall);
  // Offsets either side of any transition near this time (transitions are months apart).
  const before = offsetAt(local - DAY_MS, timeZone);
  const after = offsetAt(local + DAY_MS, timeZone);
  // Nearly always one offset all around, which reads the wall time back: the one candidate
  // below, found without building the others (a report reads 20,000 renewal dates).
  if (
    after === before &&
    offsetAt(local, timeZone) === before &&
    offsetAt(local - before, timeZone) === before
  ) {
    return new Date(local - before);
  }
  const candidates = [...new Set([before, after, offsetAt(local, timeZone)])]
    .map((offset) => local - offset)
    .filter((instant) => asUtc(wallTimeAt(new Date(instant), timeZone)) === local)
    .sort((a, b) => a - b);
  const earliest = candidates[0];
  // No candidate: the wall time falls in a gap, so read it with the offset from before the gap.
  return new Date(earliest ?? local - before);
}

/** Days in a month (1–12) of a year. */
export function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  // Day 0 of the next month is the last day of this one.
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}
