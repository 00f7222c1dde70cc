import type { Acknowledgement } from '../../domain/acknowledgement.ts';
import type { PersonStatusKind } from '../../domain/person-status.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import type { OutgoingActivity } from '../../ports/messenger.ts';
import type { Delivery, DeliveryCounts, DeliveryJob } from '../../ports/delivery-queue.ts';
import type { LostCampaign } from './job-data.ts';

/** Who a card goes to. */
export interface Recipient {
  userId: string;
  displayName: string;
  /**
   * Their Teams user id (MRI, `29:…`) when the bot has seen it (ConversationRefs): the card's
   * refresh names them by it. Absent until they installed the app or spoke to the bot.
   */
  teamsUserId?: string;
}

/** What a sign prompt (or reminder, new-starter or renewal prompt) needs to be drawn. */
export interface PromptCardInput {
  kind: 'prompt' | 'reminder' | 'new-starter' | 'renewal' | 'test';
  recipient: Recipient;
  policy: Policy;
  version: PolicyVersion;
  /** The version the person last signed, when they signed an older one ("what changed"). */
  lastSignedVersion?: PolicyVersion;
  /** ISO 8601 UTC. */
  deadline?: string;
  /** For reminders: 1 for the first of the plan. */
  reminderNumber?: number;
}

/** What the one digest for admins and approvers after a deadline shows. */
export interface DigestCardInput {
  campaignId: string;
  recipient: Recipient;
  policy: Policy;
  version: PolicyVersion;
  /** ISO 8601 UTC: the deadline that passed. */
  deadline: string;
  /** The audience by status at the deadline. */
  counts: Partial<Record<PersonStatusKind, number>>;
  /** The first overdue people (the card names a few and counts the rest). */
  overdue: { displayName: string }[];
  overdueTotal: number;
  delivery: DeliveryCounts;
  /** Failures and skips by reason (403 blocked, 404…). */
  reasons: Record<string, number>;
  /** "Records check: all N hold, last checked …", then its first failures in plain words. */
  recordsCheck?: string[];
  /** The latest signed checkpoint: a line naming it, then its counts, heads, hash and signature. */
  checkpoint?: readonly string[];
  /** This digest is the alert that the campaign's delivery records were lost, not a deadline's. */
  alert?: 'delivery-records-lost';
  /** Every campaign under way whose delivery records were lost, with SharePoint's totals. */
  deliveryRecordsLost?: readonly LostCampaign[];
  /** Signatures waiting for approval whose approvers' card reached nobody (absent: none). */
  approvalsNotReached?: number;
}

/** What an approver's request card needs: the signature as signed, and its policy version. */
export interface ApprovalCardInput {
  recipient: Recipient;
  acknowledgement: Acknowledgement;
  policy: Policy;
  version: PolicyVersion;
}

/**
 * The cards, injected: the bot's card functions (src/bot/cards) in the running service, a small
 * placeholder in tests. The campaign services never build card JSON themselves.
 */
export interface CardRenderer {
  prompt(input: PromptCardInput): OutgoingActivity;
  digest(input: DigestCardInput): OutgoingActivity;
  approvalRequest(input: ApprovalCardInput): OutgoingActivity;
}

/** What the sender knows of a delivery's person besides the row: their Teams user id. */
export interface Addressee {
  teamsUserId?: string;
}

/**
 * Renders one delivery of a job, addressed to its person when their Teams user id is known.
 * null: nothing to send, the person's card is left as it is (only for an `update` job, when the
 * person signed the version after the update was queued).
 */
export type RenderDelivery = (
  job: DeliveryJob,
  delivery: Delivery,
  addressee?: Addressee,
) => Promise<OutgoingActivity | null>;
