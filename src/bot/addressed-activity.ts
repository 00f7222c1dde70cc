import { ADAPTIVE_CARD_CONTENT_TYPE, type OutgoingActivity } from '../ports/messenger.ts';
import { withRefreshUsers, type AdaptiveCard } from './cards/index.ts';

/**
 * A proactive activity addressed to one person: each Adaptive Card in it names them by Teams
 * user id (MRI) in `refresh.userIds`, the form Universal Actions documents ("UserIds is an
 * array of user MRIs", learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/
 * universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards, "User
 * IDs in refresh"), so their client refreshes it for them. Without an MRI (nobody has seen
 * one for the person yet) the activity is sent as drawn: a card in a 1:1 chat still refreshes
 * for its members by the ≤60 rule (card-kit.ts, refreshFor). A card without refresh is as it was.
 */
export function addressedTo(
  activity: OutgoingActivity,
  userMri: string | undefined,
): OutgoingActivity {
  if (userMri === undefined || activity.attachments === undefined) return activity;
  return {
    ...activity,
    attachments: activity.attachments.map((attachment) =>
      attachment.contentType === ADAPTIVE_CARD_CONTENT_TYPE
        ? {
            ...attachment,
            content: withRefreshUsers(attachment.content as AdaptiveCard, [userMri]),
          }
        : attachment,
    ),
  };
}
