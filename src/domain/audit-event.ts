import { z } from 'zod';

export const auditEventTypeSchema = z.enum([
  'acknowledgement.signed',
  'approval.decided',
  /**
   * A pending signature closed because its signer signed the policy again (subject: the closed
   * acknowledgement; details.supersededBy: the newer one). Verify checks it is founded.
   */
  'approval.superseded',
  /** An admin created a policy (its key, title, audiences and approval settings in the details). */
  'policy.created',
  'policy.saved',
  'version.published',
  'version.retired',
  /** A published version taken back (published by mistake); the details name the one restored. */
  'version.withdrawn',
  'campaign.launched',
  'campaign.status-changed',
  /** A relaunch moved a campaign's deadline (details: from, to). */
  'campaign.deadline-moved',
  'campaign.recovered',
  'card.identity-mismatch',
  /** A genuine Bot Connector activity from another tenant or channel, refused at the gate. */
  'bot.activity-refused',
  'seal.verification-failed',
  /** The service's nightly records check: its result (counts, findings) in the details. */
  'records.checked',
  /** A school's settings stored (seeded from the bootstrap JSON, imported, or edited by an admin). */
  'settings.changed',
]);
export type AuditEventType = z.infer<typeof auditEventTypeSchema>;

/** The actor of the events the service itself writes (the records check, the repair sweep). */
export const SERVICE_ACTOR = 'countersign-service';

/** Append-only: what happened, who did it, when, to what. */
export const auditEventSchema = z.object({
  id: z.string().min(1),
  type: auditEventTypeSchema,
  actorId: z.string().min(1),
  /** ISO 8601 UTC. */
  at: z.iso.datetime(),
  /** What the event is about, e.g. an acknowledgement id or "policyKey:v3". */
  subject: z.string().min(1),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;
