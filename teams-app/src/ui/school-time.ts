/**
 * The school's time zone: dates and times on screen, and what "the end of the deadline day"
 * means, follow it whatever the device says. It comes from /config.json (`timeZone`, an IANA
 * name) once at start-up, before anything shows a date; Europe/London until then or when the
 * service sends none.
 */
export const DEFAULT_TIME_ZONE = 'Europe/London';

let current = DEFAULT_TIME_ZONE;

export function schoolTimeZone(): string {
  return current;
}

/** Whether this browser knows the IANA time zone name. */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: value });
    return true;
  } catch {
    return false; // RangeError: not a zone this browser knows
  }
}

/** Sets the school's zone (from /config.json); undefined means the default. */
export function setSchoolTimeZone(timeZone: string | undefined): void {
  const next = timeZone ?? DEFAULT_TIME_ZONE;
  if (!isTimeZone(next)) throw new RangeError(`Not a time zone: ${next}`);
  current = next;
}

/** "YYYY-MM-DD" of an instant in the zone. */
function isoDateIn(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

/** How far the zone's wall clock is ahead of UTC at an instant, in minutes. */
function offsetMinutes(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

function parseIsoDate(date: string): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) throw new RangeError(`Not a date: ${date}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/**
 * The instant at which a school day ends (23:59:59 on the school's clock) for a date picked as
 * "YYYY-MM-DD": a deadline means the end of that day in school time, summer time or not.
 */
export function endOfSchoolDay(date: string, timeZone: string = schoolTimeZone()): string {
  const [year, month, day] = parseIsoDate(date);
  const wall = Date.UTC(year, month - 1, day, 23, 59, 59);
  // Take off the zone's offset at that moment; if that lands across a clock change, the offset
  // on the far side is the right one.
  const first = wall - offsetMinutes(new Date(wall), timeZone) * 60_000;
  const second = wall - offsetMinutes(new Date(first), timeZone) * 60_000;
  return new Date(second).toISOString();
}

/** Today's date at the school as "YYYY-MM-DD", plus some calendar days: a default deadline. */
export function schoolDatePlusDays(
  now: Date,
  days: number,
  timeZone: string = schoolTimeZone(),
): string {
  const [year, month, day] = parseIsoDate(isoDateIn(now, timeZone));
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}
