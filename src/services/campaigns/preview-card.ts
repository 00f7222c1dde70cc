import type { OutgoingActivity } from '../../ports/messenger.ts';
import type { Actor } from '../actor.ts';
import { requireRole } from '../require-role.ts';
import type { CampaignContext } from './campaign-context.ts';

/** The exact card a person would receive, addressed to the admin (the tab shows it first). */
export async function previewCard(
  ctx: CampaignContext,
  actor: Actor,
  policyKey: string,
  versionNumber: number,
): Promise<OutgoingActivity> {
  requireRole(actor, 'Policy.Admin');
  const [policy, version] = await Promise.all([
    ctx.policies.policy(policyKey),
    ctx.policies.version(policyKey, versionNumber),
  ]);
  return ctx.cards.prompt({
    kind: 'prompt',
    recipient: { userId: actor.id, displayName: actor.displayName },
    policy,
    version,
  });
}
