import { CountersignError } from '../domain/errors.ts';
import type { Actor } from '../services/actor.ts';
import type { MyPolicyView } from '../services/countersign-service.ts';
import type { BotDeps } from './bot-deps.ts';
import {
  adaptiveCard,
  heading,
  md,
  policyChangeLines,
  signedReceiptCard,
  signPromptCard,
  statusCard,
  text,
  type AdaptiveCard,
  type SignPromptInput,
  type StatusCardInput,
} from './cards/index.ts';
import { readDiff } from './policy-diff-schema.ts';

export type PromptExtras = Pick<SignPromptInput, 'prefill' | 'error' | 'notice' | 'schoolName'> & {
  /** The version on the card acted on: a newer current version gets a notice saying so. */
  fromCardVersion?: number;
};

/** Builds the cards that depend on where the person stands now (the service's view). */
export class PromptBuilder {
  readonly #deps: BotDeps;

  constructor(deps: BotDeps) {
    this.#deps = deps;
  }

  async statusCard(actor: Actor): Promise<AdaptiveCard> {
    return statusCard(
      {
        person: { userId: actor.id, displayName: actor.displayName },
        policies: await this.statusEntries(actor),
      },
      this.#deps.cards,
    );
  }

  /**
   * The person's policies as the status card lists them; named `schoolName` (someone in several
   * schools), each entry names this school, so its Sign button is served here.
   */
  async statusEntries(actor: Actor, schoolName?: string): Promise<StatusCardInput['policies']> {
    const views = await this.#deps.service.myPolicies(actor);
    const { schoolId, timeZone } = this.#deps.cards;
    const school =
      schoolName === undefined || schoolId === undefined
        ? undefined
        : { id: schoolId, name: schoolName, timeZone };
    return views.map((v) => ({
      policy: v.policy,
      version: v.version,
      status: v.status,
      ...(v.changesSummary === undefined ? {} : { changesSummary: v.changesSummary }),
      ...(school === undefined ? {} : { school }),
    }));
  }

  /**
   * "sign": the prompt of every policy the person has to sign now (usually one), or their status
   * card when nothing is due, which says what they have signed.
   */
  async signCards(actor: Actor): Promise<AdaptiveCard[]> {
    const due = await this.dueCards(actor);
    return due.length === 0 ? [await this.statusCard(actor)] : due;
  }

  /** The prompt of every policy due now (none: empty), each naming `schoolName` when given. */
  async dueCards(actor: Actor, schoolName?: string): Promise<AdaptiveCard[]> {
    const views = await this.#deps.service.myPolicies(actor);
    const due = views.filter((v) => v.status.kind === 'due' || v.status.kind === 'overdue');
    const extras = schoolName === undefined ? {} : { schoolName };
    return Promise.all(due.map((view) => this.#prompt(actor, view, extras)));
  }

  /**
   * The card the person should see for a policy now: the prompt for the current version while
   * one is due, else the receipt of what they signed. Always from the service's current state,
   * never from a card's data, so an old card can never lead to signing an old version.
   */
  async currentCardFor(
    actor: Actor,
    policyKey: string,
    extras: PromptExtras = {},
  ): Promise<AdaptiveCard> {
    const view = await this.#view(actor, policyKey);
    if (view === undefined) {
      return infoCard(
        'Nothing to sign',
        'This policy does not apply to you at the moment. Type "status" to see what does.',
      );
    }
    switch (view.status.kind) {
      case 'due':
      case 'overdue':
        return this.#prompt(actor, view, extras);
      case 'signed':
      case 'awaiting-approval':
      case 'rejected':
        return this.#receipt(actor, view);
      case 'not-required':
        return infoCard('Nothing to sign', `${view.policy.title} does not apply to your role.`);
    }
  }

  async #view(actor: Actor, policyKey: string): Promise<MyPolicyView | undefined> {
    const views = await this.#deps.service.myPolicies(actor);
    return views.find((v) => v.policy.key === policyKey);
  }

  async #prompt(actor: Actor, view: MyPolicyView, extras: PromptExtras): Promise<AdaptiveCard> {
    const status = view.status;
    if (status.kind !== 'due' && status.kind !== 'overdue') {
      throw new CountersignError('conflict', 'Nothing is due for this policy.');
    }
    let changes: SignPromptInput['changes'];
    if (status.lastSignedVersion !== undefined) {
      const changed = await this.#deps.service.whatChanged(actor, view.policy.key);
      const diff = readDiff(changed.diff);
      changes = {
        fromVersionLabel: `version ${status.lastSignedVersion}`,
        summary: changed.summary,
        lines: diff === undefined ? [] : policyChangeLines(diff),
      };
    }
    const { fromCardVersion, ...shown } = extras;
    const notice =
      shown.notice ??
      (fromCardVersion !== undefined && fromCardVersion !== view.version.number
        ? md`A newer version (${view.version.label}) was published after that card was sent, so it cannot be signed. Please read and sign this one.`
        : undefined);
    return signPromptCard(
      {
        recipient: { userId: actor.id, displayName: actor.displayName },
        policy: view.policy,
        version: view.version,
        reason: status.reason,
        ...(status.deadline === undefined ? {} : { deadline: status.deadline }),
        ...(changes === undefined ? {} : { changes }),
        ...shown,
        ...(notice === undefined ? {} : { notice }),
      },
      this.#deps.cards,
    );
  }

  async #receipt(actor: Actor, view: MyPolicyView): Promise<AdaptiveCard> {
    const history = await this.#deps.service.myHistory(actor);
    const signed = history
      .filter((a) => a.policyKey === view.policy.key)
      .sort((a, b) => b.versionNumber - a.versionNumber)[0];
    if (signed === undefined) {
      throw new CountersignError('not-found', 'No signature was found for this policy.', {
        policyKey: view.policy.key,
      });
    }
    const version =
      signed.versionNumber === view.version.number
        ? view.version
        : await this.#deps.service.getVersion(actor, signed.policyKey, signed.versionNumber);
    return signedReceiptCard(
      {
        policy: view.policy,
        version,
        acknowledgement: signed,
        consentTexts: Object.fromEntries(version.document.consents.map((c) => [c.key, c.text])),
      },
      this.#deps.cards,
    );
  }
}

/** A short card with a heading and a line: "nothing to do" answers. */
export function infoCard(title: string, message: string): AdaptiveCard {
  return adaptiveCard([heading(title), text(message, { spacing: 'Small' })], {
    fallbackText: `${title}: ${message}`,
  });
}
