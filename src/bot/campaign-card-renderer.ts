import { diffDocuments, summariseDiff } from '../domain/policy-diff.ts';
import { ADAPTIVE_CARD_CONTENT_TYPE, type OutgoingActivity } from '../ports/messenger.ts';
import { addressedTo } from './addressed-activity.ts';
import type {
  ApprovalCardInput,
  CardRenderer,
  DigestCardInput,
  PromptCardInput,
} from '../services/campaigns/card-renderer.ts';
import {
  adminDigestCard,
  approvalRequestCard,
  policyChangeLines,
  reminderCard,
  signPromptCard,
  type AdaptiveCard,
  type CardsConfig,
  type SignPromptInput,
} from './cards/index.ts';

function activity(summary: string, card: AdaptiveCard): OutgoingActivity {
  return {
    type: 'message',
    summary,
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }],
  };
}

function reasonOf(input: PromptCardInput): SignPromptInput['reason'] {
  switch (input.kind) {
    case 'renewal':
      return 'renewal';
    case 'new-starter':
      return 'never-signed';
    case 'prompt':
    case 'reminder':
    case 'test':
      return input.lastSignedVersion === undefined ? 'never-signed' : 'material-change';
  }
}

function changesOf(input: PromptCardInput): SignPromptInput['changes'] {
  const last = input.lastSignedVersion;
  if (last === undefined) return undefined;
  const diff = diffDocuments(last.document, input.version.document);
  return {
    fromVersionLabel: last.label,
    summary: summariseDiff(diff),
    lines: policyChangeLines(diff),
  };
}

/** What the renderer draws a school's cards with. */
export type RendererConfig = CardsConfig & {
  /** The school's permission choices for the approval card (read at each card: live). */
  readonly permissionChoices?: readonly string[];
};

/**
 * The campaign sender's CardRenderer, drawn with the bot's cards: the same JSON the bot answers
 * with, so a prompt sent by a campaign and one opened from "status" look and act the same.
 *
 * In a trust one sender sends every school's jobs (school-services.ts): each card is drawn with
 * the settings of the school whose policy it is (`schoolOf`: its time zone, its permission
 * choices), and carries that school in its actions whatever `schoolOf` answers, so a press is
 * served by the school that sent it, never by the sender's.
 */
export function botCardRenderer(
  ownConfig: RendererConfig,
  schoolOf?: (schoolId: string) => RendererConfig | undefined,
): CardRenderer {
  const configFor = (policy: { schoolId: string }): RendererConfig => {
    const config = schoolOf?.(policy.schoolId) ?? ownConfig;
    // A school of one leaves its cards as they were (no schoolId in its config).
    if (schoolOf === undefined && ownConfig.schoolId === undefined) return config;
    return withSchool(config, policy.schoolId);
  };
  return {
    prompt(input: PromptCardInput): OutgoingActivity {
      return addressedTo(drawPrompt(input), input.recipient.teamsUserId);
    },
    digest(input: DigestCardInput): OutgoingActivity {
      return addressedTo(drawDigest(input), input.recipient.teamsUserId);
    },
    approvalRequest(input: ApprovalCardInput): OutgoingActivity {
      return addressedTo(drawApprovalRequest(input), input.recipient.teamsUserId);
    },
  };

  /** The approver's card, as bot-notifications.ts once drew it in the sign request. */
  function drawApprovalRequest(input: ApprovalCardInput): OutgoingActivity {
    const { acknowledgement, version } = input;
    // The signature's school's settings: its permission choices, its time zone.
    const config = configFor(input.policy);
    const choices = config.permissionChoices;
    return activity(
      `Approval needed: ${acknowledgement.displayName}`,
      approvalRequestCard(
        {
          acknowledgement,
          policy: { title: version.document.title },
          version,
          ...(version.document.approval === null
            ? {}
            : { statement: version.document.approval.statement }),
          ...(choices === undefined ? {} : { permissionChoices: choices }),
        },
        config,
      ),
    );
  }

  function drawPrompt(input: PromptCardInput): OutgoingActivity {
    const config = configFor(input.policy);
    const changes = changesOf(input);
    if (input.kind === 'reminder') {
      return activity(
        `Reminder: please sign ${input.policy.title}`,
        reminderCard(
          {
            recipient: input.recipient,
            policy: input.policy,
            version: input.version,
            reminderNumber: input.reminderNumber ?? 1,
            overdue: false,
            ...(input.deadline === undefined ? {} : { deadline: input.deadline }),
            ...(changes === undefined ? {} : { changesSummary: changes.summary }),
          },
          config,
        ),
      );
    }
    const reason = reasonOf(input);
    return activity(
      `Please sign ${input.policy.title}`,
      signPromptCard(
        {
          recipient: input.recipient,
          policy: input.policy,
          version: input.version,
          ...(reason === undefined ? {} : { reason }),
          ...(input.deadline === undefined ? {} : { deadline: input.deadline }),
          ...(changes === undefined ? {} : { changes }),
          ...(input.kind === 'test'
            ? {
                notice: 'Preview: this is the card staff will receive. Signing it signs for you.',
              }
            : {}),
        },
        config,
      ),
    );
  }

  function drawDigest(input: DigestCardInput): OutgoingActivity {
    const config = configFor(input.policy);
    return activity(
      input.alert === 'delivery-records-lost'
        ? `Delivery records lost: ${input.policy.title}`
        : `Deadline passed: ${input.policy.title}`,
      adminDigestCard(
        {
          policy: input.policy,
          version: input.version,
          deadline: input.deadline,
          counts: input.counts,
          overdue: input.overdue,
          overdueTotal: input.overdueTotal,
          delivery: input.delivery,
          reasons: input.reasons,
          ...(input.recordsCheck === undefined ? {} : { recordsCheck: input.recordsCheck }),
          ...(input.checkpoint === undefined ? {} : { checkpoint: input.checkpoint }),
          ...(input.alert === undefined ? {} : { alert: input.alert }),
          ...(input.deliveryRecordsLost === undefined
            ? {}
            : { deliveryRecordsLost: input.deliveryRecordsLost }),
          ...(input.approvalsNotReached === undefined
            ? {}
            : { approvalsNotReached: input.approvalsNotReached }),
        },
        config,
      ),
    );
  }
}

/** The config with its school named, its other settings (getters included) read now. */
function withSchool(config: RendererConfig, schoolId: string): RendererConfig {
  const { permissionChoices } = config;
  return {
    appId: config.appId,
    timeZone: config.timeZone,
    schoolId,
    ...(permissionChoices === undefined ? {} : { permissionChoices }),
  };
}
