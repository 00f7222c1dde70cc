import type { CardElementArray, IContainer, IToggleInput } from '@microsoft/teams.cards';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import { consentInputId, INPUT_IDS } from '../card-actions.ts';
import {
  actionSet,
  adaptiveCard,
  execute,
  facts,
  firstOf,
  formatDateTime,
  heading,
  escapeMarkdown,
  md,
  openUrl,
  inSchool,
  refreshFor,
  tabLink,
  text,
  truncate,
  type AdaptiveCard,
  type CardsConfig,
  type CardText,
} from './card-kit.ts';
import type { PolicyChangeLine } from './policy-changes.ts';
import { policyTextSection } from './policy-text-section.ts';

/** The tab's words for the same confirmation (teams-app/src/views/my-aup/sign-form.tsx). */
export const DECLARATION_TOGGLE_TITLE =
  'I have read this policy and I accept the declaration above';

export interface SignPromptInput {
  /** Whom the card is for: the bot refuses a Sign from anyone else. */
  recipient: { userId: string; displayName: string };
  policy: Pick<Policy, 'key' | 'title'>;
  /** The school the policy is of, named for someone in several (a trust). */
  schoolName?: string;
  version: Pick<PolicyVersion, 'number' | 'label' | 'contentHash'> & {
    document: Pick<PolicyVersion['document'], 'declaration' | 'consents' | 'sections'>;
  };
  /** ISO 8601 UTC, when a campaign set one. */
  deadline?: string;
  reason?: 'never-signed' | 'material-change' | 'renewal';
  /** Since the version the person last signed. */
  changes?: { fromVersionLabel?: string; summary: string; lines: PolicyChangeLine[] };
  /** What the person typed, to show again with an error. */
  prefill?: {
    declarationAccepted?: boolean;
    typedName?: string;
    statedRole?: string;
    consents?: Record<string, boolean>;
  };
  /** Shown above the form: a validation error, or why this card replaced another. */
  error?: string;
  /** The bot's own words: Markdown via md`…` when it quotes data. */
  notice?: CardText;
}

/** Enough to see what changed on a phone; the tab has the rest. */
const MAX_CHANGE_LINES = 30;
const MAX_CHANGE_CHARS = 300;
const DEFAULT_DECLARATION =
  'I have read, understood and agree to comply with this Acceptable Use Policy.';

const KIND_LABEL: Record<PolicyChangeLine['kind'], string> = {
  added: 'New',
  removed: 'Removed',
  reworded: 'Reworded',
  other: 'Changed',
};

function reasonLine(input: SignPromptInput): string {
  switch (input.reason) {
    case 'material-change':
      return 'The policy has changed since you signed it. Please read what changed and sign the new version.';
    case 'renewal':
      return 'It is time to sign this policy again: schools ask staff to re-sign it every year.';
    case 'never-signed':
    case undefined:
      return 'Please read this policy and sign it to confirm you agree to it.';
  }
}

function changesSection(changes: NonNullable<SignPromptInput['changes']>): CardElementArray {
  const { shown, more } = firstOf(changes.lines, MAX_CHANGE_LINES);
  const since =
    changes.fromVersionLabel === undefined
      ? 'since you last signed'
      : `since you signed ${changes.fromVersionLabel}`;
  const list: IContainer = {
    type: 'Container',
    id: 'changes-list',
    isVisible: false,
    items: [
      ...shown.map((change) =>
        text(
          md`**${KIND_LABEL[change.kind]}${change.where === undefined ? '' : ` · ${change.where}`}:** ${truncate(change.text, MAX_CHANGE_CHARS)}`,
          { spacing: 'Small' },
        ),
      ),
      ...(more > 0
        ? [text(`…and ${more} more. Read the whole policy in Teams.`, { isSubtle: true })]
        : []),
    ],
  };
  const elements: CardElementArray = [
    text(md`**What changed ${since}:** ${changes.summary}`, { spacing: 'Medium' }),
  ];
  if (shown.length > 0) {
    elements.push(
      actionSet([
        {
          type: 'Action.ToggleVisibility',
          title: `Show or hide the ${changes.lines.length === 1 ? 'change' : `${changes.lines.length} changes`}`,
          targetElements: ['changes-list'],
        },
      ]),
      list,
    );
  }
  return elements;
}

