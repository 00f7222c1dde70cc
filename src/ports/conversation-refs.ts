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
  /** ISO 8601 UTC. */
  updatedAt: string;
}

export interface ConversationRefs {
  getConversation(userId: string): Promise<StoredConversation | null>;
  /** Stores the reference, replacing the person's earlier one. */
  putConversation(conversation: StoredConversation): Promise<void>;
}
