import type { Actor } from '../actor.ts';
import { requireRole } from '../require-role.ts';
import type { CampaignContext } from './campaign-context.ts';

/** Sends the prompt to the admin themself, through the same sender as a campaign. */
export async function sendTest(
  ctx: CampaignContext,
  actor: Actor,
  input: { policyKey: string; versionNumber: number; deadline?: string },
): Promise<{ jobId: string }> {
  requireRole(actor, 'Policy.Admin');
  await ctx.policies.version(input.policyKey, input.versionNumber);
  const now = ctx.clock.now();
  const jobId = `test/${ctx.newId()}`;
  await ctx.queue.createJob({
    id: jobId,
    kind: 'test',
    policyKey: input.policyKey,
    versionNumber: input.versionNumber,
    ...(input.deadline === undefined ? {} : { deadline: input.deadline }),
    status: 'running',
    createdAt: now.toISOString(),
    data: { requestedBy: actor.id },
  });
  await ctx.queue.enqueue(jobId, [{ userId: actor.id, displayName: actor.displayName }], now);
  return { jobId };
}
