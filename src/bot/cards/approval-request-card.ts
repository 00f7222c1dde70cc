import type { Acknowledgement } from '../../domain/acknowledgement.ts';
import { DEFAULT_PERMISSION_CHOICES } from '../../domain/additional-permissions.ts';
import { signedAsLine, typedNameDiffers } from '../../domain/name-match.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import { INPUT_IDS } from '../card-actions.ts';
import {
  adaptiveCard,
  choice,
  execute,
  facts,
  formatDateTime,
  heading,
  md,
  openUrl,
  inSchool,
  refreshFor,
  tabLink,
  text,
  truncate,
  type AdaptiveCard,
  type CardsConfig,
} from './card-kit.ts';

export interface ApprovalRequestInput {
  acknowledgement: Pick<
    Acknowledgement,
    'id' | 'displayName' | 'upn' | 'typedName' | 'statedRole' | 'signedAt' | 'versionNumber'
  >;
  policy: Pick<Policy, 'title'>;
  version: Pick<PolicyVersion, 'label'>;
  /** The document's approval statement ("I approve this user to be allocated credentials…"). */
  statement?: string;
  /** Choice values come back joined by commas, so a choice must not contain one. */
  permissionChoices?: readonly string[];
  prefill?: { additionalPermissions?: readonly string[]; comment?: string };
  error?: string;
}

const DEFAULT_STATEMENT =
  'I approve this user to be allocated credentials for school systems as relevant to their role.';

export function approvalRequestCard(
  input: ApprovalRequestInput,
  config: CardsConfig,
): AdaptiveCard {
  const ack = input.acknowledgement;
  const choices = (input.permissionChoices ?? DEFAULT_PERMISSION_CHOICES).filter(
    (c) => !c.includes(','),
  );
  // The typed name is the signer's assertion, the display name the directory's: say so when
  // they clearly disagree, so the approver checks who signed before granting access.
  const nameWarning = typedNameDiffers(ack.typedName, ack.displayName)
    ? [
        text(
          md`⚠ Typed name differs from the account name: “${ack.typedName}” was typed from ${ack.displayName}’s account. Check that ${ack.displayName} signed this themselves before approving.`,
          { color: 'Warning', weight: 'Bolder', spacing: 'Small' },
        ),
      ]
    : [];
  return adaptiveCard(
    [
      heading('Approval needed'),
      text(`${ack.displayName} has signed ${input.policy.title} and needs your approval.`, {
        spacing: 'Small',
      }),
      facts([
        ['Signed as', signedAsLine(ack)],
        ['Role', ack.statedRole],
        ['Signed at', formatDateTime(ack.signedAt, config.timeZone)],
        [
          'Policy',
          md`${input.policy.title}, ${input.version.label} (version ${ack.versionNumber})`,
        ],
      ]),
      ...nameWarning,
      text(truncate(input.statement ?? DEFAULT_STATEMENT, 2_000), {
        spacing: 'Medium',
        weight: 'Bolder',
      }),
      ...(input.error === undefined
        ? []
        : [text(input.error, { color: 'Attention', weight: 'Bolder' })]),
      {
        type: 'Input.ChoiceSet',
        id: INPUT_IDS.additionalPermissions,
        label: 'Additional permissions (optional)',
        isMultiSelect: true,
        style: 'expanded',
        choices: choices.map((c) => choice(c, c)),
        ...(input.prefill?.additionalPermissions === undefined ||
        input.prefill.additionalPermissions.length === 0
          ? {}
          : { value: input.prefill.additionalPermissions.join(',') }),
      },
      {
        type: 'Input.Text',
        id: INPUT_IDS.comment,
        label: 'Comment (needed to reject)',
        isMultiline: true,
        maxLength: 2_000,
        placeholder: 'Anything the signer or the IT lead should know',
        ...(input.prefill?.comment === undefined || input.prefill.comment.trim() === ''
          ? {}
          : { value: input.prefill.comment }),
      },
    ],
    {
      fallbackText: `${ack.displayName} needs your approval for ${input.policy.title}.`,
      actions: [
        execute('Approve', inSchool(config, { action: 'approve', acknowledgementId: ack.id }), {
          style: 'positive',
        }),
        execute('Reject', inSchool(config, { action: 'reject', acknowledgementId: ack.id }), {
          style: 'destructive',
        }),
        // Admin › Approval requests for an admin, their own Approvals for an approver who is not
        // one: the tab decides by the roles the API gives them when it opens (app-shell.tsx).
        openUrl('Open approval requests', tabLink(config, 'approval-requests')),
      ],
      refresh: refreshFor(
        inSchool(config, { action: 'refreshApproval', acknowledgementId: ack.id }),
      ),
    },
  );
}
