/** The bot's public surface: the server mounts createBot; campaigns use the cards. */
export { createBot, commandOf, type CountersignBot } from './bot-app.ts';
export type { BotDeps, BotLogger, BotNotifications } from './bot-deps.ts';
export { schoolActorResolver } from './resolve-actor.ts';
export { recordsDecisionFinder } from './decision-finder.ts';
export * from './card-actions.ts';
export * from './cards/index.ts';
export { botCardRenderer } from './campaign-card-renderer.ts';
export { createBotNotifications } from './bot-notifications.ts';
