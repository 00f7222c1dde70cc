import { DEFAULT_PERMISSION_CHOICES } from '../domain/additional-permissions.ts';
import { CountersignError } from '../domain/errors.ts';
import { approvalSchema, type Approval } from '../domain/approval.ts';
import type { Acknowledgement } from '../domain/acknowledgement.ts';
import type { PolicyVersion } from '../domain/policy.ts';
import { systemClock } from '../ports/clock.ts';
import type { Actor } from '../services/actor.ts';
import type { ActivityIdentity, BotDeps, BotLogger } from './bot-deps.ts';
import {
  cardActionSchema,
  cardActionSubject,
  consentAnswers,
  declarationAccepted,
  splitChoices,
  type CardAction,
  type DecideAction,
  type SignAction,
} from './card-actions.ts';
import {
  approvalRequestCard,
  approvalResultCard,
  errorCard,
  signedReceiptCard,
  type AdaptiveCard,
} from './cards/index.ts';
import { infoCard, type PromptBuilder } from './prompt-builder.ts';

export const DECLARATION_REQUIRED =
  'Tick “I have read this policy and I accept the declaration above” to sign. Nothing was signed.';

/** Failures after which a write may or may not have happened (5xx, timeouts, a lost reply). */
const OUTCOME_UNKNOWN: ReadonlySet<CountersignError['code']> = new Set([
  'throttled',
  'unavailable',
  'upstream',
]);

/**
 * Graph was not asked at all: the gateway's circuit breaker refused the call at once because
 * Microsoft 365 stopped answering (GraphUnavailableError, reason 'circuit-open'). Nothing was
 * written, so the card can say plainly that the signature was not taken.
 */
function refusedBeforeWriting(error: unknown): error is CountersignError {
  return (
    error instanceof CountersignError &&
    error.code === 'unavailable' &&
    error.details['reason'] === 'circuit-open'
  );
}

/** When to press Sign again, in whole seconds (the refusal's Retry-After). */
function secondsToWait(error: CountersignError): number {
  const seconds = error.details['retryAfterSeconds'];
  return typeof seconds === 'number' && seconds > 0 ? Math.ceil(seconds) : 10;
}

/** What the card says of the person it was sent to, when it says anything. */
function cardRecipient(action: CardAction): string | undefined {
  switch (action.action) {
    case 'sign':
    case 'showPrompt':
    case 'refreshPrompt':
      return action.userId;
    case 'approve':
    case 'reject':
    case 'refreshApproval':
      return undefined;
  }
}

/** An error a person can act on, as a card; anything else is a fault and propagates. */
function errorCardFor(error: CountersignError): AdaptiveCard {
  switch (error.code) {
    case 'forbidden':
      return errorCard({ title: 'Not allowed', message: error.message, code: error.code });
    case 'not-found':
    case 'conflict':
    case 'precondition-failed':
      return errorCard({
        title: 'This card is out of date',
        message: error.message,
        code: error.code,
      });
    case 'throttled':
    case 'unavailable':
    case 'upstream':
      // Not "nothing was saved": the failure may have come after a write (a sign or a decision).
      return errorCard({
        title: 'Please try again',
        message: `Countersign could not reach the school’s records just now (${error.message}). Try again in a minute; type "status" to see where things stand.`,
        code: error.code,
      });
    case 'validation':
    case 'unauthenticated':
    case 'too-large':
    case 'unsupported-input':
      return errorCard({ title: 'That did not work', message: error.message, code: error.code });
  }
}

/**
 * Card actions (Action.Execute invokes): validates the data, checks identity, calls the
 * service, and answers with the card that replaces the one acted on.
 */
export class CardActionHandler {
  readonly #deps: BotDeps;
  readonly #prompts: PromptBuilder;

  constructor(deps: BotDeps, prompts: PromptBuilder) {
    this.#deps = deps;
    this.#prompts = prompts;
  }

