import type { Acknowledgement } from '../domain/acknowledgement.ts';
import type { Approval } from '../domain/approval.ts';
import { CountersignError } from '../domain/errors.ts';
import { typedNameDiffers } from '../domain/name-match.ts';
import type { PersonStatus, PersonStatusKind } from '../domain/person-status.ts';
import { computeStatus } from '../domain/status.ts';
import type { Actor } from './actor.ts';
import { resolveAudienceMembers } from './audiences.ts';
import type {
  PeoplePage,
  PeopleQuery,
  PersonRow,
  SignatureSummary,
} from './countersign-service.ts';
import { loadPolicy, runningDeadline } from './policy-versions.ts';
import { requireRole } from './require-role.ts';
import type { ServiceContext } from './service-context.ts';

const MAX_PAGE = 500;
/**
 * People whose status is computed before the report gives the event loop back: a report of
 * 20,000 must not hold signs and health checks waiting while it runs (a slice is a few ms).
 */
const SLICE = 500;
const byName = new Intl.Collator('en-GB');

/** Lets whatever else is waiting (requests, timers) run before the next slice. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface ReportRow extends PersonRow {
  status: PersonStatus;
}

/** The signature a status rests on: the latest one, which the status names by version and time. */
function signatureOf(
  status: PersonStatus,
  acks: readonly Acknowledgement[],
): SignatureSummary | undefined {
  if (
    status.kind !== 'signed' &&
    status.kind !== 'awaiting-approval' &&
    status.kind !== 'rejected'
  ) {
    return undefined;
  }
  const ack = acks.find(
    (a) => a.versionNumber === status.versionNumber && a.signedAt === status.signedAt,
  );
  if (ack === undefined) return undefined;
  return {
    acknowledgementId: ack.id,
    typedName: ack.typedName,
    statedRole: ack.statedRole,
    displayName: ack.displayName,
    upn: ack.upn,
    typedNameDiffers: typedNameDiffers(ack.typedName, ack.displayName),
  };
}

/**
 * Everyone in the policy's audiences with their status. Costs a fixed number of Graph reads
 * whatever the audience size: one paged member listing per group, one paged listing of the
 * policy's acknowledgements, the versions and running campaigns. Never a query per person.
 */
async function buildReport(
  ctx: ServiceContext,
  query: Omit<PeopleQuery, 'cursor' | 'pageSize'>,
): Promise<ReportRow[]> {
  const loaded = await loadPolicy(ctx.records, query.policyKey);
  const audienceKeys = loaded.policy.audiences.filter(
    (a) => query.audience === undefined || a === query.audience,
  );
  const needsApprovals = loaded.policy.approvalMode !== 'none';
  const [members, acks, approvalRows, deadline] = await Promise.all([
    resolveAudienceMembers(ctx.directory, ctx.school, audienceKeys),
    ctx.records.listAcknowledgements({ policyKey: query.policyKey }),
    // The decisions, from the Approvals list (one paged read), not the acknowledgement column.
    needsApprovals ? ctx.records.listApprovals({}) : Promise.resolve([]),
    loaded.current
      ? runningDeadline(ctx.records, query.policyKey, loaded.current.number)
      : Promise.resolve(undefined),
  ]);
  const approvalsByUser = new Map<string, Approval[]>();
  for (const { value } of approvalRows) {
    const list = approvalsByUser.get(value.userId);
    if (list) list.push(value);
    else approvalsByUser.set(value.userId, [value]);
  }
  const byUser = new Map<string, Acknowledgement[]>();
  for (const ack of acks) {
    const list = byUser.get(ack.userId);
    if (list) list.push(ack);
    else byUser.set(ack.userId, [ack]);
  }
  const now = ctx.clock.now();
  const search = query.search?.trim().toLowerCase();
  const rows: ReportRow[] = [];
  let done = 0;
  for (const { person, audiences } of members.values()) {
    if (++done % SLICE === 0) await yieldToEventLoop();
    if (
      search &&
      !person.displayName.toLowerCase().includes(search) &&
      !person.userPrincipalName.toLowerCase().includes(search)
    ) {
      continue;
    }
    const signatures = byUser.get(person.id) ?? [];
    const status = computeStatus({
      policy: loaded.policy,
      versions: loaded.versions,
      acknowledgements: signatures,
      approvals: approvalsByUser.get(person.id) ?? [],
      personAudiences: audiences,
      timeZone: ctx.school.timeZone,
      now,
      ...(deadline !== undefined ? { deadline } : {}),
      viewHash: ctx.viewHash,
    });
    if (query.status !== undefined && status.kind !== query.status) continue;
    const signature = signatureOf(status, signatures);
    rows.push({
      id: person.id,
      displayName: person.displayName,
      upn: person.userPrincipalName,
      audiences,
      statuses: { [query.policyKey]: status },
      ...(signature === undefined ? {} : { signature }),
      status,
    });
  }
  await yieldToEventLoop();
  return rows.sort((a, b) => byName.compare(a.displayName, b.displayName));
}

