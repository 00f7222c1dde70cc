/**
 * Why a card did not reach someone, in a headteacher's words, from the reason the campaign
 * sender stored (campaign-sender.ts: the connector's "<status> <code>: <message>", or the
 * sender's own "429 throttled N times", "… (gave up after N attempts)", "… (app installed N s
 * ago, still not reachable)"). The stored reason stays beside it for whoever supports the school.
 *
 * The 403 codes are Microsoft's "Status codes from bot conversational APIs" (Send and receive
 * messages, learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/
 * conversation-messages): ConversationBlockedByUser, BotDisabledByAdmin, BotNotInConversationRoster
 * (the last also as 404, in the targeted messages page's Teams SDK table).
 * What a 404 means for a 1:1 chat the docs do not say: "not installed for them" is inferred (the
 * sender installs the app on a 403/404 for the same reason).
 */
export function deliveryReasonWords(reason: string | undefined): string {
  if (reason === undefined || reason.trim() === '') return 'Teams gave no reason';
  if (/ConversationBlockedByUser/i.test(reason) || /blocked the conversation/i.test(reason)) {
    return 'they have blocked the Countersign app in Teams';
  }
  if (/BotDisabledByAdmin/i.test(reason)) {
    return 'the school’s Teams administrator has turned the Countersign app off';
  }
  if (/still not reachable/i.test(reason)) {
    return 'Countersign was installed for them, but Teams still would not open a chat with them';
  }
  if (/BotNotInConversationRoster|part of the conversation roster/i.test(reason)) {
    // 403 or 404 (campaign-sender.ts installs the app and tries again before failing this way).
    return 'the Countersign app is not installed for them in Teams, and installing it did not work';
  }
  if (/^429\b/.test(reason)) return 'Teams was too busy and kept asking Countersign to wait';
  if (/^403\b/.test(reason)) return 'Teams would not let Countersign message them';
  if (/^404\b/.test(reason)) {
    return 'Teams could not find a chat with them (the app may not be installed for them)';
  }
  if (/gave up after|^5\d\d\b|^408\b|^412\b|times\)$/i.test(reason)) {
    return 'Teams did not answer after several tries';
  }
  return 'Teams refused the message';
}
