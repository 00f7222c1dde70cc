import { policyKeyOfAcknowledgementId } from '../domain/acknowledgement.ts';
import { CountersignError } from '../domain/errors.ts';
import { readRows, type ReadRow } from '../domain/evidence/evidence-row.ts';
import { prepareKeyRing } from '../domain/evidence/key-ring.ts';
import { signatureAuditEvent, type SignatureEventSource } from '../domain/signature-audit.ts';
import { repairedPolicyCreatedEvent } from '../domain/policy-created.ts';
import type { RepairRows, StoredAcknowledgement } from '../ports/stored-evidence.ts';
import { openApprovals } from './approvals.ts';
import type { ServiceContext } from './service-context.ts';

/** How long a signature's own writes get before the sweeper treats what is missing as lost. */
export const SETTLE_MS = 10 * 60 * 1000;

export interface RepairReport {
  signaturesChecked: number;
  /** Audit events re-created under their signature's own event id. */
  auditEventsRecreated: string[];
  /** Pending signatures that had no Approvals row, now created. */
  approvalsCreated: string[];
  /**
   * Pending signatures whose approval request was not in the work store (its enqueue failed
   * after the signature was stored, or the store was replaced), now queued to their approvers.
   */
  approvalRequestsQueued: string[];
  /**
   * Policies whose `policy.created` event was lost (the process stopped between the policy's
   * row and its event), by key: the event written now, by the service (policy-created.ts).
   */
  policyEventsRecreated: string[];
  /**
   * Rows left alone: unreadable, or whose signature (or legacy seal) does not hold. Nothing is
   * repaired from a record that is not genuine; `verify` and the records check name them.
   */
  skipped: { list: 'acknowledgements' | 'approvals' | 'policies'; id: string; reason: string }[];
}

/** Which rows one school's sweep mends, and the site's rows when already read for it. */
export interface RepairOptions {
  /**
   * The site's rows as read once for every school swept on this instance (the lists are the
   * site's); absent, read here.
   */
  rows?: RepairRows;
  /**
   * Whose rows this sweep mends, by the school of the row's policy (undefined: a policy the
   * Policies list no longer reads). A trust sweeps each school through its own service (its
   * approvers, its scoped view), so a school mends only what is its own (default: its own
   * school's, and the rows naming no policy).
   */
  mends?: (schoolId: string | undefined) => boolean;
}

/** The rows of the policies whose school this sweep mends (the site's lists hold every school's). */
function ownRows(rows: RepairRows, mends: (schoolId: string | undefined) => boolean): RepairRows {
  const schoolOf = new Map(rows.policies.map((p) => [p.key, p.schoolId]));
  const mine = (policyKey: string): boolean => mends(schoolOf.get(policyKey));
  return {
    ...rows,
    acknowledgements: rows.acknowledgements.filter((a) =>
      mine(policyKeyOfAcknowledgementId(a.key)),
    ),
    policies: rows.policies.filter((p) => mends(p.schoolId)),
    // Rows that name no policy are reported by the sweep that mends what no school owns.
    unreadableApprovals: mends(undefined) ? rows.unreadableApprovals : [],
    unreadablePolicies: mends(undefined) ? rows.unreadablePolicies : [],
  };
}

/** What a genuine row says: the record as signed (or a legacy row whose seal holds). */
interface Genuine {
  source: SignatureEventSource;
  /** The signed record says the policy required approval at signing (legacy: its state says). */
  pendingAtSigning: boolean;
}

function genuine(read: ReadRow): Genuine | string {
  switch (read.status) {
    case 'valid':
      if (read.record.kind !== 'acknowledgement') return 'not an acknowledgement record';
      return {
        source: read.record,
        pendingAtSigning: read.record.approvalAtSigning === 'pending',
      };
    case 'legacy':
      if (read.seal !== 'holds')
        return `a row from before signatures whose seal ${read.seal === 'fails' ? 'fails' : 'cannot be checked'}`;
      return { source: read.ack, pendingAtSigning: read.ack.approvalState === 'pending' };
    case 'invalid':
    case 'unreadable':
      return read.finding.message;
  }
}

