import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import {
  adaptiveCard,
  execute,
  inSchool,
  facts,
  formatDateTime,
  heading,
  openUrl,
  tabLink,
  text,
  type AdaptiveCard,
  type CardsConfig,
} from './card-kit.ts';

export interface ReminderInput {
  recipient: { userId: string; displayName: string };
  policy: Pick<Policy, 'key' | 'title'>;
  version: Pick<PolicyVersion, 'label'>;
  /** ISO 8601 UTC. */
  deadline?: string;
  /** 1 for the first reminder of the plan, and so on. */
  reminderNumber: number;
  /** Past the deadline: the wording changes, the action does not. */
  overdue: boolean;
  /** One line of what changed, when the person signed an older version. */
  changesSummary?: string;
}

/** A short nudge; "Sign now" replaces it with the full prompt for the current version. */
export function reminderCard(input: ReminderInput, config: CardsConfig): AdaptiveCard {
  const { policy, version, recipient } = input;
  const deadline =
    input.deadline === undefined ? undefined : formatDateTime(input.deadline, config.timeZone);
  // The deadline is said once, in the facts; the words differ for someone who never signed this
  // policy and someone who signed an earlier version (changesSummary says what changed).
  const changed = input.changesSummary !== undefined;
  const subject = changed ? `the new version of ${policy.title}` : policy.title;
  const message = input.overdue
    ? `The deadline to sign ${subject} has passed, and you have not signed it yet. Please sign it today.`
    : changed
      ? `This is a reminder to sign ${subject}: it has changed since you signed it.`
      : `This is a reminder to sign ${subject}: you have not signed it yet.`;
  const steps = changed
    ? 'It takes a minute: read what changed, tick that you have read it, type your name, sign.'
    : 'It takes a few minutes: read the policy, tick that you have read it, type your name, sign.';
  return adaptiveCard(
    [
      heading(input.overdue ? 'Overdue: please sign' : 'Reminder: please sign'),
      text(`Hello ${recipient.displayName}. ${message}`, { spacing: 'Small' }),
      facts([
        ['Policy', policy.title],
        ['Version', version.label],
        ...(deadline === undefined ? [] : ([['Sign by', deadline]] as const)),
        ...(input.changesSummary === undefined
          ? []
          : ([['What changed', input.changesSummary]] as const)),
      ]),
      text(steps, { isSubtle: true, spacing: 'Small' }),
    ],
    {
      fallbackText: `Reminder: please sign ${policy.title} (${version.label}).`,
      actions: [
        execute(
          'Sign now',
          inSchool(config, {
            action: 'showPrompt',
            policyKey: policy.key,
            userId: recipient.userId,
          }),
          { style: 'positive' },
        ),
        openUrl('Read it in Teams', tabLink(config, 'my-aup')),
      ],
    },
  );
}