  async handle(
    identity: ActivityIdentity | undefined,
    data: unknown,
    log: BotLogger,
  ): Promise<AdaptiveCard> {
    if (identity === undefined) {
      return errorCard({
        title: 'Not signed in',
        message: 'Teams did not say who you are, so this card cannot be used here.',
        code: 'unauthenticated',
      });
    }
    const parsed = cardActionSchema.safeParse(data);
    if (!parsed.success) {
      log.warn('card action with data the bot does not accept', parsed.error.issues);
      return errorCard({
        title: 'This card is out of date',
        message: 'Countersign does not recognise this card any more. Type "status" for a new one.',
        code: 'validation',
      });
    }
    const action = parsed.data;
    const recipient = cardRecipient(action);
    if (recipient !== undefined && recipient !== identity.aadObjectId) {
      await this.#auditMismatch(identity, action, recipient, log);
      return errorCard({
        title: 'This card is not for you',
        message:
          'It was sent to someone else, and nobody can sign for another person. Your own cards are in your chat with Countersign; type "status" there.',
        code: 'forbidden',
      });
    }
    const act = async (): Promise<AdaptiveCard> => {
      const actor = await this.#deps.resolveActor(identity);
      try {
        return await this.#dispatch(actor, action, log);
      } catch (error) {
        if (error instanceof CountersignError) return errorCardFor(error);
        throw error;
      }
    };
    // A Sign answers within its Graph budget while Graph fails (issue 13, item 2), as the tab's.
    const budget = this.#deps.signBudget;
    return action.action === 'sign' && budget !== undefined ? budget(act) : act();
  }

