import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import type { OutgoingActivity } from '../../ports/messenger.ts';
import type { DeliveryCounts, DeliveryJob } from '../../ports/work-store.ts';

/** What a sign prompt (or reminder, new-starter or renewal prompt) needs to be drawn. */
export interface PromptCardInput {
  kind: 'prompt' | 'reminder' | 'new-starter' | 'renewal' | 'test';
  policy: Policy;
  version: PolicyVersion;
  /** The version the person last signed, when they signed an older one ("what changed"). */
  lastSignedVersion?: PolicyVersion;
  /** ISO 8601 UTC. */
  deadline?: string;
}

/** What the digest for admins and approvers after a deadline shows. */
export interface DigestCardInput {
  campaignId: string;
  policy: Policy;
  version: PolicyVersion;
  deadline: string;
  audience: number;
  signed: number;
  outstanding: number;
  delivery: DeliveryCounts;
  /** Failures and skips by reason. */
  reasons: Record<string, number>;
}

/**
 * The cards, injected: the bot's card functions (src/bot/cards) in the running service, a small
 * placeholder in tests. The campaign services never build card JSON themselves.
 */
export interface CardRenderer {
  prompt(input: PromptCardInput): OutgoingActivity;
  digest(input: DigestCardInput): OutgoingActivity;
}

/** Renders one delivery of a job. Variants (e.g. `from-v2`) share one rendering. */
export type RenderDelivery = (
  job: DeliveryJob,
  variant: string | undefined,
) => Promise<OutgoingActivity>;
