import type { PersonStatus } from '../api/api-types.ts';
import { schoolTimeZone } from './school-time.ts';

// Dates in en-GB wording and in the school's time zone (school-time.ts), whatever the device says.
const formats = new Map<string, { dateTime: Intl.DateTimeFormat; dateOnly: Intl.DateTimeFormat }>();

function formatsFor(timeZone: string) {
  let found = formats.get(timeZone);
  if (found === undefined) {
    const date = { timeZone, day: 'numeric', month: 'long', year: 'numeric' } as const;
    found = {
      dateTime: new Intl.DateTimeFormat('en-GB', { ...date, hour: '2-digit', minute: '2-digit' }),
      dateOnly: new Intl.DateTimeFormat('en-GB', date),
    };
    formats.set(timeZone, found);
  }
  return found;
}

/** "23 November 2026 at 15:04" in the school's time zone. */
export function formatDateTime(iso: string): string {
  return formatsFor(schoolTimeZone()).dateTime.format(new Date(iso));
}

/** "23 November 2026" in the school's time zone. */
export function formatDate(iso: string): string {
  return formatsFor(schoolTimeZone()).dateOnly.format(new Date(iso));
}

export function statusLabel(status: PersonStatus): string {
  switch (status.kind) {
    case 'not-required':
      return 'Not required';
    case 'due':
      return status.deadline === undefined ? 'Due' : `Due by ${formatDate(status.deadline)}`;
    case 'overdue':
      return `Overdue since ${formatDate(status.deadline)}`;
    case 'signed':
      return `Signed until ${formatDate(status.validUntil)}`;
    case 'awaiting-approval':
      return 'Signed, awaiting approval';
    case 'rejected':
      return 'Not approved';
  }
}

export type StatusTone = 'success' | 'warning' | 'danger' | 'informative';

export function statusTone(kind: PersonStatus['kind']): StatusTone {
  switch (kind) {
    case 'signed':
      return 'success';
    case 'due':
    case 'awaiting-approval':
      return 'warning';
    case 'overdue':
    case 'rejected':
      return 'danger';
    case 'not-required':
      return 'informative';
  }
}

export const STATUS_KINDS = [
  'signed',
  'due',
  'overdue',
  'awaiting-approval',
  'rejected',
  'not-required',
] as const satisfies readonly PersonStatus['kind'][];

export function statusKindLabel(kind: PersonStatus['kind']): string {
  switch (kind) {
    case 'signed':
      return 'Signed';
    case 'due':
      return 'Due';
    case 'overdue':
      return 'Overdue';
    case 'awaiting-approval':
      return 'Awaiting approval';
    case 'rejected':
      return 'Rejected';
    case 'not-required':
      return 'Not required';
  }
}

/**
 * The typed name beside the account it was signed from, as on the cards and in the CSV (the
 * domain's signedAsLine; the tab bundles nothing from src/): "Typed: Jane Smith · Account:
 * Jane Smith (jane@school)".
 */
export function signedAsLabel(
  signature: Readonly<{ typedName: string; displayName: string; upn: string }>,
): string {
  return `Typed: ${signature.typedName} · Account: ${signature.displayName} (${signature.upn})`;
}
