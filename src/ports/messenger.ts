/**
 * Proactive messages to people in Teams: the Bot Connector REST API in production, its
 * emulator in tests and benchmarks. The adapter makes ONE HTTP call per method and never retries
 * itself: pacing, Retry-After and backoff belong to the sender, which sees every outcome.
 */

/** A message activity as the bot sends it (Adaptive Cards go in attachments). */
export interface OutgoingActivity {
  type: 'message';
  text?: string;
  /** Notification preview text. */
  summary?: string;
  attachments?: { contentType: string; content: unknown }[];
}

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** A reference to a person's 1:1 conversation with the bot. */
export interface ConversationRef {
  userId: string;
  conversationId: string;
  serviceUrl: string;
  tenantId: string;
  /** The person's Teams user id (`29:…`) when known; the connector never needs it to send. */
  userMri?: string;
}

/** Every outcome the sender must tell apart; HTTP details stay in the adapter. */
export type SendOutcome =
  | { kind: 'ok'; id: string }
  /** 429: wait `retryAfterMs` when the service said so, else back off. */
  | { kind: 'throttled'; retryAfterMs?: number }
  /**
   * 403 (the person blocked or uninstalled the app, or policy forbids) — not worth retrying,
   * except while an install lands. `code`: the connector's error code, e.g.
   * `ConversationBlockedByUser` or `BotDisabledByAdmin`, which no install changes.
   */
  | { kind: 'forbidden'; status: 403; reason: string; code?: string }
  /**
   * The bot is not in the person's roster: the app is not installed for them, or was removed
   * since their conversation was stored. Teams answers it as `BotNotInConversationRoster`,
   * documented with 403 ("Status codes from bot conversational APIs") and with 404 (the
   * targeted messages page's Teams SDK table), and seen as a 403 on create and on send
   * (MicrosoftDocs/bot-docs#1527, company-communicator#744, BotFramework-Services#344). Not
   * worth retrying as is; worth an install, then a new conversation (the sender's decision).
   */
  | { kind: 'not-installed'; status: 403 | 404; reason: string }
  /** 404 (no such conversation or user) — not worth retrying as is. */
  | { kind: 'not-found'; status: 404; reason: string }
  /** 5xx, 408, 412, timeouts, dropped connections: retry a bounded number of times. */
  | { kind: 'transient'; status?: number; reason: string }
  /** Other 4xx: a bug or a bad card; never retried. */
  | { kind: 'rejected'; status: number; reason: string };

export type CreateConversationOutcome =
  { kind: 'ok'; ref: ConversationRef } | Exclude<SendOutcome, { kind: 'ok' }>;

export interface Messenger {
  /**
   * Whether a conversation reference's service URL is one this messenger may send the bot's
   * token to (a Teams connector). A stored reference that fails it is ignored, never used.
   */
  trusts(serviceUrl: string): boolean;
  /**
   * Installs the app for the person when they lack it (Graph `teamwork/installedApps`), so
   * a conversation can be created. Idempotent; resolves when installed.
   */
  ensureInstalled(userId: string): Promise<void>;
  /** `POST {serviceUrl}/v3/conversations`: creates or returns the person's 1:1 conversation. */
  createConversation(userId: string): Promise<CreateConversationOutcome>;
  /**
   * `GET {serviceUrl}/v3/conversations/{id}/members/{userId}`: the person's Teams user id (MRI,
   * `29:…`) in a conversation just created, for `refresh.userIds`, or undefined when the
   * connector does not give one (any failure: the id is a refinement, never a reason not to
   * send). Called once per new conversation; a connector call like any other for pacing.
   */
  teamsUserId(ref: ConversationRef): Promise<string | undefined>;
  /** `POST {serviceUrl}/v3/conversations/{id}/activities`. */
  sendActivity(ref: ConversationRef, activity: OutgoingActivity): Promise<SendOutcome>;
  /** `PUT {serviceUrl}/v3/conversations/{id}/activities/{activityId}`: replace a card in place. */
  updateActivity(
    ref: ConversationRef,
    activityId: string,
    activity: OutgoingActivity,
  ): Promise<SendOutcome>;
}
