/**
 * Where to reach each person proactively: the 1:1 conversation the bot has with them, kept
 * by the campaign sender and the bot's notifications. Contract:
 * tests/contract/conversation-refs.contract.ts.
 */

/** Where to reach a person proactively: the 1:1 conversation the bot has with them. */
export interface StoredConversation {
  userId: string;
  conversationId: string;
  serviceUrl: string;
  tenantId: string;
  /**
   * The person's Teams user id (MRI, `29:…`) as this bot sees them, when known: taken from an
   * activity's `from.id` (the app's install in their personal scope, or anything they say or
   * press), never guessed from the Entra object id. Proactive cards name it in
   * `refresh.userIds`, the form Teams documents for it (card-kit.ts, isUserMri).
   */
  userMri?: string;
  /** ISO 8601 UTC. */
  updatedAt: string;
}

export interface ConversationRefs {
  getConversation(userId: string): Promise<StoredConversation | null>;
  /**
   * Stores the reference, replacing the person's earlier one; a `userMri` already stored is
   * kept when the new reference carries none (the sender creates conversations knowing only
   * the Entra object id, and must not forget what the bot learned from an activity).
   */
  putConversation(conversation: StoredConversation): Promise<void>;
}
