import { ConnectorMessenger } from '../../adapters/teams-connector/connector-messenger.ts';
import type {
  ConversationRef,
  CreateConversationOutcome,
  Messenger,
  OutgoingActivity,
  SendOutcome,
} from '../../ports/messenger.ts';
import type { PlaygroundUser } from './agents-playground.ts';

/**
 * The Agents Playground's chat on screen, as a place for the local run's admin to see their own
 * test card ("send it to myself"). The Playground shows one personal chat, its current user's
 * (its sidebar lists Personal Chat, Group Chat and Teams channels:
 * https://microsoft.github.io/teams-sdk/developer-tools/agents-playground/), and nothing else
 * the bot sends to a 1:1 chat (a chat it creates for another of its users is only a line in its
 * log): so the preview goes to that chat whoever the admin in the tab is,
 * through the Playground's Bot Connector (`/_connector`): `POST v3/conversations` with the
 * current user's Playground id answers the personal chat's id, then `POST
 * v3/conversations/{id}/activities` shows the card. Checked against @microsoft/m365agentsplayground
 * 0.2.28 (its connector routes `/v3/conversations` and `.../activities`; a personal chat per
 * member id). Until `attach` (the Playground listening) and after `detach`, `previewsTo` answers
 * undefined and the preview goes where any card goes: the connector emulator.
 */
export class PlaygroundChat {
  #messenger: Messenger | undefined;

  /** The Playground listens at `connectorUrl` (`http://127.0.0.1:<port>/_connector`). */
  attach(options: {
    connectorUrl: string;
    tenantId: string;
    botId: string;
    currentUser: PlaygroundUser;
    fetch?: typeof fetch;
  }): void {
    this.#messenger = new OnScreenChat(
      new ConnectorMessenger({
        serviceUrl: options.connectorUrl,
        tenantId: options.tenantId,
        botId: options.botId,
        // The Playground checks no token.
        getToken: () => Promise.resolve('local-playground'),
        installApp: () => Promise.resolve(),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      }),
      options.currentUser.id,
    );
  }

  detach(): void {
    this.#messenger = undefined;
  }

  /** For the campaign sender's `previewsTo`: the on-screen chat while attached. */
  readonly previewsTo = (): Messenger | undefined => this.#messenger;
}

/** Every conversation asked for is the current user's personal chat; the rest passes through. */
class OnScreenChat implements Messenger {
  readonly #inner: Messenger;
  readonly #memberId: string;

  constructor(inner: Messenger, memberId: string) {
    this.#inner = inner;
    this.#memberId = memberId;
  }

  trusts(serviceUrl: string): boolean {
    return this.#inner.trusts(serviceUrl);
  }

  ensureInstalled(): Promise<void> {
    return Promise.resolve();
  }

  async createConversation(userId: string): Promise<CreateConversationOutcome> {
    const created = await this.#inner.createConversation(this.#memberId);
    // The reference still names the admin it was sent for.
    return created.kind === 'ok' ? { kind: 'ok', ref: { ...created.ref, userId } } : created;
  }

  /** The on-screen user's id in that chat (the reference names the admin it was sent for). */
  teamsUserId(ref: ConversationRef): Promise<string | undefined> {
    return this.#inner.teamsUserId({ ...ref, userId: this.#memberId });
  }

  sendActivity(ref: ConversationRef, activity: OutgoingActivity): Promise<SendOutcome> {
    return this.#inner.sendActivity(ref, activity);
  }

  updateActivity(
    ref: ConversationRef,
    activityId: string,
    activity: OutgoingActivity,
  ): Promise<SendOutcome> {
    return this.#inner.updateActivity(ref, activityId, activity);
  }
}
