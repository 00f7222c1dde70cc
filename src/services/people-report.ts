import type { SignatureFacts } from '../domain/acknowledgement.ts';
import type { Approval } from '../domain/approval.ts';
import { CountersignError } from '../domain/errors.ts';
import { typedNameDiffers } from '../domain/name-match.ts';
import { peopleExportRow, PEOPLE_EXPORT_HEADER } from '../domain/people-export.ts';
import type { PersonStatus } from '../domain/person-status.ts';
import { effectiveApprovalState, policyStatusBasis, statusWith } from '../domain/status.ts';
import { STATUS_KINDS, tallyStatuses, type StatusTally } from '../domain/status-counts.ts';
import type { Policy } from '../domain/policy.ts';
import type { Tagged } from '../ports/record-store.ts';
import type { Actor } from './actor.ts';
import { resolveAudienceMembers, type AudienceMember } from './audiences.ts';
import type {
  PeoplePage,
  PeopleQuery,
  PeopleSort,
  PersonRow,
  SignatureSummary,
} from './countersign-service.ts';
import { loadPolicy, runningDeadline, type LoadedPolicy } from './policy-versions.ts';
import { requireRole } from './require-role.ts';
import type { ReportInputs, ReportSnapshots, SnapshotStatuses } from './report-snapshot.ts';
import type { ServiceContext } from './service-context.ts';
import { pageInSlices, sortInSlices } from '../domain/sort-in-slices.ts';

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
  /** The signature the status rests on, and the decisions on this person's signatures. */
  acknowledgement?: SignatureFacts;
  approvals: readonly Approval[];
}

interface Report {
  loaded: LoadedPolicy;
  /** Everyone matching the audience and search filters, before the status filter. */
  tally: ReturnType<typeof tallyStatuses>;
  /** Those matching every filter, sorted. */
  rows: ReportRow[];
}

/** The signature a status rests on: the latest one, which the status names by version and time. */
function acknowledgementOf(
  status: PersonStatus,
  acks: readonly SignatureFacts[],
): SignatureFacts | undefined {
  if (
    status.kind !== 'signed' &&
    status.kind !== 'awaiting-approval' &&
    status.kind !== 'rejected'
  ) {
    return undefined;
  }
  return acks.find(
    (a) => a.versionNumber === status.versionNumber && a.signedAt === status.signedAt,
  );
}

