import { z } from 'zod';
import type { AuditEvent } from '../domain/audit-event.ts';
import { CountersignError } from '../domain/errors.ts';
import type { School } from '../domain/school.ts';
import type { StoredSchoolSettings } from '../domain/school-settings.ts';
import type { Directory, DirectoryGroup } from '../ports/directory.ts';
import type { RecordStore } from '../ports/record-store.ts';
import type { Actor } from './actor.ts';
import type { ActorSchool } from './actor-school.ts';
import { requireRole } from './require-role.ts';
import { saveSchoolSettings, type SchoolSettingsDeps } from './school-settings.ts';

/** One change in a school's settings history, as the Admin view lists it (newest first). */
export interface SettingsChange {
  eventId: string;
  at: string;
  revision: number;
  source: 'bootstrap' | 'import' | 'admin';
  /** Entra object id, or "bootstrap" / "cli". */
  actorId: string;
  /** The person's display name when the directory knows them; otherwise the id. */
  actorName: string;
  changed: string[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** The Admin view's settings page: read, save over a revision, and the history of changes. */
export interface SchoolSettingsAdmin {
  read(actor: Actor): Promise<StoredSchoolSettings>;
  save(
    actor: Actor,
    input: { settings: School; expectedRevision: number },
  ): Promise<{ stored: StoredSchoolSettings; changed: string[] }>;
  history(actor: Actor): Promise<SettingsChange[]>;
  /** The group picker: Entra groups whose names have words beginning with the search's. */
  searchGroups(actor: Actor, search: string): Promise<DirectoryGroup[]>;
}

export interface SchoolSettingsAdminDeps {
  settings: SchoolSettingsDeps & { records: Pick<RecordStore, 'appendAudit' | 'listAudit'> };
  directory: Pick<Directory, 'getPerson' | 'searchGroups'>;
  actorSchool: ActorSchool;
  /** After a save: read the list again so this instance's live settings hold the change now. */
  afterSave?: () => Promise<unknown>;
}

/** The most changes the history shows (an admin's edits: a handful a term). */
const HISTORY_LIMIT = 100;

/** The details every settings.changed event carries (school-settings.ts writes them). */
const changeDetailsSchema = z.object({
  schoolId: z.string(),
  revision: z.number().int(),
  source: z.enum(['bootstrap', 'import', 'admin']),
  changed: z.array(z.string()),
  before: z.record(z.string(), z.unknown()),
  after: z.record(z.string(), z.unknown()),
});

async function namesOf(
  directory: Pick<Directory, 'getPerson'>,
  events: readonly AuditEvent[],
): Promise<Map<string, string>> {
  const ids = [...new Set(events.map((e) => e.actorId))].filter(
    (id) => id !== 'bootstrap' && id !== 'cli',
  );
  const people = await Promise.all(ids.map((id) => directory.getPerson(id)));
  return new Map(
    people.flatMap((person) => (person === null ? [] : [[person.id, person.displayName]])),
  );
}

export function createSchoolSettingsAdmin(deps: SchoolSettingsAdminDeps): SchoolSettingsAdmin {
  const schoolOf = async (actor: Actor): Promise<string> => {
    requireRole(actor, 'Policy.Admin');
    return deps.actorSchool(actor);
  };
  return {
    async read(actor) {
      const schoolId = await schoolOf(actor);
      const stored = await deps.settings.store.get(schoolId);
      if (stored === null) {
        throw new CountersignError('not-found', `School ${schoolId} has no settings.`);
      }
      return stored;
    },

    async save(actor, input) {
      const schoolId = await schoolOf(actor);
      // A school admin saves their own school only: naming another is refused before any read.
      if (input.settings.id !== schoolId) {
        throw new CountersignError('forbidden', `You administer ${schoolId} only.`, {
          schoolId: input.settings.id,
        });
      }
      const { settings: stored, changed } = await saveSchoolSettings(deps.settings, actor, {
        schoolId,
        school: input.settings,
        expectedRevision: input.expectedRevision,
      });
      await deps.afterSave?.();
      return { stored, changed };
    },

    async history(actor) {
      const schoolId = await schoolOf(actor);
      // settings.changed is a rare event type: the store filters on it (under the threshold).
      // A school's events name it as their subject; their details are what school-settings.ts
      // wrote, and one that is not fails the history rather than vanishing from it.
      const events = (await deps.settings.records.listAudit({ type: 'settings.changed' }))
        .filter((event) => event.subject === `settings:${schoolId}`)
        .reverse()
        .slice(0, HISTORY_LIMIT);
      const names = await namesOf(deps.directory, events);
      return events.map((event) => {
        const details = changeDetailsSchema.parse(event.details);
        return {
          eventId: event.id,
          at: event.at,
          revision: details.revision,
          source: details.source,
          actorId: event.actorId,
          actorName: names.get(event.actorId) ?? event.actorId,
          changed: details.changed,
          before: details.before,
          after: details.after,
        };
      });
    },

    async searchGroups(actor, search) {
      await schoolOf(actor);
      return deps.directory.searchGroups(search);
    },
  };
}
