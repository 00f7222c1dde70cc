import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationRefs } from '../../src/ports/conversation-refs.ts';
import type { OpenStore, Opened } from './opened-store.ts';

const T0 = new Date('2026-03-02T09:00:00.000Z');

/** The behaviour every ConversationRefs adapter must have. */
export function conversationRefsContract(name: string, open: OpenStore<ConversationRefs>): void {
  describe(`ConversationRefs contract: ${name}`, () => {
    let store: Opened<ConversationRefs>;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores conversation references', async () => {
      expect(await store.getConversation('a')).toBeNull();
      const ref = {
        userId: 'a',
        conversationId: 'a:1',
        serviceUrl: 'https://smba.example/uk/',
        tenantId: 't',
        updatedAt: T0.toISOString(),
      };
      await store.putConversation(ref);
      await store.putConversation({ ...ref, conversationId: 'a:2' });
      expect(await store.getConversation('a')).toEqual({ ...ref, conversationId: 'a:2' });
    });
  });
}
