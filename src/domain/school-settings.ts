import { canonicalJson } from './canonical-json.ts';
import { CountersignError } from './errors.ts';
import type { School } from './school.ts';

/** A school's settings as stored in the site's settings list: one row per school (SchoolId). */
export interface StoredSchoolSettings {
  school: School;
  /** 1 when first stored; each change adds one (a save names the revision it edited). */
  revision: number;
  /** ISO 8601 UTC. */
  updatedAt: string;
  /** Entra object id of whoever stored it ("bootstrap" when seeded from COUNTERSIGN_SCHOOL). */
  updatedBy: string;
}

/**
 * The top-level settings that differ between two versions of a school's settings, sorted: what
 * the `settings.changed` audit event names, so the history says which settings each change made.
 */
export function changedSettings(before: School | undefined, after: School): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  const b = (before ?? {}) as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  return [...keys]
    .filter((key) => canonicalJson(b[key] ?? null) !== canonicalJson(a[key] ?? null))
    .sort();
}

/** Only the named settings of a school (for an audit event's before and after). */
export function pickSettings(
  school: School | undefined,
  keys: readonly string[],
): Record<string, unknown> {
  const source = (school ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => k in source).map((k) => [k, source[k]]));
}

/** The refusal of a save that names a revision no longer current (another change came first). */
export function staleRevision(
  schoolId: string,
  expected: number,
  current: number,
): CountersignError {
  return new CountersignError(
    'conflict',
    `The settings of ${schoolId} changed since revision ${expected} was read (now revision ${current}): read them again.`,
    { schoolId, expectedRevision: expected, currentRevision: current },
  );
}
