import { SERVICE_ACTOR } from '../domain/audit-event.ts';
import {
  recordsCheckDue,
  recordsCheckLine,
  recordsCheckSchema,
  summariseCheck,
  type RecordsCheck,
} from '../domain/evidence/records-check.ts';
import type { Actor } from './actor.ts';
import { readCheckpoints } from './read-checkpoints.ts';
import { requireRole } from './require-role.ts';
import type { ServiceContext } from './service-context.ts';
import { verifyStoredEvidence } from './verify-stored-evidence.ts';

/**
 * The subject of a check from before each school of a trust ran its own: it verified the whole
 * site, so it stands as the latest check of every school until that school runs one.
 */
const SITE_CHECK_SUBJECT = 'records-check';

/** The subject of a school's `records.checked` events: each school of a trust runs its own. */
export function recordsCheckSubject(schoolId: string): string {
  return `${SITE_CHECK_SUBJECT}:${schoolId}`;
}

/** How far back the latest check is looked for: a week of nights, so a lapse still shows. */
const LOOK_BACK_MS = 8 * 24 * 60 * 60 * 1000;

/** What the Admin view and the digest show: the latest check and its line. */
export interface RecordsCheckView {
  check: RecordsCheck | null;
  line: string;
  /** The failures in plain words (the first few). */
  details: string[];
}

/**
 * Runs verify over the service's own record store with the published key ring (and the legacy
 * seal key, so rows from before signatures verify) and the signed checkpoints, and keeps the result as a `records.checked`
 * audit event: in SharePoint with the rest of the log, signed and chained like every event, so it
 * is itself evidence and needs no second store that could disagree with the site.
 */
export async function runRecordsCheck(ctx: ServiceContext): Promise<RecordsCheck> {
  const [stored, checkpoints] = await Promise.all([
    ctx.records.readEvidence(),
    ctx.checkpoints === undefined ? [] : readCheckpoints(ctx.checkpoints),
  ]);
  // Held to the latest checkpoint, from the site or a copy outside it: an event deleted,
  // inserted or reordered before it, or a chain cut back behind it, fails the check.
  const report = verifyStoredEvidence(stored, ctx.evidence.keyRing, ctx.sealKey, checkpoints);
  const at = ctx.clock.now().toISOString();
  const check = summariseCheck(report, at);
  await ctx.records.appendAudit([
    {
      id: ctx.newId(),
      type: 'records.checked',
      actorId: SERVICE_ACTOR,
      at,
      subject: recordsCheckSubject(ctx.school.id),
      details: check,
    },
  ]);
  return check;
}

/**
 * The school's latest check the log holds (one filtered read), or null: its own, or a site-wide
 * one from before checks were per school. Another school's check is not this school's.
 */
export async function latestRecordsCheck(ctx: ServiceContext): Promise<RecordsCheck | null> {
  const since = new Date(ctx.clock.now().getTime() - LOOK_BACK_MS).toISOString();
  const events = await ctx.records.listAudit({ type: 'records.checked', since });
  const own = recordsCheckSubject(ctx.school.id);
  for (const event of [...events].reverse()) {
    if (event.subject !== own && event.subject !== SITE_CHECK_SUBJECT) continue;
    // An event edited into something else is verify's finding; here it is not the latest check.
    const parsed = recordsCheckSchema.safeParse(event.details);
    if (parsed.success) return parsed.data;
  }
  return null;
}

export function recordsCheckView(check: RecordsCheck | null, timeZone: string): RecordsCheckView {
  return { check, ...recordsCheckLine(check, timeZone) };
}

/** GET /api/admin/records-check: Policy.Admin only. */
export async function recordsCheckFor(
  ctx: ServiceContext,
  actor: Actor,
): Promise<RecordsCheckView> {
  requireRole(actor, 'Policy.Admin');
  return recordsCheckView(await latestRecordsCheck(ctx), ctx.school.timeZone);
}

/** What the scheduled work runs: the check when due, and the latest for the digest. */
export interface RecordsCheckRunner {
  /** Runs the check when it is due (nightly, or none in 24 h); the check run, or null. */
  runIfDue(now: Date): Promise<RecordsCheck | null>;
  /** The latest check and its line (for the admin digest). */
  latest(): Promise<RecordsCheckView>;
}

/**
 * The runner keeps the time of the last check it knows, so the scheduled work (every few
 * minutes) reads the log only when that says a check is due, and then reads it once more in case
 * another instance ran it meanwhile.
 */
export function recordsCheckRunner(ctx: ServiceContext): RecordsCheckRunner {
  let lastAt: string | undefined;
  let known = false;
  return {
    async runIfDue(now) {
      if (known && !recordsCheckDue(now, lastAt, ctx.school.timeZone)) return null;
      lastAt = (await latestRecordsCheck(ctx))?.at;
      known = true;
      if (!recordsCheckDue(now, lastAt, ctx.school.timeZone)) return null;
      const check = await runRecordsCheck(ctx);
      lastAt = check.at;
      ctx.telemetry?.count('countersign.records_check.results', {
        result: check.ok ? 'ok' : 'failed',
        failures: check.failures,
      });
      return check;
    },
    async latest() {
      const check = await latestRecordsCheck(ctx);
      if (check !== null) {
        lastAt = check.at;
        known = true;
      }
      return recordsCheckView(check, ctx.school.timeZone);
    },
  };
}
