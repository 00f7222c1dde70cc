import { CountersignError } from '../domain/errors.ts';
import type { ServiceContext } from './service-context.ts';

/** How long a signature's own writes get before the sweeper treats what is missing as lost. */
export const SETTLE_MS = 10 * 60 * 1000;

export interface RepairReport {
  signaturesChecked: number;
  /** Audit events re-created under their signature's own event id. */
  auditEventsRecreated: string[];
  /** Pending signatures that had no Approvals row, now created. */
  approvalsCreated: string[];
}

/**
 * The sweeper: mends what a fault between the writes of one signature can leave behind (the
 * row stored, its audit event or its Approvals row not), so no signature stays without its
 * evidence or out of the headteacher's queue. Reads each list once (paged); writes only what is
 * missing; safe to run on several instances at once (every write is idempotent).
 */
export async function repairRecords(ctx: ServiceContext): Promise<RepairReport> {
  // Signatures younger than ten minutes may still be writing their own event: not yet.
  const signedBefore = new Date(ctx.clock.now().getTime() - SETTLE_MS).toISOString();
  const audits = await ctx.records.repairSignatureAudits({ signedBefore });
  const [acks, approvals] = await Promise.all([
    ctx.records.listAcknowledgements({}),
    ctx.records.listApprovals({}),
  ]);
  const withRow = new Set(approvals.map((a) => a.value.acknowledgementId));
  const approvalsCreated: string[] = [];
  for (const ack of acks) {
    if (ack.approvalState !== 'pending' || withRow.has(ack.id)) continue;
    if (ack.signedAt >= signedBefore) continue;
    try {
      await ctx.records.createApproval({
        acknowledgementId: ack.id,
        userId: ack.userId,
        decision: 'pending',
        additionalPermissions: [],
      });
      approvalsCreated.push(ack.id);
    } catch (error) {
      // A signer's own retry created it meanwhile: the row exists, which is the point.
      if (!(error instanceof CountersignError && error.code === 'conflict')) throw error;
    }
  }
  return {
    signaturesChecked: audits.checked,
    auditEventsRecreated: audits.recreated,
    approvalsCreated,
  };
}
