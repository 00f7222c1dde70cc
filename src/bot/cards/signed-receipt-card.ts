import type { Acknowledgement } from '../../domain/acknowledgement.ts';
import { signedAsLine } from '../../domain/name-match.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import {
  adaptiveCard,
  facts,
  formatDateTime,
  heading,
  md,
  openUrl,
  shortHash,
  tabLink,
  text,
  type AdaptiveCard,
  type CardsConfig,
} from './card-kit.ts';

export interface SignedReceiptInput {
  policy: Pick<Policy, 'title'>;
  /** No label when the version could not be read after signing: the receipt says its number. */
  version: Pick<PolicyVersion, 'number'> & Partial<Pick<PolicyVersion, 'label'>>;
  acknowledgement: Pick<
    Acknowledgement,
    | 'id'
    | 'signedAt'
    | 'contentHash'
    | 'typedName'
    | 'displayName'
    | 'upn'
    | 'statedRole'
    | 'consents'
    | 'approvalState'
  >;
  /** Consent texts by key, to say in words what was agreed to. */
  consentTexts?: Record<string, string>;
}

function approvalLine(state: Acknowledgement['approvalState']): string | undefined {
  switch (state) {
    case 'pending':
      return 'The headteacher will now approve your access to school systems. You will get a message when they have.';
    case 'approved':
      return 'Approved: your access to school systems is confirmed.';
    case 'rejected':
      return 'Your access to school systems was not approved. Speak to the headteacher.';
    case 'not-required':
      return undefined;
  }
}

/** Replaces the prompt once signed: what was signed, when (school time) and its content hash. */
export function signedReceiptCard(input: SignedReceiptInput, config: CardsConfig): AdaptiveCard {
  const ack = input.acknowledgement;
  const consentLines = Object.entries(ack.consents).map(([key, given]) => {
    const what = input.consentTexts?.[key] ?? key;
    return `${given ? 'Given' : 'Not given'}: ${what}`;
  });
  const approval = approvalLine(ack.approvalState);
  return adaptiveCard(
    [
      heading(`Signed: ${input.policy.title}`),
      text(`Thank you, ${ack.typedName}. Your signature is recorded.`, {
        color: 'Good',
        spacing: 'Small',
      }),
      facts([
        [
          'Version',
          input.version.label === undefined
            ? `Version ${input.version.number}`
            : md`${input.version.label} (version ${input.version.number})`,
        ],
        ['Signed as', signedAsLine(ack)],
        ['Role', ack.statedRole],
        ['Signed at', formatDateTime(ack.signedAt, config.timeZone)],
        ['Content hash', shortHash(ack.contentHash)],
      ]),
      ...consentLines.map((l) => text(l, { spacing: 'Small', isSubtle: true })),
      ...(approval === undefined ? [] : [text(approval, { spacing: 'Medium' })]),
      text(md`Full content hash (SHA-256): ${ack.contentHash}`, {
        size: 'Small',
        isSubtle: true,
        fontType: 'Monospace',
        spacing: 'Medium',
      }),
    ],
    {
      fallbackText: `Signed ${input.policy.title} (${input.version.label ?? `version ${input.version.number}`}).`,
      actions: [openUrl('View in Teams', tabLink(config, 'my-aup'))],
    },
  );
}
