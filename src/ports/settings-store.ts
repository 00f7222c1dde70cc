import type { School } from '../domain/school.ts';
import type { StoredSchoolSettings } from '../domain/school-settings.ts';

export interface SettingsWrite {
  /** Who stores them (an Entra object id, or "bootstrap" / "cli"). */
  by: string;
  /** ISO 8601 UTC. */
  at: string;
}

/**
 * Each school's settings (the site's CountersignSettings list: one row per SchoolId, so the
 * schools of a trust sit side by side). Writes are checked: a create of a school that has
 * settings, or a replace that names a revision no longer current, is refused with 'conflict'.
 */
export interface SettingsStore {
  /** Every school's settings, in SchoolId order. */
  list(): Promise<StoredSchoolSettings[]>;
  get(schoolId: string): Promise<StoredSchoolSettings | null>;
  /** Stores a school's first settings (revision 1). @throws CountersignError('conflict') */
  create(school: School, write: SettingsWrite): Promise<StoredSchoolSettings>;
  /**
   * Replaces a school's settings when `expectedRevision` is still the stored one (revision + 1).
   * @throws CountersignError('conflict') when another change came first, 'not-found' when none.
   */
  replace(
    school: School,
    expectedRevision: number,
    write: SettingsWrite,
  ): Promise<StoredSchoolSettings>;
}
