import type { RenewalRule } from './policy.ts';
import { daysInMonth, instantOf, wallTimeAt } from './zoned-time.ts';

/**
 * When a signature made at `signedAt` falls due again under a renewal rule, reckoned in the
 * school's time zone (IANA name, e.g. Europe/London):
 *
 * - anniversary: N calendar months later at the same school-local wall time; a day the target
 *   month lacks becomes its last day (31 January + 1 month is 28 or 29 February; 29 February
 *   2028 + 12 months is 28 February 2029). A wall time the clocks skip that day is moved forward
 *   by the gap; one they repeat is the first of the two.
 * - fixed-date: the next school-local midnight starting that month/day strictly after signedAt
 *   (1 September in Europe/London is 23:00 UTC on 31 August, in BST). A 29 February rule falls
 *   on 28 February in common years (likewise 31 April → 30 April).
 */
export function renewalDue(rule: RenewalRule, signedAt: Date, timeZone: string): Date {
  const signed = wallTimeAt(signedAt, timeZone);
  switch (rule.kind) {
    case 'anniversary': {
      const monthIndex = signed.month - 1 + rule.months;
      const year = signed.year + Math.floor(monthIndex / 12);
      const month = (monthIndex % 12) + 1;
      const day = Math.min(signed.day, daysInMonth(year, month));
      return instantOf({ ...signed, year, month, day }, timeZone);
    }
    case 'fixed-date': {
      // This year's occurrence may already have passed (or be this very instant): then next year's.
      for (const year of [signed.year, signed.year + 1]) {
        const due = fixedDateIn(year, rule.month, rule.day, timeZone);
        if (due.getTime() > signedAt.getTime()) return due;
      }
      return fixedDateIn(signed.year + 2, rule.month, rule.day, timeZone);
    }
  }
}

function fixedDateIn(year: number, month: number, day: number, timeZone: string): Date {
  return instantOf(
    {
      year,
      month,
      day: Math.min(day, daysInMonth(year, month)),
      hour: 0,
      minute: 0,
      second: 0,
      millisecond: 0,
    },
    timeZone,
  );
}
