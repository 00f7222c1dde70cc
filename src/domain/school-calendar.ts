import { instantOf, wallTimeAt, type WallTime } from './zoned-time.ts';

/** A named span of school-local calendar dates ("YYYY-MM-DD"), both ends included. */
export interface CalendarRange {
  name?: string;
  from: string;
  to: string;
}

/**
 * When the school may be sent reminders and nudges: weekdays within working hours in its time
 * zone, never on a holiday, and never in a break between terms.
 */
export interface SchoolCalendar {
  timeZone: string;
  /** [startHour, endHour) school-local, e.g. 8–17. */
  workingHours: { startHour: number; endHour: number };
  holidays: readonly CalendarRange[];
  /**
   * Term dates. A day between the first term's start and the last term's end that lies in no
   * term is a break. Days before the first or after the last term are not known to be breaks
   * (a school that has not yet entered next year's terms still gets its reminders).
   */
  terms: readonly CalendarRange[];
}

/** School hours when a school has set none. */
export const DEFAULT_WORKING_HOURS = { startHour: 8, endHour: 17 } as const;

/** The calendar of a school's settings (working hours default to 08:00–17:00). */
export function schoolCalendar(school: {
  timeZone: string;
  workingHours?: { startHour: number; endHour: number } | undefined;
  holidays?: readonly CalendarRange[] | undefined;
  terms?: readonly CalendarRange[] | undefined;
}): SchoolCalendar {
  return {
    timeZone: school.timeZone,
    workingHours: school.workingHours ?? DEFAULT_WORKING_HOURS,
    holidays: school.holidays ?? [],
    terms: school.terms ?? [],
  };
}

type CalendarDate = Pick<WallTime, 'year' | 'month' | 'day'>;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const isoDate = (d: CalendarDate): string => `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
const within = (date: string, r: CalendarRange): boolean => r.from <= date && date <= r.to;

function dayOfWeek(d: CalendarDate): number {
  const date = new Date(0);
  date.setUTCFullYear(d.year, d.month - 1, d.day);
  return date.getUTCDay();
}

/** The date `days` calendar days after a school-local date (month lengths, leap years). */
export function addCalendarDays<T extends CalendarDate>(wall: T, days: number): T {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day + days);
  return {
    ...wall,
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
  };
}

/** A weekday, in no holiday, and not in a break between terms. */
export function isSchoolDay(day: CalendarDate, calendar: SchoolCalendar): boolean {
  const weekday = dayOfWeek(day);
  if (weekday === 0 || weekday === 6) return false;
  const date = isoDate(day);
  if (calendar.holidays.some((h) => within(date, h))) return false;
  if (calendar.terms.length === 0) return true;
  const first = calendar.terms.reduce((min, t) => (t.from < min ? t.from : min), '9999-12-31');
  const last = calendar.terms.reduce((max, t) => (t.to > max ? t.to : max), '0000-01-01');
  if (date < first || date > last) return true;
  return calendar.terms.some((t) => within(date, t));
}

/** True on a school day within working hours, school time. */
export function isWorkingTime(instant: Date, calendar: SchoolCalendar): boolean {
  const wall = wallTimeAt(instant, calendar.timeZone);
  const { startHour, endHour } = calendar.workingHours;
  return isSchoolDay(wall, calendar) && wall.hour >= startHour && wall.hour < endHour;
}

/**
 * How far ahead a working moment is looked for: a summer holiday is six weeks; a year with no
 * school day at all is a calendar mistake, and nothing is sent rather than something on a holiday.
 */
const SEARCH_DAYS = 370;

/**
 * The first working moment at or after `instant`: itself when it is one, else the opening hour
 * of the next school day (today's, when it is a school day not yet open). The opening hour is
 * a wall time, so it stays 08:00 across a change of the clocks. Null when no school day comes
 * within a year.
 */
export function nextWorkingTime(instant: Date, calendar: SchoolCalendar): Date | null {
  if (isWorkingTime(instant, calendar)) return instant;
  const wall = wallTimeAt(instant, calendar.timeZone);
  const { startHour } = calendar.workingHours;
  const opensLaterToday = isSchoolDay(wall, calendar) && wall.hour < startHour;
  let day = opensLaterToday ? wall : addCalendarDays(wall, 1);
  for (let i = 0; i < SEARCH_DAYS; i += 1) {
    if (isSchoolDay(day, calendar)) {
      return instantOf(
        { ...day, hour: startHour, minute: 0, second: 0, millisecond: 0 },
        calendar.timeZone,
      );
    }
    day = addCalendarDays(day, 1);
  }
  return null;
}