function summaryOf(ack: SignatureFacts | undefined): SignatureSummary | undefined {
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
 * The snapshot kept for a policy when it can serve the policy as it is now: read for the same
 * audiences, and with the decisions when the policy needs approval.
 */
export function keptReportInputs(
  snapshots: ReportSnapshots | undefined,
  policy: Policy,
): ReportInputs | undefined {
  const kept = snapshots?.current(policy.key);
  return kept !== undefined &&
    sameKeys(kept.audienceKeys, policy.audiences) &&
    (policy.approvalMode === 'none' || kept.approvalsByUser !== null)
    ? kept
    : undefined;
}

/**
 * A report's inputs from what was read: everyone in the policy's audiences, the policy's
 * signatures, and (when it needs approval) the decisions. The school report and the trust report
 * (trust-report-read.ts) both make their snapshots here, so both count from the same shape.
 */
export function reportInputsFrom(
  policy: Policy,
  readAt: number,
  members: Map<string, AudienceMember>,
  acks: Iterable<SignatureFacts>,
  approvalRows: Iterable<Tagged<Approval>> | null,
): ReportInputs {
  const acksByUser = new Map<string, SignatureFacts[]>();
  for (const ack of acks) {
    const list = acksByUser.get(ack.userId);
    if (list) list.push(ack);
    else acksByUser.set(ack.userId, [ack]);
  }
  let approvalsByUser: Map<string, Approval[]> | null = null;
  if (approvalRows !== null) {
    approvalsByUser = new Map();
    for (const { value } of approvalRows) {
      const list = approvalsByUser.get(value.userId);
      if (list) list.push(value);
      else approvalsByUser.set(value.userId, [value]);
    }
  }
  return {
    readAt,
    audienceKeys: [...policy.audiences],
    members,
    acksByUser,
    approvalsByUser,
    changed: new Set(),
  };
}

/**
 * What the report is computed from: the snapshot kept for this policy when there is one (no
 * Graph read), else a full read, kept as the snapshot. A full read costs a fixed number of Graph
 * requests whatever the audience size: one paged member listing per group of every audience of
 * the policy, one paged listing of the policy's acknowledgements, the Approvals list when the
 * policy needs approval. Never a query per person.
 */
async function reportInputs(ctx: ServiceContext, loaded: LoadedPolicy): Promise<ReportInputs> {
  const { policy } = loaded;
  const needsApprovals = policy.approvalMode !== 'none';
  const snapshots = ctx.reportSnapshots;
  const kept = keptReportInputs(snapshots, policy);
  if (kept !== undefined) return kept;
  const mark = snapshots?.mark() ?? 0;
  const readAt = ctx.clock.now().getTime();
  const [members, acks, approvalRows] = await Promise.all([
    resolveAudienceMembers(ctx.directory, ctx.school, policy.audiences),
    // The signatures' facts only (no seal, consents or signed record): a 20,000-person policy's
    // listing is most of a cold report's bytes and parsing.
    ctx.records.listSignatureFacts({ policyKey: policy.key }),
    // The decisions, from the Approvals list (one paged read), not the acknowledgement column.
    needsApprovals ? ctx.records.listApprovals({}) : Promise.resolve(null),
  ]);
  const inputs = reportInputsFrom(policy, readAt, members, acks, approvalRows);
  snapshots?.keep(policy.key, inputs, mark);
  return inputs;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key) => b.includes(key));
}

/** What a report's statuses are computed with besides its inputs. */
export type StatusContext = Pick<ServiceContext, 'clock' | 'school' | 'viewHash'>;

/**
 * What every status of a report depends on besides the person's own records (the school's zone
 * too: a snapshot may be shared by services made for successive versions of the settings).
 */
function statusBasis(
  ctx: StatusContext,
  loaded: LoadedPolicy,
  deadline: string | undefined,
): string {
  return JSON.stringify([
    ctx.school.timeZone,
    loaded.policy,
    loaded.versions.map((v) => [v.policyKey, v.number, v.status, v.changeKind, v.contentHash]),
    deadline ?? null,
  ]);
}

/**
 * Everyone's status, from the snapshot's records: those already computed on the same basis are
 * reused until a renewal date or the deadline comes; people whose records changed since are
 * computed again. Computed in slices, giving the event loop back between them.
 */
async function statusesOf(
  ctx: StatusContext,
  loaded: LoadedPolicy,
  inputs: ReportInputs,
  deadline: string | undefined,
): Promise<Map<string, PersonStatus>> {
  const now = ctx.clock.now();
  const basis = statusBasis(ctx, loaded, deadline);
  const kept = inputs.statuses;
  const reuse =
    kept !== undefined && kept.complete && kept.basis === basis && now.getTime() < kept.holdsUntil;
  const deadlineAt = deadline === undefined ? Number.NaN : Date.parse(deadline);
  const statuses: SnapshotStatuses = reuse
    ? kept
    : {
        basis,
        holdsUntil: deadlineAt >= now.getTime() ? deadlineAt + 1 : Infinity,
        byUser: new Map(),
        complete: false,
      };
  // Taken now: a write landing while these are computed marks its person for the next report.
  const todo = reuse ? [...inputs.changed] : [...inputs.members.keys()];
  inputs.changed.clear();
  if (!reuse) inputs.statuses = statuses;
  let holdsUntil = statuses.holdsUntil;
  // Someone with no signature and no decision stands where everyone in the same audiences
  // stands: computed once per audience set, not once per person (a quarter of a large school).
  const unsignedByAudiences = new Map<string, PersonStatus>();
  // The policy's part of every status (its versions, history, material changes), worked out once.
  const policyBasis = policyStatusBasis(loaded.policy, loaded.versions);
  let done = 0;
  for (const userId of todo) {
    if (++done % SLICE === 0) await yieldToEventLoop();
    const member = inputs.members.get(userId);
    if (member === undefined) continue;
    const acknowledgements = inputs.acksByUser.get(userId) ?? [];
    const approvals = inputs.approvalsByUser?.get(userId) ?? [];
    const unsigned = acknowledgements.length === 0 && approvals.length === 0;
    const audienceSet = unsigned ? member.audiences.join('\u0000') : '';
    const status =
      (unsigned ? unsignedByAudiences.get(audienceSet) : undefined) ??
      statusWith(policyBasis, {
        acknowledgements,
        approvals,
        personAudiences: member.audiences,
        timeZone: ctx.school.timeZone,
        now,
        ...(deadline !== undefined ? { deadline } : {}),
        viewHash: ctx.viewHash,
      });
    if (unsigned) unsignedByAudiences.set(audienceSet, status);
    statuses.byUser.set(userId, status);
    if (status.kind === 'signed') holdsUntil = Math.min(holdsUntil, Date.parse(status.validUntil));
  }
  statuses.holdsUntil = holdsUntil;
  statuses.complete = true;
  return statuses.byUser;
}