/** What a repeat of a signature found when it mended its audit event. */
export type SignatureAuditRepair =
  | { kind: 'no-row' }
  | { kind: 'whole' }
  | { kind: 'recreated'; eventId: string }
  /** The row's record is unreadable or its signature does not hold: nothing is written from it. */
  | { kind: 'skipped'; reason: string };

/**
 * Re-creates a genuine signature's lost event from its signed record, under the row's own event
 * id (the id its batch gave it, "<id>:signed" for rows from before the column): never a second
 * event. Resolves with the event id when this call created it.
 */
async function recreateSignatureEvent(
  ctx: ServiceContext,
  stored: StoredAcknowledgement,
  source: SignatureEventSource,
): Promise<string | null> {
  const eventId = stored.auditEventId ?? `${source.id}:signed`;
  const event = signatureAuditEvent(source, eventId, { repaired: true });
  return (await ctx.records.ensureAuditEvent(event)) ? eventId : null;
}

/**
 * What a repeat of the same signature mends (sign-policy.ts): the one row read as stored and
 * verified against the published keys like the sweeper's, and its audit event re-created from
 * the signed record when no event names it. A row whose record does not hold is left alone.
 */
export async function repairSignatureAudit(
  ctx: ServiceContext,
  ackId: string,
): Promise<SignatureAuditRepair> {
  const found = await ctx.records.readSignatureForRepair(ackId);
  if (found === null) return { kind: 'no-row' };
  if (found.signatureEvent) return { kind: 'whole' };
  const [read] = readRows(
    'acknowledgements',
    [found.acknowledgement],
    prepareKeyRing(ctx.evidence.keyRing),
    ctx.sealKey,
  ).rows;
  const checked = read === undefined ? 'not read' : genuine(read);
  if (typeof checked === 'string') return { kind: 'skipped', reason: checked };
  const eventId = await recreateSignatureEvent(ctx, found.acknowledgement, checked.source);
  return eventId === null ? { kind: 'whole' } : { kind: 'recreated', eventId };
}

/**
 * The sweeper: mends what a fault between the writes of one signature can leave behind (the
 * row stored, its audit event or its Approvals row not), so no signature stays without its
 * evidence or out of the headteacher's queue. Reads each list once (paged, only the columns it
 * needs), verifies every row against the published keys and builds what it writes from the
 * signed record, never from the plain columns; writes only what is missing; safe to run on
 * several instances at once (every write is idempotent).
 */
