import type { PersonStatus } from '../person-status.ts';
import { ukDate } from './uk-time.ts';

/** How a version is named to a reader: its label, else its number. */
export type VersionName = (versionNumber: number) => string;

/**
 * Where a person stands, in plain words for an inspector (no codes): what they signed or must
 * sign, and by when. Dates are the school's.
 */
export function statusInWords(
  status: PersonStatus,
  versionName: VersionName,
  timeZone: string,
): string {
  switch (status.kind) {
    case 'not-required':
      return 'Not required to sign';
    case 'signed':
      return `Signed ${versionName(status.versionNumber)} on ${ukDate(status.signedAt, timeZone)}; valid until ${ukDate(status.validUntil, timeZone)}`;
    case 'awaiting-approval':
      return `Signed ${versionName(status.versionNumber)} on ${ukDate(status.signedAt, timeZone)}; awaiting approval`;
    case 'rejected':
      return `Signed ${versionName(status.versionNumber)} on ${ukDate(status.signedAt, timeZone)}; the approver rejected it${status.comment === undefined ? '' : ` (${status.comment})`}`;
    case 'due':
      return `${dueWhy(status)}${status.deadline === undefined ? '' : `, by ${ukDate(status.deadline, timeZone)}`}`;
    case 'overdue':
      return `Overdue: ${dueWhy(status).toLowerCase()}; the deadline was ${ukDate(status.deadline, timeZone)}`;
  }

  function dueWhy(due: Extract<PersonStatus, { kind: 'due' | 'overdue' }>): string {
    switch (due.reason) {
      case 'never-signed':
        return `Has not signed yet (${versionName(due.versionNumber)} to sign)`;
      case 'material-change':
        return `Must sign ${versionName(due.versionNumber)}: it changed since ${due.lastSignedVersion === undefined ? 'the last signature' : versionName(due.lastSignedVersion)}`;
      case 'renewal':
        return `Renewal due: must sign ${versionName(due.versionNumber)} again`;
    }
  }
}
