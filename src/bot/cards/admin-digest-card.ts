import type { PersonStatusKind } from '../../domain/person-status.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import {
  ADMIN_ENTITY_ID,
  adaptiveCard,
  facts,
  firstOf,
  formatDateTime,
  heading,
  openUrl,
  tabDeepLink,
  text,
  type AdaptiveCard,
  type CardsConfig,
} from './card-kit.ts';

export interface AdminDigestInput {
  policy: Pick<Policy, 'title'>;
  version: Pick<PolicyVersion, 'label'>;
  /** ISO 8601 UTC: the deadline that passed. */
  deadline: string;
  counts: Partial<Record<PersonStatusKind, number>>;
  /** Everyone overdue; the card names the first few and counts the rest. */
  overdue: readonly { displayName: string }[];
  /** How many names to show (default 25). */
  maxNames?: number;
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
  const { shown, more } = firstOf(input.overdue, input.maxNames ?? 25);
  const names = shown.map((p) => p.displayName).join(', ');
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
      ...(input.overdue.length === 0
        ? [text('Nobody is overdue.', { color: 'Good' })]
        : [
            text(`Overdue (${input.overdue.length})`, { weight: 'Bolder', spacing: 'Medium' }),
            text(more > 0 ? `${names} and ${more} more.` : `${names}.`, { spacing: 'Small' }),
          ]),
    ],
    {
      fallbackText: `Deadline passed for ${input.policy.title}: ${input.overdue.length} overdue.`,
      actions: [openUrl('Open the admin view', tabDeepLink(config.appId, ADMIN_ENTITY_ID))],
    },
  );
}
