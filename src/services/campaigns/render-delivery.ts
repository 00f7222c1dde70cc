import type { OutgoingActivity } from '../../ports/messenger.ts';
import type { CardRenderer, DigestCardInput, RenderDelivery } from './card-renderer.ts';
import { digestJobDataSchema, lastSignedOf, reminderJobDataSchema } from './job-data.ts';
import type { PolicyReads } from './policy-reads.ts';

/** The sender's card function: one delivery of a job, drawn with the injected cards. */
export function deliveryRenderer(cards: CardRenderer, policies: PolicyReads): RenderDelivery {
  return async (job, delivery, addressee = {}): Promise<OutgoingActivity> => {
    const [policy, version] = await Promise.all([
      policies.policy(job.policyKey),
      policies.version(job.policyKey, job.versionNumber),
    ]);
    const recipient = {
      userId: delivery.userId,
      displayName: delivery.displayName ?? '',
      ...(addressee.teamsUserId === undefined ? {} : { teamsUserId: addressee.teamsUserId }),
    };
    switch (job.kind) {
      case 'digest': {
        const { digest } = digestJobDataSchema.parse(job.data);
        const input: DigestCardInput = {
          campaignId: job.campaignId ?? job.id,
          recipient,
          policy,
          version,
          deadline: job.deadline ?? '',
          ...digest,
        };
        return cards.digest(input);
      }
      case 'prompt':
      case 'reminder':
      case 'new-starter':
      case 'renewal':
      case 'test': {
        const last = lastSignedOf(delivery.variant);
        const lastSignedVersion =
          last === undefined
            ? undefined
            : await policies.version(job.policyKey, last).catch(() => undefined);
        const reminder =
          job.kind === 'reminder' ? reminderJobDataSchema.safeParse(job.data) : undefined;
        return cards.prompt({
          kind: job.kind,
          recipient,
          policy,
          version,
          ...(lastSignedVersion === undefined ? {} : { lastSignedVersion }),
          ...(job.deadline === undefined ? {} : { deadline: job.deadline }),
          ...(reminder?.success === true ? { reminderNumber: reminder.data.round } : {}),
        });
      }
    }
  };
}
