import {
  addCalendarDays,
  isWorkingTime,
  nextWorkingTime,
  type SchoolCalendar,
} from '../../domain/school-calendar.ts';
import { instantOf, wallTimeAt } from '../../domain/zoned-time.ts';

/**
 * When each reminder of a plan goes: `days` calendar days after the launch, at the launch's
 * school-local time of day, moved to the next working moment of the school's calendar when that
 * falls on a weekend, a holiday, a break between terms or outside working hours
 * (src/domain/school-calendar.ts). Days count calendar days across clock changes (a reminder
 * 3 days after a 10:00 launch is at 10:00 local, whether BST started in between or not).
 * Sorted, one per plan entry (duplicates removed); a reminder with no working moment within a
 * year of its day is dropped.
 */
export function reminderTimes(
  plan: readonly number[],
  launchedAt: Date,
  calendar: SchoolCalendar,
): Date[] {
  const launched = wallTimeAt(launchedAt, calendar.timeZone);
  const days = [...new Set(plan)].filter((d) => d > 0).sort((a, b) => a - b);
  const times = days.flatMap((d) => {
    const at = nextWorkingTime(
      instantOf(addCalendarDays(launched, d), calendar.timeZone),
      calendar,
    );
    return at === null ? [] : [at];
  });
  // Two plan days can land on one Monday (or on the first day back after a holiday): keep one.
  return times.filter((t, i) => i === 0 || t.getTime() !== times[i - 1]?.getTime());
}

/** The next reminder strictly after `now`, or null when the plan is spent. */
export function nextReminderAt(
  plan: readonly number[],
  launchedAt: Date,
  now: Date,
  calendar: SchoolCalendar,
): Date | null {
  return reminderTimes(plan, launchedAt, calendar).find((t) => t.getTime() > now.getTime()) ?? null;
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
  calendar: SchoolCalendar,
): number | null {
  if (now.getTime() >= deadline.getTime() || !isWorkingTime(now, calendar)) return null;
  const times = reminderTimes(plan, launchedAt, calendar);
  let round: number | null = null;
  times.forEach((t, i) => {
    if (t.getTime() <= now.getTime()) round = i + 1;
  });
  return round;
}