/**
 * Everyone in the policy's audiences counted by status, as a report with no filter counts them
 * (its `overall`, `totals` and `people`): the trust report's figures for each school's policy.
 */
export async function tallyReport(
  ctx: StatusContext,
  loaded: LoadedPolicy,
  inputs: ReportInputs,
  deadline: string | undefined,
): Promise<StatusTally> {
  const statuses = await statusesOf(ctx, loaded, inputs, deadline);
  const counted: { audiences: string[]; kind: PersonStatus['kind'] }[] = [];
  let done = 0;
  for (const { person, audiences: all } of inputs.members.values()) {
    if (++done % SLICE === 0) await yieldToEventLoop();
    const audiences = all.filter((a) => loaded.policy.audiences.includes(a));
    if (audiences.length === 0) continue;
    const status = statuses.get(person.id);
    if (status === undefined) continue;
    counted.push({ audiences, kind: status.kind });
  }
  return tallyStatuses(counted);
}

/**
 * Someone the report lists: matched every filter. Light, so a 20,000-person report makes its
 * rows (ReportRow) for a page only; `acknowledgement` is looked up when first asked for.
 */
interface Candidate {
  person: AudienceMember['person'];
  audiences: string[];
  status: PersonStatus;
  signatures: readonly SignatureFacts[];
  approvals: readonly Approval[];
  acknowledgement?: SignatureFacts | null;
}

function acknowledgementOfCandidate(candidate: Candidate): SignatureFacts | undefined {
  if (candidate.acknowledgement === undefined) {
    candidate.acknowledgement = acknowledgementOf(candidate.status, candidate.signatures) ?? null;
  }
  return candidate.acknowledgement ?? undefined;
}

function rowOf(candidate: Candidate, policyKey: string): ReportRow {
  const { person, audiences, status, approvals } = candidate;
  const acknowledgement = acknowledgementOfCandidate(candidate);
  return {
    id: person.id,
    displayName: person.displayName,
    upn: person.userPrincipalName,
    audiences,
    statuses: { [policyKey]: status },
    status,
    ...(acknowledgement === undefined ? {} : { acknowledgement }),
    approvals,
  };
}

interface Candidates {
  loaded: LoadedPolicy;
  tally: ReturnType<typeof tallyStatuses>;
  /** Those matching every filter, unsorted. */
  candidates: Candidate[];
  compare: (a: Candidate, b: Candidate) => number;
}

