import type { Acknowledgement } from '../../domain/acknowledgement.ts';
import type { Approval } from '../../domain/approval.ts';
import { signedAsLine } from '../../domain/name-match.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import {
  adaptiveCard,
  facts,
  formatDateTime,
  heading,
  md,
  openUrl,
  tabLink,
  text,
  type AdaptiveCard,
  type CardsConfig,
  type CardText,
} from './card-kit.ts';

export interface ApprovalResultInput {
  approval: Pick<
    Approval,
    'decision' | 'approverName' | 'decidedAt' | 'additionalPermissions' | 'comment'
  >;
  acknowledgement: Pick<
    Acknowledgement,
    'displayName' | 'upn' | 'typedName' | 'statedRole' | 'versionNumber'
  >;
  policy: Pick<Policy, 'title'>;
  /** No label when the version could not be read after the decision: the card gives its number. */
  version: Partial<Pick<PolicyVersion, 'label'>>;
}

function headline(input: ApprovalResultInput): {
  title: string;
  color: 'Good' | 'Attention' | 'Default';
} {
  const who = input.acknowledgement.displayName;
  switch (input.approval.decision) {
    case 'approved':
      return { title: `Approved: ${who}`, color: 'Good' };
    case 'rejected':
      return { title: `Not approved: ${who}`, color: 'Attention' };
    case 'pending':
      return { title: `Awaiting a decision: ${who}`, color: 'Default' };
  }
}

/** The decision, shown to every approver (in place of the request) and sent to the signer. */
export function approvalResultCard(input: ApprovalResultInput, config: CardsConfig): AdaptiveCard {
  const { approval, acknowledgement: ack } = input;
  const { title, color } = headline(input);
  const rows: [string, CardText][] = [
    ['Signed as', signedAsLine(ack)],
    ['Role', ack.statedRole],
    [
      'Policy',
      input.version.label === undefined
        ? `${input.policy.title}, version ${ack.versionNumber}`
        : md`${input.policy.title}, ${input.version.label} (version ${ack.versionNumber})`,
    ],
  ];
  if (approval.decision !== 'pending') {
    rows.push(['Decided by', approval.approverName ?? 'An approver']);
    if (approval.decidedAt !== undefined) {
      rows.push(['Decided at', formatDateTime(approval.decidedAt, config.timeZone)]);
    }
  }
  if (approval.additionalPermissions.length > 0) {
    rows.push(['Additional permissions', approval.additionalPermissions.join(', ')]);
  }
  return adaptiveCard(
    [
      heading(title),
      text(
        approval.decision === 'approved'
          ? 'Credentials for school systems may be allocated as relevant to this role.'
          : approval.decision === 'rejected'
            ? 'Credentials for school systems must not be allocated.'
            : 'No approver has decided yet.',
        { color, spacing: 'Small' },
      ),
      facts(rows),
      ...(approval.comment === undefined || approval.comment === ''
        ? []
        : [text(`Comment: ${approval.comment}`, { spacing: 'Medium' })]),
    ],
    {
      fallbackText: title,
      actions: [openUrl('Open Countersign', tabLink(config, 'my-aup'))],
    },
  );
}
