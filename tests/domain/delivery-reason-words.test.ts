import { describe, expect, it } from 'vitest';
import { deliveryReasonWords } from '../../src/domain/delivery-reason-words.ts';

describe('deliveryReasonWords', () => {
  it.each([
    [
      '403 ConversationBlockedByUser: User blocked the conversation with the bot.',
      'they have blocked the Countersign app in Teams',
    ],
    [
      '403 BotDisabledByAdmin: The tenant admin disabled this bot',
      'the school’s Teams administrator has turned the Countersign app off',
    ],
    [
      '403 BotNotInConversationRoster: The bot is not part of the conversation roster.',
      'the Countersign app is not installed for them in Teams, and installing it did not work',
    ],
    [
      '404 BotNotInConversationRoster: Bot is not a member of the conversation.',
      'the Countersign app is not installed for them in Teams, and installing it did not work',
    ],
    [
      '403 BotNotInConversationRoster: The bot is not part of the conversation roster. (app installed 300 s ago, still not reachable)',
      'Countersign was installed for them, but Teams still would not open a chat with them',
    ],
    [
      '403 Forbidden (app installed 300 s ago, still not reachable)',
      'Countersign was installed for them, but Teams still would not open a chat with them',
    ],
    ['429 throttled 8 times', 'Teams was too busy and kept asking Countersign to wait'],
    ['403 NotEnoughPermissions: not allowed', 'Teams would not let Countersign message them'],
    [
      '404 ConversationNotFound: not found',
      'Teams could not find a chat with them (the app may not be installed for them)',
    ],
    ['502 Bad Gateway (gave up after 4 attempts)', 'Teams did not answer after several tries'],
    ['fetch failed (gave up after 4 attempts)', 'Teams did not answer after several tries'],
    ['400 BadArgument: card too large', 'Teams refused the message'],
    [undefined, 'Teams gave no reason'],
  ])('%s → %s', (reason, words) => {
    expect(deliveryReasonWords(reason)).toBe(words);
  });
});