  async #dispatch(actor: Actor, action: CardAction, log: BotLogger): Promise<AdaptiveCard> {
    switch (action.action) {
      case 'sign':
        return this.#sign(actor, action, log);
      case 'approve':
      case 'reject':
        return this.#decide(actor, action, log);
      case 'showPrompt':
        return this.#prompts.currentCardFor(actor, action.policyKey);
      case 'refreshPrompt':
        return this.#prompts.currentCardFor(actor, action.policyKey, {
          fromCardVersion: action.versionNumber,
        });
      case 'refreshApproval':
        return this.#refreshApproval(actor, action.acknowledgementId);
    }
  }

  /**
   * The signature was not taken (Graph refused before anything was written): the same prompt,
   * with what was typed kept and a line saying so and when to press Sign again, as the tab says
   * it. While Graph is down the prompt itself may not be readable (it needs the person's
   * records): then a card that says the same in words.
   */
  async #notTaken(
    actor: Actor,
    action: SignAction,
    prefill: { typedName: string; statedRole: string; consents: Record<string, boolean> },
    error: CountersignError,
    log: BotLogger,
  ): Promise<AdaptiveCard> {
    const seconds = secondsToWait(error);
    log.warn('sign refused while Microsoft 365 is not answering; nothing was written', {
      code: error.code,
      retryAfterSeconds: seconds,
    });
    try {
      return await this.#prompts.currentCardFor(actor, action.policyKey, {
        error: `Your signature was not taken: Microsoft 365 is not answering just now, so nothing was saved. Press Sign again in about ${seconds} seconds; what you typed is kept.`,
        // The declaration was ticked (nothing reaches the service otherwise): keep it ticked too.
        prefill: { ...prefill, declarationAccepted: true },
        fromCardVersion: action.versionNumber,
      });
    } catch (readError) {
      if (!(readError instanceof CountersignError)) throw readError;
      return errorCard({
        title: 'Your signature was not taken',
        message: `Microsoft 365 is not answering just now, so nothing was saved. Try again in about ${seconds} seconds: type "status" for a new card, or sign in My AUP in Teams.`,
        code: error.code,
      });
    }
  }

  async #sign(actor: Actor, action: SignAction, log: BotLogger): Promise<AdaptiveCard> {
    const consents = consentAnswers(action);
    const typedName = action.typedName ?? '';
    const statedRole = action.statedRole ?? '';
    if (!declarationAccepted(action)) {
      // The card marks the toggle required, but a client may not enforce it and an invoke can be
      // written by hand: the tab's "I have read this policy" is checked here too, never assumed.
      log.warn('card sign without the declaration accepted refused', {
        policyKey: action.policyKey,
        versionNumber: action.versionNumber,
      });
      return this.#prompts.currentCardFor(actor, action.policyKey, {
        error: DECLARATION_REQUIRED,
        prefill: { typedName, statedRole, consents },
        fromCardVersion: action.versionNumber,
      });
    }
    let outcome;
    try {
      outcome = await this.#deps.service.sign(actor, {
        policyKey: action.policyKey,
        versionNumber: action.versionNumber,
        contentHash: action.contentHash,
        // Ticked on the card ("I have read this policy and I accept the declaration above").
        declarationAccepted: true,
        typedName,
        statedRole,
        consents,
        channel: 'card',
      });
    } catch (error) {
      if (error instanceof CountersignError && error.code === 'validation') {
        // The field at fault is left empty to be typed again: prefilled, any hidden character
        // in it would survive an edit of the visible text.
        const field = error.details['field'];
        return this.#prompts.currentCardFor(actor, action.policyKey, {
          error: error.message,
          prefill: {
            declarationAccepted: true,
            ...(field === 'typedName' ? {} : { typedName }),
            ...(field === 'statedRole' ? {} : { statedRole }),
            consents,
          },
          fromCardVersion: action.versionNumber,
        });
      }
      if (refusedBeforeWriting(error)) {
        return this.#notTaken(actor, action, { typedName, statedRole, consents }, error, log);
      }
      if (!(error instanceof CountersignError) || OUTCOME_UNKNOWN.has(error.code)) {
        // The store may have taken the signature before the failure (an audit write, a lost
        // response): say so, and where to check, rather than "nothing was saved".
        log.error('sign failed with its outcome unknown', error);
        return errorCard({
          title: 'Your signature may not have been saved',
          message:
            'Something went wrong while Countersign was saving your signature. Open My AUP in Teams or type "status" to check whether it is recorded; if it is not, sign again.',
          code: error instanceof CountersignError ? error.code : 'upstream',
        });
      }
      throw error;
    }
    switch (outcome.kind) {
      case 'outdated':
        // Never sign the old version: show the current one (or the receipt if already signed).
        return this.#prompts.currentCardFor(actor, action.policyKey, {
          fromCardVersion: action.versionNumber,
          prefill: { typedName, statedRole },
        });
      case 'signed': {
        // The signature is stored: from here on nothing may tell the signer it was not.
        const ack = outcome.acknowledgement;
        // The approvers' card was queued by the service (approval-requests.ts), as for the tab.
        const version = await this.#versionAfterWrite(actor, ack, log);
        if (version === undefined) {
          // The receipt from the acknowledgement alone: the policy's key and the version's number.
          return signedReceiptCard(
            {
              policy: { title: ack.policyKey },
              version: { number: ack.versionNumber },
              acknowledgement: ack,
            },
            this.#deps.cards,
          );
        }
        return signedReceiptCard(
          {
            policy: { title: version.document.title },
            version,
            acknowledgement: ack,
            consentTexts: Object.fromEntries(version.document.consents.map((c) => [c.key, c.text])),
          },
          this.#deps.cards,
        );
      }
    }
  }

  async #decide(actor: Actor, action: DecideAction, log: BotLogger): Promise<AdaptiveCard> {
    // Also the role check: the service refuses anyone without Policy.Approver. The list holds
    // only what this approver may decide, so a request not in it is decided, superseded or not
    // theirs (their own signature, an approver's for the named approver): the service's refusal
    // says which, and a card never offers a decision the service would refuse.
    const pending = await this.#deps.service.pendingApprovals(actor);
    const entry = pending.find((p) => p.acknowledgement.id === action.acknowledgementId);
    if (entry === undefined) return this.#notDecidable(actor, action);

    const permissions = splitChoices(action.additionalPermissions);
    const comment = action.comment?.trim();
    const offered = new Set(this.#deps.cards.permissionChoices ?? DEFAULT_PERMISSION_CHOICES);
    const unknown = permissions.filter((p) => !offered.has(p));
    const decision = action.action === 'approve' ? 'approved' : 'rejected';
    let approval: Approval;
    try {
      if (unknown.length > 0) {
        throw new CountersignError('validation', `Unknown permission: ${unknown.join(', ')}.`, {
          field: 'additionalPermissions',
        });
      }
      approval = await this.#deps.service.decide(actor, {
        acknowledgementId: action.acknowledgementId,
        decision,
        additionalPermissions: permissions,
        ...(comment === undefined || comment === '' ? {} : { comment }),
      });
    } catch (error) {
      if (error instanceof CountersignError && error.code === 'validation') {
        return this.#requestCard(actor, entry.acknowledgement, {
          error: error.message,
          prefill: {
            additionalPermissions: permissions,
            ...(comment === undefined ? {} : { comment }),
          },
        });
      }
      if (error instanceof CountersignError && error.code === 'conflict') {
        // Another approver was first: show their decision rather than an error.
        const theirs = approvalSchema.safeParse(error.details['approval']);
        if (theirs.success) return this.#resultCard(actor, theirs.data, entry.acknowledgement);
      }
      throw error;
    }
    // The decision is stored: a failed read for the card must not hide it.
    const version = await this.#versionAfterWrite(actor, entry.acknowledgement, log);
    const card = approvalResultCard(
      {
        approval,
        acknowledgement: entry.acknowledgement,
        policy: { title: version?.document.title ?? entry.acknowledgement.policyKey },
        version: version === undefined ? {} : { label: version.label },
      },
      this.#deps.cards,
    );
    await this.#notify(log, 'approvalDecided', () =>
      this.#deps.notifications?.approvalDecided?.({
        approval,
        acknowledgement: entry.acknowledgement,
        card,
      }),
    );
    return card;
  }

  /**
   * Why a decision on a request outside the approver's list cannot be taken: decided already
   * (the decision's card), or the service's refusal (own signature, the named approver's only,
   * superseded) as an error card. Nothing is written to find out.
   */
  async #notDecidable(actor: Actor, action: DecideAction): Promise<AdaptiveCard> {
    const decided = await this.#deps.findDecision?.(action.acknowledgementId);
    if (decided !== undefined) {
      return this.#resultCard(actor, decided.approval, decided.acknowledgement);
    }
    try {
      await this.#deps.service.assertDecidable(actor, action.acknowledgementId);
    } catch (error) {
      if (error instanceof CountersignError) return errorCardFor(error);
      throw error;
    }
    // Decidable after all (the request changed since the list was read): decide nothing.
    return infoCard(
      'Please look again',
      'This request changed while you were deciding. Open Approvals to see it as it is now.',
    );
  }

  async #refreshApproval(actor: Actor, acknowledgementId: string): Promise<AdaptiveCard> {
    const pending = await this.#deps.service.pendingApprovals(actor);
    const entry = pending.find((p) => p.acknowledgement.id === acknowledgementId);
    if (entry === undefined) return this.#alreadyDecided(actor, acknowledgementId);
    return this.#requestCard(actor, entry.acknowledgement, {});
  }

  async #alreadyDecided(actor: Actor, acknowledgementId: string): Promise<AdaptiveCard> {
    const decided = await this.#deps.findDecision?.(acknowledgementId);
    if (decided !== undefined) {
      return this.#resultCard(actor, decided.approval, decided.acknowledgement);
    }
    return infoCard(
      'Already decided',
      'Someone has already decided on this request, or it no longer exists. The Approvals tab shows every decision.',
    );
  }

  async #requestCard(
    actor: Actor,
    ack: Acknowledgement,
    extras: { error?: string; prefill?: { additionalPermissions?: string[]; comment?: string } },
  ): Promise<AdaptiveCard> {
    const version = await this.#deps.service.getVersion(actor, ack.policyKey, ack.versionNumber);
    return approvalRequestCard(
      {
        acknowledgement: ack,
        policy: { title: version.document.title },
        version,
        ...(version.document.approval === null
          ? {}
          : { statement: version.document.approval.statement }),
        ...(this.#deps.cards.permissionChoices === undefined
          ? {}
          : { permissionChoices: this.#deps.cards.permissionChoices }),
        ...extras,
      },
      this.#deps.cards,
    );
  }

  async #resultCard(actor: Actor, approval: Approval, ack: Acknowledgement): Promise<AdaptiveCard> {
    const version = await this.#deps.service.getVersion(actor, ack.policyKey, ack.versionNumber);
    return approvalResultCard(
      { approval, acknowledgement: ack, policy: { title: version.document.title }, version },
      this.#deps.cards,
    );
  }

  /**
   * The version just signed or decided on, for the answering card; undefined (logged) when it
   * cannot be read, since the write has already happened and the card must still say so.
   */
  async #versionAfterWrite(
    actor: Actor,
    ack: Pick<Acknowledgement, 'id' | 'policyKey' | 'versionNumber'>,
    log: BotLogger,
  ): Promise<PolicyVersion | undefined> {
    try {
      return await this.#deps.service.getVersion(actor, ack.policyKey, ack.versionNumber);
    } catch (error) {
      log.error('reading the version after a stored write failed; answering without it', {
        acknowledgementId: ack.id,
        error,
      });
      return undefined;
    }
  }

  /** A notification failing must not undo or hide what was stored: it is logged. */
  async #notify(
    log: BotLogger,
    what: string,
    send: () => Promise<void> | undefined,
  ): Promise<void> {
    try {
      await send();
    } catch (error) {
      log.error(`notification ${what} failed; the record is stored`, error);
    }
  }

  async #auditMismatch(
    identity: ActivityIdentity,
    action: CardAction,
    recipient: string,
    log: BotLogger,
  ): Promise<void> {
    const event = {
      id: (this.#deps.newId ?? (() => crypto.randomUUID()))(),
      type: 'card.identity-mismatch' as const,
      actorId: identity.aadObjectId,
      at: (this.#deps.clock ?? systemClock).now().toISOString(),
      subject: cardActionSubject(action),
      details: { verb: action.action, cardUserId: recipient },
    };
    log.warn('card action by someone other than its recipient refused', event);
    if (this.#deps.audit === undefined) return;
    await this.#deps.audit(event);
  }
}
