import { z } from 'zod';

export const approvalDecisionSchema = z.enum(['pending', 'approved', 'rejected']);
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

/** The headteacher's decision on one acknowledgement. */
export const approvalSchema = z.object({
  acknowledgementId: z.string().min(1),
  /** The signer. */
  userId: z.string().min(1),
  decision: approvalDecisionSchema,
  approverId: z.string().min(1).optional(),
  approverName: z.string().min(1).optional(),
  additionalPermissions: z.array(z.string().min(1).max(200)).max(20),
  comment: z.string().max(2_000).optional(),
  /** ISO 8601 UTC. */
  decidedAt: z.iso.datetime().optional(),
});
export type Approval = z.infer<typeof approvalSchema>;
