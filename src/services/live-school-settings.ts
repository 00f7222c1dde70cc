import { schoolSchema, type School } from '../domain/school.ts';
import type { StoredSchoolSettings } from '../domain/school-settings.ts';
import { seedSchoolSettings, type SchoolSettingsDeps } from './school-settings.ts';

export interface LiveSchoolSettings {
  /**
   * The school as the settings list last said, read property by property: the services hold
   * this one object, so a change saved in the Admin view reaches them at the next refresh.
   */
  readonly school: School;
  /** The stored settings (revision 0 until the list has been read once). */
  current(): Promise<StoredSchoolSettings>;
  /** Read the list again now (after a save through this instance). */
  refresh(): Promise<StoredSchoolSettings>;
}

export interface LiveSchoolSettingsOptions {
  deps: SchoolSettingsDeps;
  /** COUNTERSIGN_SCHOOL: seeds the list when it holds nothing for the school; used until then. */
  bootstrap: School;
  /** How long a read is reused (default 15 s): another instance's save is seen within it. */
  ttlMs?: number;
  /** A failed read (Graph down): the last known settings stay in use and the read is retried. */
  onError: (error: unknown) => void;
}

/**
 * One instance's view of its school's settings (issue 14): seeded from the bootstrap JSON when the
 * list has no row for the school, then read from the list, at most once per ttl. A failed read
 * keeps the settings last read (the bootstrap before the first), so an outage of Graph does not
 * take anyone's role away mid-morning; it is reported and read again once the ttl has passed.
 */
export function createLiveSchoolSettings(options: LiveSchoolSettingsOptions): LiveSchoolSettings {
  const ttlMs = options.ttlMs ?? 15_000;
  let snapshot: StoredSchoolSettings = {
    school: options.bootstrap,
    revision: 0,
    updatedAt: options.deps.clock.now().toISOString(),
    updatedBy: 'bootstrap',
  };
  let readAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<StoredSchoolSettings> | undefined;

  const load = (): Promise<StoredSchoolSettings> => {
    loading ??= seedSchoolSettings(options.deps, options.bootstrap)
      .then(
        ({ settings }) => {
          snapshot = settings;
          return settings;
        },
        (error: unknown) => {
          options.onError(error);
          return snapshot;
        },
      )
      .finally(() => {
        readAt = options.deps.clock.now().getTime();
        loading = undefined;
      });
    return loading;
  };

  const school = {} as School;
  for (const key of Object.keys(schoolSchema.shape)) {
    Object.defineProperty(school, key, {
      enumerable: true,
      get: () => (snapshot.school as Record<string, unknown>)[key],
    });
  }

  return {
    school,
    current() {
      const fresh = options.deps.clock.now().getTime() - readAt < ttlMs;
      return fresh ? Promise.resolve(snapshot) : load();
    },
    refresh: load,
  };
}
