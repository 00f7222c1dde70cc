/** Every card the bot (and the campaign sender) sends: pure functions from data to card JSON. */
export * from './card-kit.ts';
export * from './policy-changes.ts';
export * from './sign-prompt-card.ts';
export * from './signed-receipt-card.ts';
export * from './approval-request-card.ts';
export * from './approval-result-card.ts';
export * from './reminder-card.ts';
export * from './admin-digest-card.ts';
export * from './status-card.ts';
export * from './help-card.ts';
export * from './error-card.ts';
export * from './policy-text-section.ts';
