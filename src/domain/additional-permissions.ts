import { CountersignError } from './errors.ts';
import type { School } from './school.ts';

/**
 * The "additional permissions" an approver may grant beyond the role's usual access (the AUP's
 * approval section), offered when the school lists none of its own.
 */
export const DEFAULT_PERMISSION_CHOICES: readonly string[] = [
  'Admin rights',
  'Remote access',
  'Finance systems',
];

/** The longest permission a decision records, and the most of them. */
const MAX_PERMISSION_LENGTH = 200;
const MAX_PERMISSIONS = 20;

export function permissionChoicesOf(school: Pick<School, 'permissionChoices'>): readonly string[] {
  return school.permissionChoices ?? DEFAULT_PERMISSION_CHOICES;
}

/**
 * The permissions a decision records: trimmed, blanks and repeats dropped, a free-text entry
 * that matches a listed choice but for case written as the choice (so "remote access" and
 * "Remote access" are one permission in the people view). Free text stays possible: a school's
 * list cannot foresee every system.
 */
export function normalisePermissions(
  chosen: readonly string[],
  choices: readonly string[],
): string[] {
  const byLower = new Map(choices.map((c) => [c.toLowerCase(), c]));
  const out: string[] = [];
  for (const raw of chosen) {
    const trimmed = raw.trim().replace(/\s+/g, ' ');
    if (trimmed === '') continue;
    const value = byLower.get(trimmed.toLowerCase()) ?? trimmed;
    if (value.length > MAX_PERMISSION_LENGTH) {
      throw new CountersignError(
        'validation',
        `A permission is at most ${MAX_PERMISSION_LENGTH} characters.`,
        { field: 'additionalPermissions' },
      );
    }
    if (!out.includes(value)) out.push(value);
  }
  if (out.length > MAX_PERMISSIONS) {
    throw new CountersignError('validation', `At most ${MAX_PERMISSIONS} permissions.`, {
      field: 'additionalPermissions',
    });
  }
  return out;
}
