import type { TableClient } from '@azure/data-tables';
import type { ConversationRefs, StoredConversation } from '../../ports/conversation-refs.ts';
import { conversationEntity, withKeys } from './table-entities.ts';
import { storageError } from './table-errors.ts';
import { isoToIso, ONE_ROW, readEntity } from './table-access.ts';
import { encodeKey } from './table-keys.ts';

/** Conversation references on Azure Table storage: one partition per person, one row. */
export class AzureTablesConversationRefs implements ConversationRefs {
  readonly #conversations: TableClient;

  constructor(conversations: TableClient) {
    this.#conversations = conversations;
  }

  async getConversation(userId: string): Promise<StoredConversation | null> {
    const found = await readEntity(
      this.#conversations,
      encodeKey(userId),
      ONE_ROW,
      conversationEntity,
    );
    if (found === null) return null;
    const { userMri, ...rest } = found.value;
    return userMri === undefined ? rest : { ...rest, userMri };
  }

  async putConversation(c: StoredConversation): Promise<void> {
    const entity = withKeys(encodeKey(c.userId), ONE_ROW, {
      userId: c.userId,
      conversationId: c.conversationId,
      serviceUrl: c.serviceUrl,
      tenantId: c.tenantId,
      userMri: c.userMri,
      updatedAt: isoToIso(c.updatedAt, 'updatedAt'),
    });
    try {
      // Insert Or Merge (learn.microsoft.com/rest/api/storageservices/insert-or-merge-entity):
      // an existing entity keeps the properties the request leaves out. Every property but
      // userMri is always sent, so only a known MRI survives a reference without one (the
      // port's rule), in one request and without a read.
      await this.#conversations.upsertEntity(entity, 'Merge');
    } catch (error) {
      throw storageError(error, `store the conversation of ${c.userId}`);
    }
  }
}
