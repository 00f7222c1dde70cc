import type { Campaign } from '../domain/campaign.ts';
import type { Actor } from '../services/actor.ts';

/**
 * What the API needs from the campaign service (src/services/campaigns, built alongside). The
 * API is created without one when campaigns are not configured: those routes then answer 503.
 */
export interface CampaignApi {
  launch(
    actor: Actor,
    input: {
      policyKey: string;
      versionNumber: number;
      audiences: string[];
      deadline: string;
      reminderDays: number[];
    },
  ): Promise<Campaign>;
  list(actor: Actor): Promise<Campaign[]>;
  pause(actor: Actor, campaignId: string): Promise<Campaign>;
  resume(actor: Actor, campaignId: string): Promise<Campaign>;
  cancel(actor: Actor, campaignId: string): Promise<Campaign>;
  /** The Adaptive Card JSON exactly as the bot would send it. */
  previewCard(actor: Actor, input: { policyKey: string; versionNumber: number }): Promise<unknown>;
  /** Sends the sign prompt to the acting admin only. */
  sendTest(actor: Actor, input: { policyKey: string; versionNumber: number }): Promise<void>;
}
