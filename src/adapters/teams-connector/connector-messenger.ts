import { z } from 'zod';
import { parseRetryAfter } from '../../domain/retry.ts';
import {
  isTeamsServiceUrl,
  TEAMS_SERVICE_URL_POLICY,
  type ServiceUrlPolicy,
} from '../../domain/teams-service-url.ts';
import type {
  ConversationRef,
  CreateConversationOutcome,
  Messenger,
  OutgoingActivity,
  SendOutcome,
} from '../../ports/messenger.ts';

/**
 * The Messenger on the Bot Connector REST API with plain fetch. The Teams SDK's `app.send`
 * fits a bot answering in a conversation, but for fan-out we need every HTTP outcome (429 with
 * Retry-After, 403, 404, 5xx) unretried and unwrapped so the sender can pace, record and back
 * off itself, one call per attempt, with a per-conversation serviceUrl; so the adapter speaks
 * the three documented calls directly.
 */
export interface ConnectorMessengerOptions {
  /** Regional connector base, from an activity's serviceUrl (e.g. https://smba.trafficmanager.net/uk/). */
  serviceUrl: string;
  tenantId: string;
  /** The bot's app id (`28:<appId>` is added by Teams). */
  botId: string;
  /** A Bot Framework access token (the Teams SDK's token manager, or a test token). */
  getToken: () => Promise<string>;
  /** Installs the app for a person through Graph `teamwork/installedApps` (the Graph gateway). */
  installApp: (userId: string) => Promise<void>;
  fetch?: typeof fetch;
  /**
   * Where the bot's token may go besides `serviceUrl` itself (which is configuration, so
   * trusted): the Teams connector hosts unless a test names others.
   */
  serviceUrls?: ServiceUrlPolicy;
  /** Abort an answer that takes longer (then reported as transient). */
  timeoutMs?: number;
}

const idBody = z.object({ id: z.string().min(1) });
/**
 * A member as the connector answers `GET /v3/conversations/{conversationId}/members/{userId}`
 * ("Get single member details" in "Get Teams specific context for your bot",
 * learn.microsoft.com/microsoftteams/platform/bots/how-to/get-teams-context: `id` is the Teams
 * user id `29:…`, beside objectId, givenName, surname, email, userPrincipalName, tenantId and
 * userRole; the person may be named by "Teams user ID, UPN, or Azure AD Object ID"). Only `id`
 * is read; the rest varies (an anonymous member has `name` and no objectId).
 */
const memberBody = z.looseObject({ id: z.string().regex(/^29:[^\s]{1,512}$/) });
const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/**
 * Whether an error answer says the bot is not in the person's roster, in any form Teams is
 * known to give it: the code `BotNotInConversationRoster` with 403 ("Status codes from bot
 * conversational APIs", learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/
 * conversation-messages; seen on POST /v3/conversations in MicrosoftDocs/bot-docs#1527 and on a
 * send over a stored reference in microsoft/BotFramework-Services#344) or with 404 (the Teams SDK
 * table of "Enable targeted messages for agents"), or only its message, "The bot is not part of
 * the conversation roster." / "The bot isn't part of the conversation roster." (as
 * OfficeDev/microsoft-teams-apps-company-communicator#744 reports it for people who never
 * installed the app; a body carrying the message without the code is inferred).
 */
function notInRoster(error: { code: string; message: string } | null): boolean {
  if (error === null) return false;
  return (
    error.code === 'BotNotInConversationRoster' ||
    /\bnot part of the conversation roster\b|\bisn[’']t part of the conversation roster\b/i.test(
      error.message,
    )
  );
}

function joinUrl(base: string, path: string): string {
  return `${base.endsWith('/') ? base : `${base}/`}${path}`;
}

export class ConnectorMessenger implements Messenger {
  readonly #options: ConnectorMessengerOptions;
  readonly #fetch: typeof fetch;
  readonly #policy: ServiceUrlPolicy;

