import { z } from 'zod';

/** The prompt job of a campaign has the campaign's id; its data says how to remind. */
export const promptJobDataSchema = z.object({
  launchedAt: z.iso.datetime(),
  reminderDays: z.array(z.number().int()),
  audiences: z.array(z.string()),
  createdBy: z.string(),
});

/**
 * A campaign under way whose delivery records were lost (delivery-records.ts), as the admin
 * digest names it: SharePoint's totals stand, and the admin chooses resume or cancel.
 */
export const lostCampaignSchema = z.object({
  campaignId: z.string(),
  title: z.string(),
  versionNumber: z.number(),
  reason: z.enum(['job-missing', 'store-replaced']),
  sentBeforeLoss: z.number(),
  failedBeforeLoss: z.number(),
});
export type LostCampaign = z.infer<typeof lostCampaignSchema>;

export const digestJobDataSchema = z.object({
  digest: z.object({
    counts: z.record(z.string(), z.number()),
    overdue: z.array(z.object({ displayName: z.string() })),
    overdueTotal: z.number(),
    delivery: z.object({
      queued: z.number(),
      inFlight: z.number(),
      sent: z.number(),
      failed: z.number(),
      skipped: z.number(),
      total: z.number(),
    }),
    reasons: z.record(z.string(), z.number()),
    /** The records check line (as the Admin view shows it), then its first failures. */
    recordsCheck: z.array(z.string()).optional(),
    /**
     * The latest signed checkpoint in lines (which, when, the counts, every shard's head, the
     * record's SHA-256 and its signature): a copy outside the SharePoint site, in the admins' and
     * approvers' chats. Hex and digits only, so nothing in a card's text changes them.
     */
    checkpoint: z.array(z.string()).optional(),
    /**
     * Set when this digest is the alert that a campaign's delivery records were lost (issue 13,
     * item 1), not a deadline's: the card says so instead of the deadline's counts.
     */
    alert: z.enum(['delivery-records-lost']).optional(),
    /** Every campaign under way whose delivery records the work store no longer holds. */
    deliveryRecordsLost: z.array(lostCampaignSchema).optional(),
    /**
     * Signatures waiting for approval whose card reached none of their approvers (their
     * approval request is `not-reached`): the digest says how many and where to resend.
     */
    approvalsNotReached: z.number().int().min(1).optional(),
  }),
});
export type DigestJobData = z.infer<typeof digestJobDataSchema>;

export const reminderJobDataSchema = z.object({ round: z.number().int().min(1) });

/** A delivery's variant names the version the person last signed: `from-v<n>`. */
export function variantFor(lastSignedVersion: number | undefined): string | undefined {
  return lastSignedVersion === undefined ? undefined : `from-v${lastSignedVersion}`;
}

export function lastSignedOf(variant: string | undefined): number | undefined {
  const match = /^from-v(\d+)$/.exec(variant ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * An `update` job (a relaunch moved the deadline): which job's cards it replaces, and that job's
 * kind and data, so each card is drawn again as it was sent (a prompt, reminder 2…) with the
 * update job's deadline; `from` and `to` are the deadlines (ISO 8601 UTC).
 */
export const updateJobDataSchema = z.object({
  updates: z.string().min(1),
  sourceKind: z.enum(['prompt', 'reminder']),
  sourceData: z.record(z.string(), z.unknown()),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
});
export type UpdateJobData = z.infer<typeof updateJobDataSchema>;
