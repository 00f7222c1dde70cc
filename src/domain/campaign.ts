import { z } from 'zod';
import { audienceKeySchema } from './policy-document.ts';
import { policyKeySchema } from './policy.ts';

export const campaignStatusSchema = z.enum([
  'draft',
  'running',
  'paused',
  'completed',
  'cancelled',
]);
export type CampaignStatus = z.infer<typeof campaignStatusSchema>;

export const campaignCountsSchema = z.object({
  recipients: z.number().int().min(0),
  sent: z.number().int().min(0),
  failed: z.number().int().min(0),
  signed: z.number().int().min(0),
});

export const campaignSchema = z.object({
  id: z.string().min(1),
  schoolId: z.string().min(1),
  policyKey: policyKeySchema,
  versionNumber: z.number().int().min(1),
  audiences: z.array(audienceKeySchema).min(1),
  /** ISO 8601 UTC. */
  deadline: z.iso.datetime(),
  /** Days after launch on which a reminder goes to those still due (default 3, 7, 14). */
  reminderDays: z.array(z.number().int().min(1).max(365)).max(10),
  status: campaignStatusSchema,
  counts: campaignCountsSchema,
  createdBy: z.string().min(1),
  createdAt: z.iso.datetime(),
  /**
   * The work store holding this campaign's delivery records (its identity). A store replaced
   * or recreated empty has another id: the campaign then shows its records as lost instead of
   * counting from zero. Absent on campaigns launched before it was recorded.
   */
  workStoreId: z.string().min(1).optional(),
  /** Totals sent and failed from a lost work store, carried when the campaign was recovered. */
  carried: z.object({ sent: z.number().int().min(0), failed: z.number().int().min(0) }).optional(),
});
export type Campaign = z.infer<typeof campaignSchema>;

export const DEFAULT_REMINDER_DAYS = [3, 7, 14] as const;