function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const offset = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) {
    throw new CountersignError('validation', 'That page cursor is not valid.', { field: 'cursor' });
  }
  return offset;
}

export async function peopleStatus(
  ctx: ServiceContext,
  actor: Actor,
  query: PeopleQuery,
): Promise<PeoplePage> {
  requireRole(actor, 'Policy.Admin');
  const rows = await buildReport(ctx, query);
  const totals: PeoplePage['totals'] = {};
  for (const row of rows) {
    for (const audience of row.audiences) {
      const counts = (totals[audience] ??= {});
      counts[row.status.kind] = (counts[row.status.kind] ?? 0) + 1;
    }
  }
  const offset = decodeCursor(query.cursor);
  const size = Math.min(Math.max(query.pageSize ?? 50, 1), MAX_PAGE);
  const page = rows.slice(offset, offset + size).map(({ status: _status, ...row }) => row);
  const next = offset + size;
  return {
    rows: page,
    total: rows.length,
    totals,
    ...(next < rows.length
      ? { nextCursor: Buffer.from(String(next), 'utf8').toString('base64url') }
      : {}),
  };
}

function describe(status: PersonStatus): {
  label: PersonStatusKind;
  version: string;
  date: string;
} {
  switch (status.kind) {
    case 'not-required':
      return { label: status.kind, version: '', date: '' };
    case 'due':
      return {
        label: status.kind,
        version: String(status.versionNumber),
        date: status.deadline ?? '',
      };
    case 'overdue':
      return { label: status.kind, version: String(status.versionNumber), date: status.deadline };
    case 'signed':
      return { label: status.kind, version: String(status.versionNumber), date: status.signedAt };
    case 'awaiting-approval':
      return { label: status.kind, version: String(status.versionNumber), date: status.signedAt };
    case 'rejected':
      return { label: status.kind, version: String(status.versionNumber), date: status.signedAt };
  }
}

/**
 * The people report for a spreadsheet: a header row, then one row per person, values as they
 * are (the API writes the CSV and escapes it).
 */
export async function exportPeopleRows(
  ctx: ServiceContext,
  actor: Actor,
  query: Omit<PeopleQuery, 'cursor' | 'pageSize'>,
): Promise<string[][]> {
  requireRole(actor, 'Policy.Admin');
  const rows = await buildReport(ctx, query);
  // The signature's columns come after the original ones, so existing spreadsheets still line up.
  const table = [
    [
      'Name',
      'UPN',
      'Audiences',
      'Status',
      'Version',
      'Signed or due (UTC)',
      'Valid until (UTC)',
      'Typed name',
      'Stated role',
      'Account when signed',
      'Typed name differs from account',
    ],
  ];
  for (const row of rows) {
    const d = describe(row.status);
    const validUntil = row.status.kind === 'signed' ? row.status.validUntil : '';
    const sig = row.signature;
    table.push([
      row.displayName,
      row.upn,
      row.audiences.join(' '),
      d.label,
      d.version,
      d.date,
      validUntil,
      sig?.typedName ?? '',
      sig?.statedRole ?? '',
      sig === undefined ? '' : `${sig.displayName} (${sig.upn})`,
      sig === undefined ? '' : sig.typedNameDiffers ? 'Yes' : 'No',
    ]);
  }
  return table;
}
