import type { OutgoingActivity } from '../../ports/messenger.ts';
import type { RecordStore } from '../../ports/record-store.ts';
import type { CardRenderer, DigestCardInput, RenderDelivery } from './card-renderer.ts';
import {
  digestJobDataSchema,
  lastSignedOf,
  reminderJobDataSchema,
  updateJobDataSchema,
} from './job-data.ts';
import type { PolicyReads } from './policy-reads.ts';
import { approvalJobDataSchema } from '../approval-requests.ts';

/**
 * The sender's card function: one delivery of a job, drawn with the injected cards. `signatures`
 * (a person's own acknowledgements, read fresh) lets an `update` leave alone the card of someone
 * who signed the version after the update was queued: their card shows their signature (the
 * receipt the card action answered, or the refresh's), and a prompt drawn over it would not.
 */
export function deliveryRenderer(
  cards: CardRenderer,
  policies: PolicyReads,
  signatures?: Pick<RecordStore, 'listAcknowledgements'>,
): RenderDelivery {
  const render: RenderDelivery = async (
    job,
    delivery,
    addressee = {},
  ): Promise<OutgoingActivity | null> => {
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
      case 'update': {
        const update = updateJobDataSchema.parse(job.data);
        if (signatures !== undefined) {
          const signed = await signatures.listAcknowledgements({
            policyKey: job.policyKey,
            userId: delivery.userId,
            versionNumber: job.versionNumber,
          });
          if (signed.length > 0) return null;
        }
        // The card as its job drew it, with the deadline the update carries.
        return render(
          { ...job, id: update.updates, kind: update.sourceKind, data: update.sourceData },
          delivery,
          addressee,
        );
      }
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
      case 'approval': {
        // The signature as queued (approval-requests.ts): drawn without reading Graph for it.
        const { acknowledgement } = approvalJobDataSchema.parse(job.data);
        return cards.approvalRequest({ recipient, acknowledgement, policy, version });
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
  return render;
}