/** Everyone in the policy's audiences (or the one asked for) with their status, unsorted. */
async function reportCandidates(
  ctx: ServiceContext,
  query: Omit<PeopleQuery, 'cursor' | 'pageSize'>,
): Promise<Candidates> {
  const loaded = await loadPolicy(ctx.records, query.policyKey);
  const audienceKeys = loaded.policy.audiences.filter(
    (a) => query.audience === undefined || a === query.audience,
  );
  const [inputs, deadline] = await Promise.all([
    reportInputs(ctx, loaded),
    loaded.current
      ? runningDeadline(ctx.records, query.policyKey, loaded.current.number)
      : Promise.resolve(undefined),
  ]);
  const statuses = await statusesOf(ctx, loaded, inputs, deadline);
  const search = query.search?.trim().toLowerCase();
  const candidates: Candidate[] = [];
  const counted: { audiences: string[]; kind: PersonStatus['kind'] }[] = [];
  let done = 0;
  for (const { person, audiences: all } of inputs.members.values()) {
    if (++done % SLICE === 0) await yieldToEventLoop();
    // Only the audiences asked about: a person's other audiences are not this filter's count.
    const audiences = all.filter((a) => audienceKeys.includes(a));
    if (audiences.length === 0) continue;
    if (
      search &&
      !person.displayName.toLowerCase().includes(search) &&
      !person.userPrincipalName.toLowerCase().includes(search)
    ) {
      continue;
    }
    const status = statuses.get(person.id);
    if (status === undefined) continue;
    counted.push({ audiences, kind: status.kind });
    if (query.status !== undefined && status.kind !== query.status) continue;
    candidates.push({
      person,
      audiences,
      status,
      signatures: inputs.acksByUser.get(person.id) ?? [],
      approvals: inputs.approvalsByUser?.get(person.id) ?? [],
    });
  }
  return {
    loaded,
    tally: tallyStatuses(counted),
    candidates,
    compare: comparator(query.sort ?? { by: 'name', direction: 'ascending' }),
  };
}

/** Everyone in the policy's audiences (or the one asked for) with their status, sorted. */
async function buildReport(
  ctx: ServiceContext,
  query: Omit<PeopleQuery, 'cursor' | 'pageSize'>,
): Promise<Report> {
  const { loaded, tally, candidates, compare } = await reportCandidates(ctx, query);
  await yieldToEventLoop();
  const sorted = await sortInSlices(candidates, compare, yieldToEventLoop);
  return { loaded, tally, rows: sorted.map((c) => rowOf(c, query.policyKey)) };
}

const STATUS_ORDER = new Map<string, number>(STATUS_KINDS.map((kind, i) => [kind, i]));

/**
 * Orders people by the column asked for, then by name, then by id: a total order (ids are
 * unique), so a page picked from the unsorted list (pageInSlices) is the page a full sort gives.
 */
function comparator(sort: PeopleSort): (a: Candidate, b: Candidate) => number {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  const name = (a: Candidate, b: Candidate) =>
    byName.compare(a.person.displayName, b.person.displayName) ||
    a.person.id.localeCompare(b.person.id);
  const key = (a: Candidate, b: Candidate): number => {
    switch (sort.by) {
      case 'name':
        return 0;
      case 'upn':
        return byName.compare(a.person.userPrincipalName, b.person.userPrincipalName);
      case 'audiences':
        return byName.compare(a.audiences.join(' '), b.audiences.join(' '));
      case 'status':
        return (STATUS_ORDER.get(a.status.kind) ?? 0) - (STATUS_ORDER.get(b.status.kind) ?? 0);
      case 'signed': {
        // Never signed sorts after every signature, whichever the direction.
        const at = (c: Candidate) => {
          const ack = acknowledgementOfCandidate(c);
          return ack === undefined ? undefined : Date.parse(ack.signedAt);
        };
        const x = at(a);
        const y = at(b);
        if (x === undefined || y === undefined) return 0;
        return x - y;
      }
    }
  };
  return (a, b) => {
    if (sort.by === 'signed') {
      const missing =
        Number(acknowledgementOfCandidate(a) === undefined) -
        Number(acknowledgementOfCandidate(b) === undefined);
      if (missing !== 0) return missing;
    }
    return sign * (key(a, b) || name(a, b));
  };
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
  const { candidates, compare, tally } = await reportCandidates(ctx, query);
  const offset = decodeCursor(query.cursor);
  const size = Math.min(Math.max(query.pageSize ?? 50, 1), MAX_PAGE);
  await yieldToEventLoop();
  // Only the page asked for is put in order (not all 20,000 people: an Intl.Collator call per
  // comparison), and only its rows are made.
  const picked = await pageInSlices(candidates, compare, offset, size, yieldToEventLoop);
  const page = picked.map((candidate): PersonRow => {
    const { person, audiences, status } = candidate;
    const row: PersonRow = {
      id: person.id,
      displayName: person.displayName,
      upn: person.userPrincipalName,
      audiences,
      statuses: { [query.policyKey]: status },
    };
    const signature = summaryOf(acknowledgementOfCandidate(candidate));
    return signature === undefined ? row : { ...row, signature };
  });
  const next = offset + size;
  return {
    rows: page,
    total: candidates.length,
    totals: tally.byAudience,
    overall: tally.overall,
    people: tally.people,
    ...(next < candidates.length
      ? { nextCursor: Buffer.from(String(next), 'utf8').toString('base64url') }
      : {}),
  };
}

