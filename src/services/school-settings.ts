import type { AuditEvent } from '../domain/audit-event.ts';
import { CountersignError } from '../domain/errors.ts';
import { schoolSchema, type School } from '../domain/school.ts';
import {
  changedSettings,
  pickSettings,
  type StoredSchoolSettings,
} from '../domain/school-settings.ts';
import type { Clock } from '../ports/clock.ts';
import type { RecordStore } from '../ports/record-store.ts';
import type { SettingsStore } from '../ports/settings-store.ts';
import type { Actor } from './actor.ts';
import { requireRole } from './require-role.ts';

export interface SchoolSettingsDeps {
  store: SettingsStore;
  records: Pick<RecordStore, 'appendAudit'>;
  clock: Clock;
  newId: () => string;
}

/** How a change came about, in its audit event. */
export type SettingsSource = 'bootstrap' | 'import' | 'admin';

/** The actor id of changes no person made in the tab. */
const ACTOR_OF: Record<Exclude<SettingsSource, 'admin'>, string> = {
  bootstrap: 'bootstrap',
  import: 'cli',
};

/**
 * Every stored change is a signed `settings.changed` event in the audit log, naming the settings
 * it changed with their values before and after: the history of a school's settings. It is
 * written after the row (so it never claims a change that did not happen); should that write
 * fail, the error reaches the caller and the row's UpdatedBy and revision still say who and when.
 */
async function audit(
  deps: SchoolSettingsDeps,
  actorId: string,
  source: SettingsSource,
  before: School | undefined,
  after: StoredSchoolSettings,
  changed: readonly string[],
): Promise<void> {
  const event: AuditEvent = {
    id: deps.newId(),
    type: 'settings.changed',
    actorId,
    at: after.updatedAt,
    subject: `settings:${after.school.id}`,
    details: {
      schoolId: after.school.id,
      revision: after.revision,
      source,
      changed: [...changed],
      before: pickSettings(before, changed),
      after: pickSettings(after.school, changed),
    },
  };
  await deps.records.appendAudit([event]);
}

/**
 * A fresh site's first settings come from COUNTERSIGN_SCHOOL: when the list holds nothing for
 * the school, the bootstrap JSON is stored as revision 1. Once a row exists the list is the
 * source of truth and the environment's JSON is not read again.
 */
export async function seedSchoolSettings(
  deps: SchoolSettingsDeps,
  bootstrap: School,
): Promise<{ seeded: boolean; settings: StoredSchoolSettings }> {
  const found = await deps.store.get(bootstrap.id);
  if (found !== null) return { seeded: false, settings: found };
  const write = { by: ACTOR_OF.bootstrap, at: deps.clock.now().toISOString() };
  let stored: StoredSchoolSettings;
  try {
    stored = await deps.store.create(bootstrap, write);
  } catch (error) {
    // Two instances starting together: the other one seeded it.
    if (error instanceof CountersignError && error.code === 'conflict') {
      const other = await deps.store.get(bootstrap.id);
      if (other !== null) return { seeded: false, settings: other };
    }
    throw error;
  }
  await audit(
    deps,
    ACTOR_OF.bootstrap,
    'bootstrap',
    undefined,
    stored,
    changedSettings(undefined, bootstrap),
  );
  return { seeded: true, settings: stored };
}

export type ImportOutcome =
  | { kind: 'created'; settings: StoredSchoolSettings; changed: string[] }
  | { kind: 'updated'; settings: StoredSchoolSettings; changed: string[] }
  | { kind: 'unchanged'; settings: StoredSchoolSettings; changed: [] };

/**
 * `countersign settings import`: today's COUNTERSIGN_SCHOOL JSON into the settings list, created
 * when the school has no row and replacing it otherwise (a change audited as made by "cli").
 * Running it twice changes nothing the second time.
 */
export async function importSchoolSettings(
  deps: SchoolSettingsDeps,
  school: School,
): Promise<ImportOutcome> {
  const parsed = schoolSchema.parse(school);
  const write = { by: ACTOR_OF.import, at: deps.clock.now().toISOString() };
  const current = await deps.store.get(parsed.id);
  if (current === null) {
    const settings = await deps.store.create(parsed, write);
    const changed = changedSettings(undefined, parsed);
    await audit(deps, ACTOR_OF.import, 'import', undefined, settings, changed);
    return { kind: 'created', settings, changed };
  }
  const changed = changedSettings(current.school, parsed);
  if (changed.length === 0) return { kind: 'unchanged', settings: current, changed: [] };
  const settings = await deps.store.replace(parsed, current.revision, write);
  await audit(deps, ACTOR_OF.import, 'import', current.school, settings, changed);
  return { kind: 'updated', settings, changed };
}

/**
 * An admin saves the school's settings from the Admin view: only a Policy.Admin, only their own
 * school, only over the revision they read (a concurrent edit is a 'conflict' to read again).
 */
export async function saveSchoolSettings(
  deps: SchoolSettingsDeps,
  actor: Actor,
  input: { schoolId: string; school: School; expectedRevision: number },
): Promise<{ settings: StoredSchoolSettings; changed: string[] }> {
  requireRole(actor, 'Policy.Admin');
  const parsed = schoolSchema.safeParse(input.school);
  if (!parsed.success) {
    throw new CountersignError(
      'validation',
      `These settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  }
  if (parsed.data.id !== input.schoolId) {
    throw new CountersignError('validation', "A school's id cannot be changed.", { field: 'id' });
  }
  const current = await deps.store.get(input.schoolId);
  if (current === null) {
    throw new CountersignError('not-found', `School ${input.schoolId} has no settings.`);
  }
  const changed = changedSettings(current.school, parsed.data);
  if (changed.length === 0 && current.revision === input.expectedRevision) {
    return { settings: current, changed: [] };
  }
  const settings = await deps.store.replace(parsed.data, input.expectedRevision, {
    by: actor.id,
    at: deps.clock.now().toISOString(),
  });
  await audit(deps, actor.id, 'admin', current.school, settings, changed);
  return { settings, changed };
}
