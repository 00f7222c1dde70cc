import type { IOpenUrlAction, ITextBlock } from '@microsoft/teams.cards';
import type { PersonStatusKind } from '../../domain/person-status.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import {
  adaptiveCard,
  facts,
  firstOf,
  formatDateTime,
  heading,
  md,
  openUrl,
  tabLink,
  text,
  type AdaptiveCard,
  type CardsConfig,
  type CardText,
} from './card-kit.ts';

export interface AdminDigestInput {
  policy: Pick<Policy, 'title'>;
  version: Pick<PolicyVersion, 'label'>;
  /** ISO 8601 UTC: the deadline that passed. */
  deadline: string;
  counts: Partial<Record<PersonStatusKind, number>>;
  /** The overdue people (all, or the first few); the card names up to `maxNames`. */
  overdue: readonly { displayName: string }[];
  /** How many are overdue when `overdue` lists only the first few (default: its length). */
  overdueTotal?: number;
  /** How many names to show (default 25). */
  maxNames?: number;
  /** How the campaign's messages fared, and why some failed or were skipped. */
  delivery?: { sent: number; failed: number; skipped: number };
  reasons?: Readonly<Record<string, number>>;
  /** The records check line (as the Admin view shows it), then its first failures. */
  recordsCheck?: readonly string[];
  /** The latest signed checkpoint: a line naming it, then its counts, heads, hash and signature. */
  checkpoint?: readonly string[];
  /** The alert that a campaign's delivery records were lost: said instead of a deadline's counts. */
  alert?: 'delivery-records-lost';
  /** Campaigns under way whose delivery records were lost (the work store deleted or replaced). */
  deliveryRecordsLost?: readonly {
    title: string;
    versionNumber: number;
    reason: 'job-missing' | 'store-replaced';
    sentBeforeLoss: number;
    failedBeforeLoss: number;
  }[];
  /** Signatures waiting for approval whose card reached none of their approvers. */
  approvalsNotReached?: number;
}

/** The line an admin acts on when approval cards reached nobody: how many, and where to resend. */
export function approvalsNotReachedLine(n: number): string {
  const signatures = n === 1 ? '1 signature is' : `${n} signatures are`;
  return `${signatures} waiting for an approver the card did not reach: open Admin › Approval requests in Countersign to resend.`;
}

function approvalLines(input: AdminDigestInput): ITextBlock[] {
  const n = input.approvalsNotReached ?? 0;
  if (n === 0) return [];
  return [
    text('Approvals not reached', { weight: 'Bolder', spacing: 'Medium', color: 'Attention' }),
    text(approvalsNotReachedLine(n), { spacing: 'Small' }),
  ];
}

/**
 * A campaign whose delivery records were lost, and the admin's choice, in the words the Admin
 * view uses (delivery-records.ts): SharePoint's totals stand.
 */
function lostLines(lost: NonNullable<AdminDigestInput['deliveryRecordsLost']>): ITextBlock[] {
  if (lost.length === 0) return [];
  return [
    text('Delivery records lost', { weight: 'Bolder', spacing: 'Medium', color: 'Attention' }),
    ...lost.map((campaign) =>
      text(
        md`${campaign.title}, version ${campaign.versionNumber}: the work store was ${
          campaign.reason === 'store-replaced' ? 'replaced or recreated' : 'emptied'
        }, so nobody more is sent the card. SharePoint's totals stand: ${campaign.sentBeforeLoss} sent, ${
          campaign.failedBeforeLoss
        } failed. Choose in the Admin view: resume it to the people who have not signed yet (up to ${
          campaign.sentBeforeLoss
        } may get the card a second time), or cancel it.`,
        { spacing: 'Small' },
      ),
    ),
  ];
}

/** Why a message was not delivered, in words an office manager understands. */
function reasonLabel(reason: string): CardText {
  if (reason.includes('403') || reason.includes('forbidden') || reason.includes('blocked')) {
    return md`Could not reach (app blocked or removed): ${reason}`;
  }
  if (reason.includes('404') || reason.includes('not-found')) {
    return md`Could not reach (no such account): ${reason}`;
  }
  return reason;
}

const STATUS_LABEL: Record<PersonStatusKind, string> = {
  signed: 'Signed',
  'awaiting-approval': 'Awaiting approval',
  due: 'Due',
  overdue: 'Overdue',
  rejected: 'Not approved',
  'not-required': 'Not required',
};