/** The decision that stands on an acknowledgement: the latest one made, if any. */
function standingDecision(
  ack: SignatureFacts,
  approvals: readonly Approval[],
): Approval | undefined {
  let found: Approval | undefined;
  for (const approval of approvals) {
    if (approval.acknowledgementId !== ack.id || approval.decision === 'pending') continue;
    if (found === undefined || (approval.decidedAt ?? '') > (found.decidedAt ?? ''))
      found = approval;
  }
  return found;
}

/**
 * The people report for a spreadsheet: a header row, then one row per person in words an
 * inspector reads (people-export.ts), values as they are (the API writes the CSV and escapes it).
 */
export async function exportPeopleRows(
  ctx: ServiceContext,
  actor: Actor,
  query: Omit<PeopleQuery, 'cursor' | 'pageSize'>,
): Promise<string[][]> {
  requireRole(actor, 'Policy.Admin');
  const { loaded, rows } = await buildReport(ctx, query);
  // The report reads signatures without their consents (listSignatureFacts); the export prints
  // them, so it reads the policy's signatures in full once more, after the report.
  const consents = new Map(
    (await ctx.records.listAcknowledgements({ policyKey: query.policyKey })).map((a) => [
      a.id,
      a.consents,
    ]),
  );
  const labels = new Map(ctx.school.audiences.map((a) => [a.key, a.label]));
  const versions = new Map(loaded.versions.map((v) => [v.number, v]));
  const exportContext = {
    timeZone: ctx.school.timeZone,
    policyTitle: loaded.policy.title,
    versionName: (n: number) => versions.get(n)?.label ?? `version ${n}`,
    consentKeys: (n: number) => versions.get(n)?.document.consents.map((c) => c.key) ?? [],
  };
  const table: string[][] = [[...PEOPLE_EXPORT_HEADER]];
  for (const row of rows) {
    const ack = row.acknowledgement;
    const decision = ack === undefined ? undefined : standingDecision(ack, row.approvals);
    const answered = ack === undefined ? undefined : consents.get(ack.id);
    if (ack !== undefined && answered === undefined) {
      // Read in the report but not a moment later: a row deleted or edited unreadable meanwhile.
      throw new CountersignError(
        'conflict',
        'A signature changed while the export was being made; export again.',
        { acknowledgementId: ack.id },
      );
    }
    table.push(
      peopleExportRow(
        {
          name: row.displayName,
          upn: row.upn,
          audiences: row.audiences.map((a) => labels.get(a) ?? a),
          status: row.status,
          ...(ack === undefined
            ? {}
            : {
                signature: {
                  versionNumber: ack.versionNumber,
                  signedAt: ack.signedAt,
                  typedName: ack.typedName,
                  entraName: ack.displayName,
                  role: ack.statedRole,
                  consents: answered ?? {},
                  approvalState: effectiveApprovalState(ack, row.approvals),
                  ...(decision === undefined ? {} : { decision }),
                },
              }),
        },
        exportContext,
      ),
    );
  }
  return table;
}