  constructor(options: ConnectorMessengerOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    const base = options.serviceUrls ?? TEAMS_SERVICE_URL_POLICY;
    this.#policy = {
      hosts: base.hosts,
      origins: [...(base.origins ?? []), new URL(options.serviceUrl).origin],
    };
  }

  trusts(serviceUrl: string): boolean {
    return isTeamsServiceUrl(serviceUrl, this.#policy);
  }

  ensureInstalled(userId: string): Promise<void> {
    return this.#options.installApp(userId);
  }

  async createConversation(userId: string): Promise<CreateConversationOutcome> {
    const { serviceUrl, tenantId, botId } = this.#options;
    const outcome = await this.#call('POST', joinUrl(serviceUrl, 'v3/conversations'), {
      bot: { id: botId },
      isGroup: false,
      members: [{ id: userId }],
      channelData: { tenant: { id: tenantId } },
      tenantId,
    });
    if (outcome.kind !== 'ok') return outcome;
    return { kind: 'ok', ref: { userId, conversationId: outcome.id, serviceUrl, tenantId } };
  }

  async teamsUserId(ref: ConversationRef): Promise<string | undefined> {
    const path =
      `v3/conversations/${encodeURIComponent(ref.conversationId)}` +
      `/members/${encodeURIComponent(ref.userId)}`;
    const answer = await this.#exchange('GET', joinUrl(ref.serviceUrl, path), undefined);
    if (answer.kind !== 'answered' || answer.status !== 200) return undefined;
    const member = memberBody.safeParse(answer.json);
    return member.success ? member.data.id : undefined;
  }

  sendActivity(ref: ConversationRef, activity: OutgoingActivity): Promise<SendOutcome> {
    const path = `v3/conversations/${encodeURIComponent(ref.conversationId)}/activities`;
    return this.#call('POST', joinUrl(ref.serviceUrl, path), activity);
  }

  updateActivity(
    ref: ConversationRef,
    activityId: string,
    activity: OutgoingActivity,
  ): Promise<SendOutcome> {
    const path =
      `v3/conversations/${encodeURIComponent(ref.conversationId)}` +
      `/activities/${encodeURIComponent(activityId)}`;
    return this.#call('PUT', joinUrl(ref.serviceUrl, path), {
      ...activity,
      id: activityId,
    });
  }

  /** One HTTP exchange with the connector, or why there was none. */
  async #exchange(
    method: string,
    url: string,
    body: unknown,
  ): Promise<
    | { kind: 'answered'; status: number; statusText: string; headers: Headers; json: unknown }
    | { kind: 'untrusted' }
    | { kind: 'failed'; reason: string }
  > {
    // The last line of defence: the bot's token never leaves for a host that is not Teams.
    if (!this.trusts(url)) return { kind: 'untrusted' };
    let response: Response;
    try {
      const token = await this.#options.getToken();
      response = await this.#fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      // Network errors and timeouts: the request may or may not have landed.
      return { kind: 'failed', reason: error instanceof Error ? error.message : String(error) };
    }
    const text = await response.text().catch(() => '');
    const json = ((): unknown => {
      try {
        return text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        return undefined;
      }
    })();
    return {
      kind: 'answered',
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      json,
    };
  }

  async #call(method: string, url: string, body: unknown): Promise<SendOutcome> {
    const answer = await this.#exchange(method, url, body);
    if (answer.kind === 'untrusted') {
      return { kind: 'rejected', status: 421, reason: 'the service URL is not a Teams connector' };
    }
    if (answer.kind === 'failed') return { kind: 'transient', reason: answer.reason };
    const { status, json } = answer;
    if (status >= 200 && status < 300) {
      const parsed = idBody.safeParse(json);
      // An update may answer without an id; a create must give one.
      return { kind: 'ok', id: parsed.success ? parsed.data.id : '' };
    }
    const detail = errorBody.safeParse(json);
    const reason = detail.success
      ? `${status} ${detail.data.error.code}: ${detail.data.error.message}`
      : `${status} ${answer.statusText}`;
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'), Date.now());
      return retryAfterMs === undefined
        ? { kind: 'throttled' }
        : { kind: 'throttled', retryAfterMs };
    }
    if (
      (status === 403 || status === 404) &&
      notInRoster(detail.success ? detail.data.error : null)
    ) {
      return { kind: 'not-installed', status, reason };
    }
    if (status === 403) {
      return detail.success
        ? { kind: 'forbidden', status: 403, reason, code: detail.data.error.code }
        : { kind: 'forbidden', status: 403, reason };
    }
    if (status === 404) return { kind: 'not-found', status: 404, reason };
    // Microsoft's "Optimize your bot with rate limiting in Teams"
    // (https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/rate-limit): besides
    // 429, bots must also retry 412, 502 and 504. So 412 is transient here (bounded retries by
    // the sender), never a permanent rejection that drops the recipient; so is any 5xx and 408.
    if (status >= 500 || status === 408 || status === 412) {
      return { kind: 'transient', status, reason };
    }
    return { kind: 'rejected', status, reason };
  }
}