const ORDER: readonly PersonStatusKind[] = [
  'signed',
  'awaiting-approval',
  'overdue',
  'due',
  'rejected',
  'not-required',
];

/** One message after a deadline for admins and approvers: counts, and who is overdue. */
export function adminDigestCard(input: AdminDigestInput, config: CardsConfig): AdaptiveCard {
  const total = ORDER.reduce((sum, kind) => sum + (input.counts[kind] ?? 0), 0);
  const overdueTotal = Math.max(input.overdueTotal ?? 0, input.overdue.length);
  const { shown } = firstOf(input.overdue, input.maxNames ?? 25);
  const more = overdueTotal - shown.length;
  const names = shown.map((p) => p.displayName).join(', ');
  const delivery = input.delivery;
  const reasons = Object.entries(input.reasons ?? {}).sort((a, b) => b[1] - a[1]);
  const lost = input.deliveryRecordsLost ?? [];
  if (input.alert === 'delivery-records-lost') {
    return adaptiveCard(
      [
        heading(`Delivery records lost: ${input.policy.title}`),
        text(
          `${input.version.label}: this campaign's delivery records are gone, and it is stopped until you choose what happens next.`,
          { spacing: 'Small' },
        ),
        ...lostLines(lost),
        ...approvalLines(input),
        ...footerLines(input),
      ],
      {
        fallbackText: `Delivery records lost for ${input.policy.title}: choose resume or cancel in the Admin view.`,
        actions: digestActions(input, config),
      },
    );
  }
  return adaptiveCard(
    [
      heading(`Deadline passed: ${input.policy.title}`),
      text(
        `${input.version.label}: the deadline was ${formatDateTime(input.deadline, config.timeZone)}. ${total} people in the audience.`,
        { spacing: 'Small' },
      ),
      facts(
        ORDER.filter((kind) => (input.counts[kind] ?? 0) > 0).map(
          (kind) => [STATUS_LABEL[kind], String(input.counts[kind] ?? 0)] as const,
        ),
      ),
      ...(overdueTotal === 0
        ? [text('Nobody is overdue.', { color: 'Good' })]
        : [
            text(md`Overdue (${overdueTotal})`, { weight: 'Bolder', spacing: 'Medium' }),
            text(more > 0 ? `${names} and ${more} more.` : `${names}.`, { spacing: 'Small' }),
          ]),
      ...(delivery === undefined
        ? []
        : [
            text('Messages', { weight: 'Bolder', spacing: 'Medium' }),
            facts([
              ['Delivered', String(delivery.sent)],
              ['Failed', String(delivery.failed)],
              ['Skipped', String(delivery.skipped)],
              ...reasons
                .slice(0, 10)
                .map(([reason, n]) => [reasonLabel(reason), String(n)] as const),
            ]),
          ]),
      ...lostLines(lost),
      ...approvalLines(input),
      ...footerLines(input),
    ],
    {
      fallbackText: `Deadline passed for ${input.policy.title}: ${overdueTotal} overdue.`,
      actions: digestActions(input, config),
    },
  );
}

/** The admin view, and Admin › Approval requests when approvers' cards did not reach them. */
function digestActions(input: AdminDigestInput, config: CardsConfig): IOpenUrlAction[] {
  return [
    openUrl('Open the admin view', tabLink(config, 'admin')),
    ...((input.approvalsNotReached ?? 0) > 0
      ? [openUrl('Open approval requests', tabLink(config, 'approval-requests'))]
      : []),
  ];
}

/** The records check's line and the latest checkpoint, at the end of every digest. */
function footerLines(input: AdminDigestInput): ITextBlock[] {
  return [
    ...(input.recordsCheck ?? []).map((line, i) =>
      i === 0
        ? text(line, { weight: 'Bolder', spacing: 'Medium' })
        : text(line, { spacing: 'Small', color: 'Attention' }),
    ),
    // A copy of the latest checkpoint outside the site: whoever edits the site cannot take back
    // what it said (its record hash and signature match the checkpoint in the site or the WORM
    // container, or they do not).
    ...(input.checkpoint ?? []).map((line, i) =>
      i === 0
        ? text(line, { weight: 'Bolder', spacing: 'Medium' })
        : text(line, { spacing: 'Small', size: 'Small', fontType: 'Monospace', isSubtle: true }),
    ),
  ];
}