export async function repairRecords(
  ctx: ServiceContext,
  options: RepairOptions = {},
): Promise<RepairReport> {
  // Signatures (and policies) younger than ten minutes may still be writing their own event.
  const signedBefore = new Date(ctx.clock.now().getTime() - SETTLE_MS).toISOString();
  const rows = ownRows(
    options.rows ?? (await ctx.records.readRepairRows()),
    options.mends ?? ((schoolId) => schoolId === undefined || schoolId === ctx.school.id),
  );
  const read = readRows(
    'acknowledgements',
    rows.acknowledgements,
    prepareKeyRing(ctx.evidence.keyRing),
    ctx.sealKey,
  ).rows;
  // By subject, not by id: a row whose AuditEventId was blanked (or never written) has its event
  // under another id, and a second event under `<ackId>:signed` would announce it twice.
  const announced = new Set(rows.signatureEvents.map((e) => e.subject));
  const withApprovalRow = new Set(rows.approvalsFor);
  const report: RepairReport = {
    signaturesChecked: rows.acknowledgements.length,
    auditEventsRecreated: [],
    approvalsCreated: [],
    approvalRequestsQueued: [],
    policyEventsRecreated: [],
    skipped: [
      ...rows.unreadableApprovals.map((itemId) => ({
        list: 'approvals' as const,
        id: `item ${itemId}`,
        reason: 'the Approvals row names no acknowledgement (edited in SharePoint?)',
      })),
      ...rows.unreadablePolicies.map((itemId) => ({
        list: 'policies' as const,
        id: `item ${itemId}`,
        reason: 'the Policies row does not read as a policy (edited in SharePoint?)',
      })),
    ],
  };
  await recreatePolicyEvents(ctx, rows, signedBefore, report);
  for (const [i, stored] of rows.acknowledgements.entries()) {
    const row = read[i];
    const found = row === undefined ? 'not read' : genuine(row);
    if (typeof found === 'string') {
      report.skipped.push({ list: 'acknowledgements', id: stored.key, reason: found });
      continue;
    }
    const { source } = found;
    if (source.signedAt >= signedBefore) continue;
    if (!announced.has(source.id)) {
      const eventId = await recreateSignatureEvent(ctx, stored, source);
      if (eventId !== null) report.auditEventsRecreated.push(eventId);
      announced.add(source.id);
    }
    // A pending signature needs its Approvals row; a decided state with none is verify's finding.
    const state = stored.columns?.approvalState;
    const decided = state === 'approved' || state === 'rejected';
    if (!found.pendingAtSigning || decided || withApprovalRow.has(source.id)) continue;
    try {
      await ctx.records.createApproval({
        acknowledgementId: source.id,
        userId: source.userId,
        decision: 'pending',
        additionalPermissions: [],
      });
      report.approvalsCreated.push(source.id);
    } catch (error) {
      if (!(error instanceof CountersignError)) throw error;
      if (error.code === 'not-found') {
        // A signature of a policy no school's view holds (the policy's row gone): its event is
        // mended above; its approval has no school to ask, so it is left for verify to name.
        report.skipped.push({ list: 'acknowledgements', id: stored.key, reason: error.message });
        continue;
      }
      // A signer's own retry created it meanwhile: the row exists, which is the point.
      if (error.code !== 'conflict') throw error;
    }
    withApprovalRow.add(source.id);
  }
  await queueMissingApprovalRequests(ctx, report);
  return report;
}

/**
 * Every creating path writes `policy.created` after the policy's row (create-policy.ts,
 * trust-policies.ts, the demo seed), so a policy without one lost it to a fault between the two
 * writes: the event is written now (repairedPolicyCreatedEvent: the service as its actor, the
 * creator from the row). Found by subject, not id, so a policy whose own event is there under
 * its random id gets no second one. A policy younger than the grace may still be writing its
 * event; one from before `createdAt` existed is old enough by definition.
 */
async function recreatePolicyEvents(
  ctx: ServiceContext,
  rows: RepairRows,
  createdBefore: string,
  report: RepairReport,
): Promise<void> {
  const announced = new Set(rows.policyCreatedFor);
  const at = ctx.clock.now().toISOString();
  for (const policy of rows.policies) {
    if (announced.has(policy.key)) continue;
    if (policy.createdAt !== undefined && policy.createdAt >= createdBefore) continue;
    if (await ctx.records.ensureAuditEvent(repairedPolicyCreatedEvent(policy, at))) {
      report.policyEventsRecreated.push(policy.key);
    }
    announced.add(policy.key);
  }
}

/**
 * Every signature still waiting for a decision has its approvers' request in the work store:
 * `request` is idempotent per (signature, approver), so this adds only what is missing (the
 * sign's enqueue failed with the store down, or the store was replaced) and never a second
 * card. After the Approvals rows above, so a row just mended is asked about too.
 */
async function queueMissingApprovalRequests(
  ctx: ServiceContext,
  report: RepairReport,
): Promise<void> {
  const requests = ctx.approvalRequests;
  if (requests === undefined) return;
  for (const open of await openApprovals(ctx)) {
    if (open.acknowledgement.approvalState !== 'pending') continue;
    if ((await requests.request(open.acknowledgement)) > 0) {
      report.approvalRequestsQueued.push(open.acknowledgement.id);
    }
  }
}
