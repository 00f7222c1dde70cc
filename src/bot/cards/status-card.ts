import type { CardElementArray, IContainer } from '@microsoft/teams.cards';
import type { PersonStatus } from '../../domain/person-status.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import {
  actionSet,
  adaptiveCard,
  execute,
  inSchool,
  firstOf,
  formatDate,
  heading,
  md,
  openUrl,
  tabLink,
  text,
  type AdaptiveCard,
  type CardsConfig,
} from './card-kit.ts';

export interface StatusCardInput {
  person: { userId: string; displayName: string };
  policies: readonly {
    policy: Pick<Policy, 'key' | 'title'>;
    version: Pick<PolicyVersion, 'number' | 'label'>;
    status: PersonStatus;
    changesSummary?: string;
    /**
     * The school the policy is of, for someone in several (a trust): named under the policy, its
     * times read in its zone, and its Sign button served by it.
     */
    school?: { id: string; name: string; timeZone: string };
  }[];
}

const MAX_POLICIES = 20;

function describe(
  status: PersonStatus,
  label: string,
  timeZone: string,
): { line: string; color: 'Good' | 'Warning' | 'Attention' | 'Default'; canSign: boolean } {
  switch (status.kind) {
    case 'signed':
      return {
        line: `Signed on ${formatDate(status.signedAt, timeZone)}; good until ${formatDate(status.validUntil, timeZone)}.`,
        color: 'Good',
        canSign: false,
      };
    case 'awaiting-approval':
      return {
        line: `Signed on ${formatDate(status.signedAt, timeZone)}; waiting for the headteacher's approval.`,
        color: 'Default',
        canSign: false,
      };
    case 'due':
      return {
        line: `Please sign ${label}${status.deadline === undefined ? '' : ` by ${formatDate(status.deadline, timeZone)}`}.`,
        color: 'Warning',
        canSign: true,
      };
    case 'overdue':
      return {
        line: `Overdue: ${label} was due by ${formatDate(status.deadline, timeZone)}. Please sign it now.`,
        color: 'Attention',
        canSign: true,
      };
    case 'rejected':
      return {
        line: `Not approved${status.comment === undefined ? '' : `: ${status.comment}`}. Speak to the headteacher.`,
        color: 'Attention',
        canSign: false,
      };
    case 'not-required':
      return { line: 'Not required for your role.', color: 'Default', canSign: false };
  }
}

/** "status": where I stand with each policy, with a Sign button where one is due. */
export function statusCard(input: StatusCardInput, config: CardsConfig): AdaptiveCard {
  const { shown, more } = firstOf(input.policies, MAX_POLICIES);
  const body: CardElementArray = [heading('Your policies')];
  if (shown.length === 0) {
    body.push(text('There is nothing for you to sign at the moment.', { color: 'Good' }));
  }
  for (const item of shown) {
    const { line, color, canSign } = describe(
      item.status,
      item.version.label,
      item.school?.timeZone ?? config.timeZone,
    );
    const school = item.school === undefined ? config : { schoolId: item.school.id };
    const block: IContainer = {
      type: 'Container',
      separator: true,
      spacing: 'Medium',
      items: [
        text(md`**${item.policy.title}** (${item.version.label})`),
        ...(item.school === undefined
          ? []
          : [text(item.school.name, { isSubtle: true, spacing: 'None' })]),
        text(line, { color, spacing: 'Small' }),
        ...(item.changesSummary === undefined
          ? []
          : [text(`What changed: ${item.changesSummary}`, { isSubtle: true, spacing: 'Small' })]),
        ...(canSign
          ? [
              actionSet([
                execute(
                  'Sign now',
                  inSchool(school, {
                    action: 'showPrompt',
                    policyKey: item.policy.key,
                    userId: input.person.userId,
                  }),
                  { style: 'positive' },
                ),
              ]),
            ]
          : []),
      ],
    };
    body.push(block);
  }
  if (more > 0) body.push(text(`…and ${more} more in the My AUP tab.`, { isSubtle: true }));
  return adaptiveCard(body, {
    fallbackText: `Your policies: ${input.policies.length}.`,
    actions: [openUrl('Open My AUP', tabLink(config, 'my-aup'))],
  });
}
