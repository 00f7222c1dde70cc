import { deliveryReasonWords } from '../domain/delivery-reason-words.ts';
import { CountersignError } from '../domain/errors.ts';
import { ukDateTime } from '../domain/evidence-pack/uk-time.ts';
import type { Actor } from './actor.ts';
import { openApprovals } from './approvals.ts';
import type { ApprovalRequestStatus, ApproverRequest } from './approval-requests.ts';
import { requireRole } from './require-role.ts';
import type { ServiceContext } from './service-context.ts';

/** One signature still waiting for a decision, and whether its approvers were asked. */
export interface ApprovalRequestView {
  acknowledgementId: string;
  signerName: string;
  policyKey: string;
  /** The policy's title now, and the version's own label (what the signer signed). */
  policyTitle: string;
  versionNumber: number;
  versionLabel: string;
  signedAt: string;
  /** UK date and time in the school's zone. */
  signedAtLocal: string;
  state: ApprovalRequestStatus['kind'];
  /** What the Admin view shows, in a headteacher's words. */
  words: string;
  approvers: NamedApprover[];
  /** A resend would ask someone (an approver not reached, or nobody asked yet). */
  canResend: boolean;
}

/** An approver's copy, named, and (not reached) why in plain words beside the stored reason. */
type NamedApprover = ApproverRequest & { name: string; reasonWords?: string };

/**
 * The Admin view's approval requests (issue 13: nothing silently dropped): every signature still
 * waiting for a decision, with what became of the card to its approvers, those not reached
 * first. Policy.Admin only.
 */
export async function approvalRequestViews(
  ctx: ServiceContext,
  actor: Actor,
): Promise<ApprovalRequestView[]> {
  requireRole(actor, 'Policy.Admin');
  const requests = requireRequests(ctx);
  const open = await openApprovals(ctx);
  const acks = open.map((o) => o.acknowledgement);
  const statuses = await requests.statuses(acks);
  const names = new Map<string, string>();
  const nameOf = async (userId: string): Promise<string> => {
    const known = names.get(userId);
    if (known !== undefined) return known;
    const named =
      ctx.school.approversApprover?.id === userId
        ? ctx.school.approversApprover.name
        : ((await ctx.directory.getPerson(userId))?.displayName ?? userId);
    names.set(userId, named);
    return named;
  };
  // One read per policy and per version, however many signatures wait on it.
  const titles = new Map<string, string>();
  const titleOf = async (policyKey: string): Promise<string> => {
    const known = titles.get(policyKey);
    if (known !== undefined) return known;
    const title = (await ctx.records.getPolicy(policyKey))?.value.title ?? policyKey;
    titles.set(policyKey, title);
    return title;
  };
  const labels = new Map<string, string>();
  const labelOf = async (policyKey: string, versionNumber: number): Promise<string> => {
    const key = `${policyKey}\n${versionNumber}`;
    const known = labels.get(key);
    if (known !== undefined) return known;
    const label = (await ctx.records.getVersion(policyKey, versionNumber))?.value.label ?? '';
    labels.set(key, label);
    return label;
  };
  const views: ApprovalRequestView[] = [];
  for (const ack of acks) {
    const status = statuses.get(ack.id) ?? { kind: 'not-queued' as const };
    const approvers: NamedApprover[] = [];
    // One approver at a time: a school names a few, and names are remembered across rows.
    for (const a of 'approvers' in status ? status.approvers : []) {
      approvers.push({
        ...a,
        name: await nameOf(a.userId),
        ...(a.state === 'not-reached' ? { reasonWords: deliveryReasonWords(a.reason) } : {}),
      });
    }
    views.push({
      acknowledgementId: ack.id,
      signerName: ack.displayName,
      policyKey: ack.policyKey,
      policyTitle: await titleOf(ack.policyKey),
      versionNumber: ack.versionNumber,
      versionLabel: await labelOf(ack.policyKey, ack.versionNumber),
      signedAt: ack.signedAt,
      signedAtLocal: ukDateTime(ack.signedAt, ctx.school.timeZone),
      state: status.kind,
      words: wordsOf(status.kind, approvers),
      approvers,
      canResend: status.kind === 'not-reached' || status.kind === 'not-queued',
    });
  }
  const order: Record<ApprovalRequestStatus['kind'], number> = {
    'not-reached': 0,
    nobody: 1,
    'not-queued': 2,
    waiting: 3,
    delivered: 4,
  };
  return views.sort(
    (a, b) => order[a.state] - order[b.state] || a.signedAt.localeCompare(b.signedAt),
  );
}

/**
 * How many signatures waiting for approval have a card that reached none of their approvers: the
 * admin digest's line (scheduled-work.ts). The scheduled work asks, not a person: no role.
 */
export async function countApprovalsNotReached(ctx: ServiceContext): Promise<number> {
  const requests = ctx.approvalRequests;
  if (requests === undefined) return 0;
  const open = await openApprovals(ctx);
  const statuses = await requests.statuses(open.map((o) => o.acknowledgement));
  return [...statuses.values()].filter((s) => s.kind === 'not-reached').length;
}

/** Queues the card again to the approvers it did not reach (Policy.Admin). */
export async function resendApprovalRequest(
  ctx: ServiceContext,
  actor: Actor,
  acknowledgementId: string,
): Promise<{ queued: number }> {
  requireRole(actor, 'Policy.Admin');
  const requests = requireRequests(ctx);
  const open = (await openApprovals(ctx)).find((o) => o.acknowledgement.id === acknowledgementId);
  if (open === undefined) {
    throw new CountersignError('not-found', 'No signature waiting for approval has that id.', {
      acknowledgementId,
    });
  }
  return { queued: await requests.resend(open.acknowledgement) };
}

function requireRequests(ctx: ServiceContext) {
  const requests = ctx.approvalRequests;
  if (requests === undefined) {
    throw new CountersignError('unavailable', 'Approval requests are not sent by this service.');
  }
  return requests;
}

function wordsOf(
  state: ApprovalRequestStatus['kind'],
  approvers: readonly NamedApprover[],
): string {
  switch (state) {
    case 'delivered': {
      const reached = approvers.filter((a) => a.state === 'delivered').map((a) => a.name);
      return `Approver asked: the card reached ${reached.join(', ')}.`;
    }
    case 'waiting':
      return 'Waiting to be sent to the approver.';
    case 'not-reached': {
      const why = approvers
        .filter((a) => a.state === 'not-reached')
        .map((a) => `${a.name} (${a.reasonWords ?? deliveryReasonWords(a.reason)})`);
      return `Approver not reached: the card could not be delivered to ${why.join(', ')}. Resend it, or tell them to open Approvals in the tab.`;
    }
    case 'not-queued':
      return 'Approver not asked yet: the request was not queued (it will be within a few hours, or resend it now).';
    case 'nobody':
      return 'Nobody can approve this signature: name an approver in the school’s settings.';
  }
}
