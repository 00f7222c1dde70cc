import type { PersonStatusKind } from '../../domain/person-status.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import {
  ADMIN_ENTITY_ID,
  adaptiveCard,
  facts,
  firstOf,
  formatDateTime,
  heading,
  md,
  openUrl,
  tabDeepLink,
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
    ],
    {
      fallbackText: `Deadline passed for ${input.policy.title}: ${overdueTotal} overdue.`,
      actions: [openUrl('Open the admin view', tabDeepLink(config.appId, ADMIN_ENTITY_ID))],
    },
  );
}
