import { CountersignError } from '../../domain/errors.ts';
import { schoolSchema, type School } from '../../domain/school.ts';
import { staleRevision, type StoredSchoolSettings } from '../../domain/school-settings.ts';
import type { SettingsStore, SettingsWrite } from '../../ports/settings-store.ts';

/** The SettingsStore in memory (tests): copies in and out, as a store would. */
export class MemorySettingsStore implements SettingsStore {
  readonly #rows = new Map<string, StoredSchoolSettings>();

  list(): Promise<StoredSchoolSettings[]> {
    const ids = [...this.#rows.keys()].sort();
    return Promise.resolve(
      ids.map((id) => structuredClone(this.#rows.get(id) as StoredSchoolSettings)),
    );
  }

  get(schoolId: string): Promise<StoredSchoolSettings | null> {
    const row = this.#rows.get(schoolId);
    return Promise.resolve(row === undefined ? null : structuredClone(row));
  }

  create(school: School, write: SettingsWrite): Promise<StoredSchoolSettings> {
    const parsed = schoolSchema.parse(school);
    if (this.#rows.has(parsed.id)) {
      return Promise.reject(
        new CountersignError('conflict', `School ${parsed.id} already has settings.`, {
          schoolId: parsed.id,
        }),
      );
    }
    return Promise.resolve(this.#store(parsed, 1, write));
  }

  replace(
    school: School,
    expectedRevision: number,
    write: SettingsWrite,
  ): Promise<StoredSchoolSettings> {
    const parsed = schoolSchema.parse(school);
    const current = this.#rows.get(parsed.id);
    if (current === undefined) {
      return Promise.reject(
        new CountersignError('not-found', `School ${parsed.id} has no settings.`, {
          schoolId: parsed.id,
        }),
      );
    }
    if (current.revision !== expectedRevision) {
      return Promise.reject(staleRevision(parsed.id, expectedRevision, current.revision));
    }
    return Promise.resolve(this.#store(parsed, current.revision + 1, write));
  }

  #store(school: School, revision: number, write: SettingsWrite): StoredSchoolSettings {
    const row = {
      school: structuredClone(school),
      revision,
      updatedAt: write.at,
      updatedBy: write.by,
    };
    this.#rows.set(school.id, row);
    return structuredClone(row);
  }
}
