import { CountersignError } from '../domain/errors.ts';
import { retrying } from '../domain/retry.ts';
import type { Clock } from '../ports/clock.ts';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  type ConversationRef,
  type Messenger,
  type OutgoingActivity,
  type SendOutcome,
} from '../ports/messenger.ts';
import type { ConversationRefs } from '../ports/conversation-refs.ts';
import { addressedTo } from './addressed-activity.ts';
import type { BotNotifications } from './bot-deps.ts';
import type { AdaptiveCard } from './cards/index.ts';

export interface NotificationDeps {
  workStore: ConversationRefs;
  messenger: Messenger;
  clock: Clock;
  /** Attempts per message when the connector throttles or fails transiently (default 4). */
  maxAttempts?: number;
  /** Waits between attempts; tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
}

const BACKOFF_MS = 1_000;

/** What the connector answered when a call did not succeed. */
type Failure = Exclude<SendOutcome, { kind: 'ok' }>;

function isOk<T extends { kind: 'ok' }>(outcome: T | Failure): outcome is T {
  return outcome.kind === 'ok';
}

function activityOf(summary: string, card: AdaptiveCard): OutgoingActivity {
  return {
    type: 'message',
    summary,
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }],
  };
}

/**
 * The bot's notifications over the Messenger port: the decision to the signer, a private answer,
 * and 1:1 conversation references kept in the WorkStore. Approval requests are not sent here:
 * a burst of signs would throttle the approver's one chat, so they go through the delivery queue
 * (src/services/approval-requests.ts) and the campaign sender's pacing. One message per
 * decision, so no campaign pacing: a 429 waits Retry-After and tries again, a bounded number of
 * times. Other approvers' request cards show the decision through their
 * refresh block (see recordsDecisionFinder), not through more messages.
 */
export function createBotNotifications(deps: NotificationDeps): Required<BotNotifications> {
  const sleep =
    deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = deps.maxAttempts ?? 4;

  async function reach(userId: string): Promise<ConversationRef> {
    const stored = await deps.workStore.getConversation(userId);
    // Only a reference to a Teams connector is used; any other is ignored and replaced.
    if (stored !== null && deps.messenger.trusts(stored.serviceUrl)) {
      return {
        userId: stored.userId,
        conversationId: stored.conversationId,
        serviceUrl: stored.serviceUrl,
        tenantId: stored.tenantId,
        ...(stored.userMri === undefined ? {} : { userMri: stored.userMri }),
      };
    }
    await deps.messenger.ensureInstalled(userId);
    const created = await untilDone(
      () => deps.messenger.createConversation(userId),
      `start a chat with ${userId}`,
    );
    // A new conversation: one member lookup learns the person's Teams user id (MRI) for the
    // card's refresh.userIds when no activity of theirs has given it (installed before the bot
    // saw them); the messenger answers undefined when the connector does not say.
    const learned = await deps.messenger.teamsUserId(created.ref);
    await deps.workStore.putConversation({
      ...created.ref,
      ...(learned === undefined ? {} : { userMri: learned }),
      updatedAt: deps.clock.now().toISOString(),
    });
    // The store keeps an MRI an activity gave meanwhile (the install's): read it back.
    const known = (await deps.workStore.getConversation(userId))?.userMri;
    return known === undefined ? created.ref : { ...created.ref, userMri: known };
  }

  /**
   * One messenger call, tried again while the connector throttles (after its Retry-After) or
   * fails transiently (backing off), at most maxAttempts times in all; any other failure, or the
   * last one, throws.
   */
  async function untilDone<T extends { kind: 'ok' }>(
    call: () => Promise<T | Failure>,
    what: string,
  ): Promise<T> {
    const outcome = await retrying(
      call,
      (result, attempt) => (isOk(result) ? undefined : waitBefore(result, attempt)),
      sleep,
    );
    if (isOk(outcome)) return outcome;
    throw failure(outcome, what);
  }

  function waitBefore(outcome: Failure, attempt: number): number | undefined {
    if (outcome.kind !== 'throttled' && outcome.kind !== 'transient') return undefined;
    if (attempt >= maxAttempts) return undefined;
    return outcome.kind === 'throttled' && outcome.retryAfterMs !== undefined
      ? outcome.retryAfterMs
      : BACKOFF_MS * 2 ** (attempt - 1);
  }

  function failure(outcome: Failure, what: string): CountersignError {
    switch (outcome.kind) {
      case 'throttled':
      case 'transient':
        return new CountersignError(
          outcome.kind === 'throttled' ? 'throttled' : 'unavailable',
          `Could not ${what} after ${maxAttempts} attempts.`,
          { outcome },
        );
      case 'forbidden':
      case 'not-installed':
      case 'not-found':
      case 'rejected':
        return new CountersignError('upstream', `Could not ${what}: ${outcome.reason}`, {
          outcome,
        });
    }
  }

  async function send(userId: string, activity: OutgoingActivity): Promise<void> {
    const ref = await reach(userId);
    // Each approver's copy of a card names them for its refresh (when their MRI is known).
    const addressed = addressedTo(activity, ref.userMri);
    await untilDone(() => deps.messenger.sendActivity(ref, addressed), `send to ${userId}`);
  }

  return {
    async sendPrivately(userId, summary, card) {
      await send(userId, activityOf(summary, card));
    },
    async conversationSeen(ref) {
      await deps.workStore.putConversation({ ...ref, updatedAt: deps.clock.now().toISOString() });
    },
    async approvalDecided({ approval, acknowledgement, card }) {
      await send(
        acknowledgement.userId,
        activityOf(
          approval.decision === 'approved'
            ? `Approved: ${version(acknowledgement)}`
            : `Not approved: ${version(acknowledgement)}`,
          card,
        ),
      );
    },
  };
}

function version(ack: { policyKey: string; versionNumber: number }): string {
  return `${ack.policyKey} version ${ack.versionNumber}`;
}
