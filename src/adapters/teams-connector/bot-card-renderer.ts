import {
  adminDigestCard,
  policyChangeLines,
  reminderCard,
  signPromptCard,
  type AdaptiveCard,
  type CardsConfig,
} from '../../bot/cards/index.ts';
import { diffDocuments, summariseDiff } from '../../domain/policy-diff.ts';
import type { PolicyVersion } from '../../domain/policy.ts';
import { ADAPTIVE_CARD_CONTENT_TYPE, type OutgoingActivity } from '../../ports/messenger.ts';
import type {
  CardRenderer,
  DigestCardInput,
  PromptCardInput,
} from '../../services/campaigns/card-renderer.ts';

function activity(card: AdaptiveCard, summary: string): OutgoingActivity {
  return {
    type: 'message',
    summary,
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }],
  };
}

/**
 * The campaign sender's cards, drawn by the bot's card functions (src/bot/cards), so a campaign
 * prompt is the very card the bot shows in chat. "What changed" is diffed once per pair of
 * versions, not once per recipient (the whole document, not each person's audience view).
 */
export function botCardRenderer(config: CardsConfig): CardRenderer {
  const diffs = new Map<string, { summary: string; lines: ReturnType<typeof policyChangeLines> }>();
  const changesBetween = (from: PolicyVersion, to: PolicyVersion) => {
    const key = `${to.policyKey}:${from.number}->${to.number}`;
    let found = diffs.get(key);
    if (found === undefined) {
      const diff = diffDocuments(from.document, to.document);
      found = { summary: summariseDiff(diff), lines: policyChangeLines(diff) };
      diffs.set(key, found);
    }
    return found;
  };

  return {
    prompt(input: PromptCardInput): OutgoingActivity {
      const { policy, version, recipient } = input;
      const changes =
        input.lastSignedVersion === undefined
          ? undefined
          : changesBetween(input.lastSignedVersion, version);
      if (input.kind === 'reminder') {
        return activity(
          reminderCard(
            {
              recipient,
              policy,
              version,
              ...(input.deadline === undefined ? {} : { deadline: input.deadline }),
              reminderNumber: input.reminderNumber ?? 1,
              overdue: false,
              ...(changes === undefined ? {} : { changesSummary: changes.summary }),
            },
            config,
          ),
          `Reminder: please sign ${policy.title}`,
        );
      }
      return activity(
        signPromptCard(
          {
            recipient,
            policy,
            version,
            ...(input.deadline === undefined ? {} : { deadline: input.deadline }),
            reason:
              input.kind === 'renewal'
                ? 'renewal'
                : input.lastSignedVersion === undefined
                  ? 'never-signed'
                  : 'material-change',
            ...(changes === undefined || input.lastSignedVersion === undefined
              ? {}
              : {
                  changes: {
                    fromVersionLabel: input.lastSignedVersion.label,
                    summary: changes.summary,
                    lines: changes.lines,
                  },
                }),
          },
          config,
        ),
        `Please sign ${policy.title} (${version.label})`,
      );
    },
    digest(input: DigestCardInput): OutgoingActivity {
      return activity(
        adminDigestCard(
          {
            policy: input.policy,
            version: input.version,
            deadline: input.deadline,
            counts: input.counts,
            overdue: input.overdue,
          },
          config,
        ),
        `Deadline passed: ${input.policy.title}`,
      );
    },
  };
}
