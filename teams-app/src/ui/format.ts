import type { PersonStatus } from '../api/api-types.ts';

// Schools are in England: dates in en-GB wording and UK local time, whatever the device says.
const dateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dateOnly = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** "23 November 2026 at 15:04" in Europe/London. */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** "23 November 2026" in Europe/London. */
export function formatDate(iso: string): string {
  return dateOnly.format(new Date(iso));
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
