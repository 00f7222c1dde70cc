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

    it("keeps the person's Teams user id (MRI) when a later reference carries none", async () => {
      const ref = {
        userId: 'b',
        conversationId: 'a:1',
        serviceUrl: 'https://smba.example/uk/',
        tenantId: 't',
        updatedAt: T0.toISOString(),
      };
      // The install activity names the MRI (from.id); the sender then creates the conversation
      // knowing only the Entra object id, and stores what it got.
      await store.putConversation({ ...ref, userMri: '29:1-install' });
      await store.putConversation({ ...ref, conversationId: 'a:2' });
      expect(await store.getConversation('b')).toEqual({
        ...ref,
        conversationId: 'a:2',
        userMri: '29:1-install',
      });
      // A newer activity's MRI replaces it.
      await store.putConversation({ ...ref, userMri: '29:1-later' });
      expect((await store.getConversation('b'))?.userMri).toBe('29:1-later');
      // Someone never seen in an activity has none (absent, not undefined or null).
      await store.putConversation({ ...ref, userId: 'c' });
      expect(await store.getConversation('c')).toEqual({ ...ref, userId: 'c' });
      expect(Object.keys((await store.getConversation('c')) ?? {})).not.toContain('userMri');
    });
  });
}
