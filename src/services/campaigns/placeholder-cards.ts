import { ADAPTIVE_CARD_CONTENT_TYPE, type OutgoingActivity } from '../../ports/messenger.ts';
import type {
  ApprovalCardInput,
  CardRenderer,
  DigestCardInput,
  PromptCardInput,
} from './card-renderer.ts';

function card(summary: string, body: unknown[]): OutgoingActivity {
  return {
    type: 'message',
    summary,
    attachments: [
      {
        contentType: ADAPTIVE_CARD_CONTENT_TYPE,
        content: {
          type: 'AdaptiveCard',
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          version: '1.5',
          body,
        },
      },
    ],
  };
}

const text = (value: string, extra: Record<string, unknown> = {}): unknown => ({
  type: 'TextBlock',
  text: value,
  wrap: true,
  ...extra,
});

/**
 * A minimal stand-in for the bot's cards (src/bot/cards), so campaigns can be built, tested
 * and benchmarked before, and independently of, the real card templates.
 */
export const placeholderCards: CardRenderer = {
  prompt(input: PromptCardInput): OutgoingActivity {
    const heading =
      input.kind === 'reminder'
        ? `Reminder: please sign ${input.policy.title}`
        : `Please sign ${input.policy.title}`;
    return card(heading, [
      text(heading, { weight: 'Bolder', size: 'Medium' }),
      text(`Version ${input.version.number}: ${input.version.label}`),
      ...(input.lastSignedVersion === undefined
        ? []
        : [text(`Changed since you signed version ${input.lastSignedVersion.number}.`)]),
      ...(input.deadline === undefined ? [] : [text(`Please sign by ${input.deadline}.`)]),
    ]);
  },
  digest(input: DigestCardInput): OutgoingActivity {
    const heading = `${input.policy.title} v${input.version.number}: deadline passed`;
    return card(heading, [
      text(heading, { weight: 'Bolder', size: 'Medium' }),
      text(`${input.counts.signed ?? 0} signed; ${input.overdueTotal} overdue.`),
      text(
        `Delivered ${input.delivery.sent}, failed ${input.delivery.failed}, skipped ${input.delivery.skipped}.`,
      ),
      ...Object.entries(input.reasons).map(([reason, n]) => text(`${n} × ${reason}`)),
      ...(input.approvalsNotReached === undefined
        ? []
        : [text(`Approvals not reached: ${input.approvalsNotReached}.`)]),
      ...(input.deliveryRecordsLost ?? []).map((lost) =>
        text(
          `Delivery records lost: ${lost.title} v${lost.versionNumber}, ${lost.sentBeforeLoss} sent before the loss.`,
        ),
      ),
    ]);
  },
  approvalRequest(input: ApprovalCardInput): OutgoingActivity {
    const heading = `Approval needed: ${input.acknowledgement.displayName}`;
    return card(heading, [
      text(heading, { weight: 'Bolder', size: 'Medium' }),
      text(
        `${input.policy.title} v${input.version.number}, signed ${input.acknowledgement.signedAt}.`,
      ),
    ]);
  },
};
