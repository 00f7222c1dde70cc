import { z } from 'zod';
import { wallTimeAt } from './domain-imports.ts';
import { describeSubject } from './finding.ts';
import type { EvidenceReport } from './verify-evidence.ts';

/** How many findings a stored check keeps word for word (the rest are counted by code). */
export const KEPT_FINDINGS = 20;

const held = z.object({ rows: z.number().int().min(0), holding: z.number().int().min(0) });

/**
 * The result of one records check (the service's nightly verify), as stored in the details of its
 * `records.checked` audit event: signed into the chain like every event, so the line an admin is
 * shown cannot be edited quietly either. Parsed with this schema when read back.
 */
export const recordsCheckSchema = z.object({
  /** ISO 8601 UTC: when the check ran. */
  at: z.iso.datetime(),
  ok: z.boolean(),
  counts: z.object({
    acknowledgements: held,
    approvalDecisions: held,
    versions: held,
    auditEvents: held,
    /** Acknowledgements from before signatures (legacy seals). */
    legacyAcknowledgements: z.number().int().min(0),
  }),
  failures: z.number().int().min(0),
  warnings: z.number().int().min(0),
  /** Every finding's code, counted. */
  byCode: z.record(z.string(), z.number().int().min(0)),
  /** The first findings, failures first, in plain words. */
  findings: z
    .array(
      z.object({
        code: z.string(),
        severity: z.enum(['failure', 'warning']),
        subject: z.string(),
        message: z.string(),
      }),
    )
    .max(KEPT_FINDINGS),
});
export type RecordsCheck = z.infer<typeof recordsCheckSchema>;

/** A verify report as a stored check: counts of each kind, findings by code, the first few. */
export function summariseCheck(report: EvidenceReport, at: string): RecordsCheck {
  const byCode: Record<string, number> = {};
  for (const f of report.findings) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
  const ordered = [
    ...report.findings.filter((f) => f.severity === 'failure'),
    ...report.findings.filter((f) => f.severity === 'warning'),
  ];
  const { acknowledgements, approvalDecisions, versions, auditEvents } = report.counts;
  const failures = report.findings.filter((f) => f.severity === 'failure').length;
  return {
    at,
    ok: report.ok,
    counts: {
      acknowledgements,
      approvalDecisions,
      versions,
      auditEvents,
      legacyAcknowledgements: report.counts.legacyAcknowledgements,
    },
    failures,
    warnings: report.findings.length - failures,
    byCode,
    findings: ordered.slice(0, KEPT_FINDINGS).map((f) => ({
      code: f.code,
      severity: f.severity,
      subject: describeSubject(f.subject),
      message: f.message.slice(0, 500),
    })),
  };
}

/** Every record the check read. */
export function recordsChecked(check: RecordsCheck): { rows: number; holding: number } {
  const { acknowledgements, approvalDecisions, versions, auditEvents } = check.counts;
  const lists = [acknowledgements, approvalDecisions, versions, auditEvents];
  return {
    rows: lists.reduce((sum, l) => sum + l.rows, 0),
    holding: lists.reduce((sum, l) => sum + l.holding, 0),
  };
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "3 December 2026 at 02:15", in the school's time zone. */
function ukDateTime(iso: string, timeZone: string): string {
  const wall = wallTimeAt(new Date(iso), timeZone);
  const hh = String(wall.hour).padStart(2, '0');
  const mm = String(wall.minute).padStart(2, '0');
  return `${wall.day} ${MONTHS[wall.month - 1] ?? ''} ${wall.year} at ${hh}:${mm}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

/**
 * The one line the Admin view and the admin digest both show: "Records check: all N hold, last
 * checked 3 December 2026 at 02:15", or how many failed; `details` are the failures in plain
 * words (the first few).
 */
export function recordsCheckLine(
  check: RecordsCheck | null,
  timeZone: string,
): { line: string; details: string[] } {
  if (check === null) {
    return { line: 'Records check: not run yet (it runs every night).', details: [] };
  }
  const when = ukDateTime(check.at, timeZone);
  const { rows } = recordsChecked(check);
  if (check.ok) {
    const warned = check.warnings === 0 ? '' : ` (${plural(check.warnings, 'warning')})`;
    return {
      line: `Records check: all ${rows.toLocaleString('en-GB')} hold, last checked ${when}${warned}.`,
      details: [],
    };
  }
  return {
    line: `Records check: ${plural(check.failures, 'problem')} found in ${plural(rows, 'record')}, last checked ${when}.`,
    details: check.findings.filter((f) => f.severity === 'failure').map((f) => f.message),
  };
}

/** The night window in the school's time zone: the check runs between 01:00 and 05:00. */
const NIGHT_FROM_HOUR = 1;
const NIGHT_TO_HOUR = 5;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whether the records check should run now: never run, none in the last 24 hours (the service was
 * down overnight, or has just started), or it is night in the school's time zone and none has run
 * since tonight's window opened.
 */
export function recordsCheckDue(now: Date, lastAt: string | undefined, timeZone: string): boolean {
  if (lastAt === undefined) return true;
  const since = now.getTime() - Date.parse(lastAt);
  if (!(since < DAY_MS)) return true;
  const wall = wallTimeAt(now, timeZone);
  if (wall.hour < NIGHT_FROM_HOUR || wall.hour >= NIGHT_TO_HOUR) return false;
  const intoNight =
    ((wall.hour - NIGHT_FROM_HOUR) * 60 + wall.minute) * 60_000 +
    wall.second * 1000 +
    wall.millisecond;
  return since > intoNight;
}
