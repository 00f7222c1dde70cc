import type { AuditEvent } from '../../domain/audit-event.ts';
import type { Campaign } from '../../domain/campaign.ts';
import { CountersignError } from '../../domain/errors.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import type { School } from '../../domain/school.ts';
import type { Clock } from '../../ports/clock.ts';
import type { DeliveryQueue } from '../../ports/delivery-queue.ts';
import type { Directory } from '../../ports/directory.ts';
import type { RecordStore, Tagged } from '../../ports/record-store.ts';
import type { Actor } from '../actor.ts';
import type { CardRenderer } from './card-renderer.ts';
import type { PolicyReads } from './policy-reads.ts';

/**
 * What every campaign command gets, passed in once by createCampaignService: the ports the
 * commands use (the delivery queue, never the sender's leases or conversations) and settings.
 */
export interface CampaignContext {
  records: RecordStore;
  directory: Directory;
  queue: DeliveryQueue;
  cards: CardRenderer;
  school: School;
  clock: Clock;
  newId: () => string;
  /** Policies and versions, reused briefly. */
  policies: PolicyReads;
  /** Hands a campaign record just read or written to the totals flush (saves it a read). */
  remember: (tagged: Tagged<Campaign>) => void;
  /** Hands a policy and versions a launch read to the sender's cards (saves each job a read). */
  primeCards?: (policy: Policy, versions: readonly PolicyVersion[]) => void;
}

export function campaignAudit(
  ctx: CampaignContext,
  actor: Actor,
  type: AuditEvent['type'],
  subject: string,
  details: Record<string, unknown>,
): AuditEvent {
  return {
    id: ctx.newId(),
    type,
    actorId: actor.id,
    at: ctx.clock.now().toISOString(),
    subject,
    details,
  };
}

export async function getCampaignRecord(
  ctx: CampaignContext,
  campaignId: string,
): Promise<Tagged<Campaign>> {
  const tagged = await ctx.records.getCampaign(campaignId);
  if (tagged === null) {
    throw new CountersignError('not-found', `No campaign ${campaignId}.`, { campaignId });
  }
  return tagged;
}

/** The work store says cancelled, the record does not: a cancel cut short. */
export function cancelledUnderneath(campaignId: string): CountersignError {
  return new CountersignError(
    'conflict',
    `Campaign ${campaignId} was cancelled but its record was not updated: cancel it again.`,
    { campaignId },
  );
}
