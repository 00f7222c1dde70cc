import { instantOf, wallTimeAt, type WallTime } from '../../domain/zoned-time.ts';

/** School hours for reminders, in the school's time zone: weekdays, [08:00, 17:00). */
export const WORKING_HOURS = { startHour: 8, endHour: 17 } as const;

function dayOfWeek(wall: Pick<WallTime, 'year' | 'month' | 'day'>): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  return date.getUTCDay();
}

const isWeekday = (wall: WallTime): boolean => {
  const day = dayOfWeek(wall);
  return day !== 0 && day !== 6;
};

/** True on a weekday between 08:00 and 17:00 school time. */
export function isWorkingTime(instant: Date, timeZone: string): boolean {
  const wall = wallTimeAt(instant, timeZone);
  return (
    isWeekday(wall) && wall.hour >= WORKING_HOURS.startHour && wall.hour < WORKING_HOURS.endHour
  );
}

/** The date `days` calendar days after a school-local date (month lengths, leap years). */
function addDays(wall: WallTime, days: number): WallTime {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day + days);
  return {
    ...wall,
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
  };
}

const atHour = (wall: WallTime, hour: number): WallTime => ({
  ...wall,
  hour,
  minute: 0,
  second: 0,
  millisecond: 0,
});

/** The first working moment at or after `instant` (08:00 of the next weekday when outside). */
export function nextWorkingTime(instant: Date, timeZone: string): Date {
  if (isWorkingTime(instant, timeZone)) return instant;
  let wall = wallTimeAt(instant, timeZone);
  // Before opening on a weekday: opening time today. Otherwise the next weekday's opening.
  if (!(isWeekday(wall) && wall.hour < WORKING_HOURS.startHour)) wall = addDays(wall, 1);
  while (!isWeekday(wall)) wall = addDays(wall, 1);
  return instantOf(atHour(wall, WORKING_HOURS.startHour), timeZone);
}

/**
 * When each reminder of a plan goes: `days` school-calendar days after the launch, at the
 * launch's school-local time of day, moved to the next working moment when that falls on a
 * weekend or outside 08:00–17:00. Days count calendar days across clock changes (a reminder
 * 3 days after a 10:00 launch is at 10:00 local, whether BST started in between or not).
 * Sorted, one per plan entry (duplicates removed).
 */
export function reminderTimes(plan: readonly number[], launchedAt: Date, timeZone: string): Date[] {
  const launched = wallTimeAt(launchedAt, timeZone);
  const days = [...new Set(plan)].filter((d) => d > 0).sort((a, b) => a - b);
  const times = days.map((d) =>
    nextWorkingTime(instantOf(addDays(launched, d), timeZone), timeZone),
  );
  // Two plan days can land on one Monday: keep one.
  return times.filter((t, i) => i === 0 || t.getTime() !== times[i - 1]?.getTime());
}

/** The next reminder strictly after `now`, or null when the plan is spent. */
export function nextReminderAt(
  plan: readonly number[],
  launchedAt: Date,
  now: Date,
  timeZone: string,
): Date | null {
  return reminderTimes(plan, launchedAt, timeZone).find((t) => t.getTime() > now.getTime()) ?? null;
}

/**
 * Which reminder round (1-based) is due now: the latest whose time has come, when now is a
 * working moment and before the deadline. A round missed while nothing ran is not sent late
 * on top of a later one: only the latest due round counts. Null when none is due.
 */
export function dueReminderRound(
  plan: readonly number[],
  launchedAt: Date,
  deadline: Date,
  now: Date,
  timeZone: string,
): number | null {
  if (now.getTime() >= deadline.getTime() || !isWorkingTime(now, timeZone)) return null;
  const times = reminderTimes(plan, launchedAt, timeZone);
  let round: number | null = null;
  times.forEach((t, i) => {
    if (t.getTime() <= now.getTime()) round = i + 1;
  });
  return round;
}
