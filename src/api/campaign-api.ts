import type { CampaignService } from '../services/campaigns/campaign-service.ts';

/**
 * What the API uses of the campaign service. The API is created without one when campaigns are
 * not configured: those routes then answer 503.
 */
export type CampaignApi = Pick<
  CampaignService,
  | 'launch'
  | 'launchTrust'
  | 'list'
  | 'pause'
  | 'resume'
  | 'cancel'
  | 'recover'
  | 'previewCard'
  | 'sendTest'
  | 'personDeliveries'
>;
