import { z } from 'zod';

/**
 * The data every Action.Execute on our cards carries, and what the bot accepts back. The Teams
 * SDK routes `card.action.<x>` on `value.action.data.action` (not on `verb`), so each card puts
 * its verb in `data.action` too. Teams merges the card's input values into the same object, by
 * input id (see INPUT_IDS).
 *
 * Nothing here is trusted for identity: `userId` says whom a card was sent to, so that a card
 * acted on by someone else is refused; the person acting is always the activity's sender.
 */

export const INPUT_IDS = {
  /** The "I have read this policy" toggle: "true" when ticked (its valueOn). */
  declarationAccepted: 'declarationAccepted',
  typedName: 'typedName',
  statedRole: 'statedRole',
  additionalPermissions: 'additionalPermissions',
  comment: 'comment',
} as const;

/** Consent toggles are named `consent-<key>`; their values come back as "true" / "false". */
export const CONSENT_INPUT_PREFIX = 'consent-';

export function consentInputId(consentKey: string): string {
  return `${CONSENT_INPUT_PREFIX}${consentKey}`;
}

const policyKey = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);
/** Teams passes numbers back as sent; a hand-written or replayed action may stringify them. */
const versionNumber = z.coerce.number().int().min(1);
const recipientId = z.string().min(1).max(200).optional();
const inputText = (max: number) => z.string().max(max).optional();
/**
 * The school the card came from (a trust: one deployment serves every school). Only a request:
 * bot-app.ts serves the action in it if it is one of the sender's own schools, else refuses.
 */
const school = z.string().min(1).max(64).optional();

export const signActionSchema = z.looseObject({
  action: z.literal('sign'),
  school,
  policyKey,
  versionNumber,
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  userId: recipientId,
  /**
   * The toggle's value as the client sent it. Optional here so that a card without it (an old
   * card, a forged invoke) gets the prompt again with the reason, not "out of date"; the handler
   * signs only when it is exactly "true".
   */
  [INPUT_IDS.declarationAccepted]: z.union([z.string().max(10), z.boolean()]).optional(),
  [INPUT_IDS.typedName]: inputText(200),
  [INPUT_IDS.statedRole]: inputText(200),
});

export const decideActionSchema = z.looseObject({
  action: z.enum(['approve', 'reject']),
  school,
  acknowledgementId: z.string().min(1).max(300),
  /** A multi-select Input.ChoiceSet answers with the chosen values joined by commas. */
  [INPUT_IDS.additionalPermissions]: inputText(2_000),
  [INPUT_IDS.comment]: inputText(2_000),
});

export const showPromptActionSchema = z.looseObject({
  action: z.literal('showPrompt'),
  school,
  policyKey,
  userId: recipientId,
});

export const refreshPromptActionSchema = z.looseObject({
  action: z.literal('refreshPrompt'),
  school,
  policyKey,
  versionNumber,
  userId: recipientId,
});

export const refreshApprovalActionSchema = z.looseObject({
  action: z.literal('refreshApproval'),
  school,
  acknowledgementId: z.string().min(1).max(300),
});

export const cardActionSchema = z.discriminatedUnion('action', [
  signActionSchema,
  decideActionSchema,
  showPromptActionSchema,
  refreshPromptActionSchema,
  refreshApprovalActionSchema,
]);
export type CardAction = z.infer<typeof cardActionSchema>;
export type SignAction = z.infer<typeof signActionSchema>;
export type DecideAction = z.infer<typeof decideActionSchema>;

/** What a refused card action was about, for its audit event: "policy:v3", a key, an id. */
export function cardActionSubject(action: CardAction): string {
  switch (action.action) {
    case 'sign':
    case 'refreshPrompt':
      return `${action.policyKey}:v${action.versionNumber}`;
    case 'showPrompt':
      return action.policyKey;
    case 'approve':
    case 'reject':
    case 'refreshApproval':
      return action.acknowledgementId;
  }
}

/** Ticked, as an Input.Toggle answers ("true"); anything else, or nothing, is not accepted. */
export function declarationAccepted(action: SignAction): boolean {
  return action.declarationAccepted === 'true';
}

/** Consent answers from the merged input values: `consent-photo: "true"` → `{ photo: true }`. */
export function consentAnswers(data: Record<string, unknown>): Record<string, boolean> {
  const answers: Record<string, boolean> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!key.startsWith(CONSENT_INPUT_PREFIX)) continue;
    answers[key.slice(CONSENT_INPUT_PREFIX.length)] = value === true || value === 'true';
  }
  return answers;
}

/** The chosen values of a multi-select ChoiceSet ("a,b" → ["a", "b"]). */
export function splitChoices(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}
