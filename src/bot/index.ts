/** The bot's public surface: the server mounts createBot; campaigns use the cards. */
export {
  createBot,
  MESSAGING_ENDPOINT,
  identityOf,
  commandOf,
  type CountersignBot,
} from './bot-app.ts';
export type {
  ActivityIdentity,
  BotAuditSink,
  BotDeps,
  BotLogger,
  BotNotifications,
  ResolveActor,
} from './bot-deps.ts';
export { schoolActorResolver } from './resolve-actor.ts';
export { recordsDecisionFinder } from './decision-finder.ts';
export * from './card-actions.ts';
export * from './cards/index.ts';
export { botCardRenderer } from './campaign-card-renderer.ts';
export { createBotNotifications, type NotificationDeps } from './bot-notifications.ts';