/** An empty value is the input's default: the card leaves it out. */
function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function consentToggle(
  consent: { key: string; text: string },
  prefill: SignPromptInput['prefill'],
): IToggleInput {
  return {
    type: 'Input.Toggle',
    id: consentInputId(consent.key),
    // A checkbox label: the JavaScript renderer runs it through Markdown like a TextBlock.
    title: escapeMarkdown(consent.text),
    // valueOn / valueOff default to "true" / "false": what consentAnswers reads.
    value: prefill?.consents?.[consent.key] === true ? 'true' : 'false',
    wrap: true,
  };
}

/** The prompt to sign one version: what it is, what changed, and the signing form. */
export function signPromptCard(input: SignPromptInput, config: CardsConfig): AdaptiveCard {
  const { policy, version, recipient } = input;
  const body: CardElementArray = [
    heading(policy.title),
    text(reasonLine(input), { spacing: 'Small' }),
    facts([
      ...(input.schoolName === undefined ? [] : ([['School', input.schoolName]] as const)),
      ['Version', version.label],
      ['For', recipient.displayName],
      ...(input.deadline === undefined
        ? []
        : ([['Sign by', formatDateTime(input.deadline, config.timeZone)]] as const)),
    ]),
  ];
  if (input.notice !== undefined) {
    body.push(text(input.notice, { color: 'Warning', weight: 'Bolder' }));
  }
  if (input.changes !== undefined) body.push(...changesSection(input.changes));
  body.push(...policyTextSection(version.document));

  const declaration =
    version.document.declaration.trim() === '' ? DEFAULT_DECLARATION : version.document.declaration;
  const form: IContainer = {
    type: 'Container',
    id: 'sign-here',
    style: 'emphasis',
    spacing: 'Large',
    items: [
      text('Sign here', { size: 'Medium', weight: 'Bolder', style: 'heading' }),
      text(truncate(declaration, 2_000)),
      ...(input.error === undefined
        ? []
        : [text(input.error, { color: 'Attention', weight: 'Bolder' })]),
      {
        // Required like the tab's checkbox; the bot refuses a Sign without it as well, since a
        // client may not enforce isRequired and an invoke can be written by hand.
        type: 'Input.Toggle',
        id: INPUT_IDS.declarationAccepted,
        title: DECLARATION_TOGGLE_TITLE,
        label: 'Confirm',
        isRequired: true,
        errorMessage: 'Tick this to confirm you have read the policy.',
        value: input.prefill?.declarationAccepted === true ? 'true' : 'false',
        wrap: true,
      },
      {
        type: 'Input.Text',
        id: INPUT_IDS.typedName,
        label: 'Your full name',
        placeholder: 'Type your full name',
        isRequired: true,
        errorMessage: 'Type your full name to sign.',
        maxLength: 200,
        ...(blank(input.prefill?.typedName) ? {} : { value: input.prefill?.typedName }),
      },
      {
        type: 'Input.Text',
        id: INPUT_IDS.statedRole,
        label: 'Your role',
        placeholder: 'For example: class teacher, governor, volunteer',
        isRequired: true,
        errorMessage: 'Say what your role is.',
        maxLength: 200,
        ...(blank(input.prefill?.statedRole) ? {} : { value: input.prefill?.statedRole }),
      },
      ...version.document.consents.map((c) => consentToggle(c, input.prefill)),
    ],
  };
  body.push(form);

  return adaptiveCard(body, {
    fallbackText: `Please sign ${policy.title} (${version.label}) in the Countersign tab.`,
    actions: [
      execute(
        'Sign',
        inSchool(config, {
          action: 'sign',
          policyKey: policy.key,
          versionNumber: version.number,
          contentHash: version.contentHash,
          userId: recipient.userId,
        }),
        { style: 'positive' },
      ),
      openUrl('Read it in Teams', tabLink(config, 'my-aup')),
    ],
    // Shows the signer the current state (signed, or a newer version) whenever they open the chat.
    refresh: refreshFor(
      inSchool(config, {
        action: 'refreshPrompt',
        policyKey: policy.key,
        versionNumber: version.number,
        userId: recipient.userId,
      }),
    ),
  });
}
