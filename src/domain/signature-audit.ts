import type { Acknowledgement } from './acknowledgement.ts';
import type { AuditEvent } from './audit-event.ts';

/** What a signature's event is built from: a signed acknowledgement record, or the row's fields. */
export type SignatureEventSource = Pick<
  Acknowledgement,
  'id' | 'userId' | 'signedAt' | 'policyKey' | 'versionNumber' | 'contentHash' | 'channel'
>;

/**
 * The audit event of a signature, built from the acknowledgement alone, so a repair can write
 * exactly the event the signature should have had, under the row's own event id (never a
 * second one). `repaired` marks an event written after the fact, so nobody mistakes it for the
 * original's timing.
 */
export function signatureAuditEvent(
  ack: SignatureEventSource,
  eventId: string,
  options: { repaired?: boolean } = {},
): AuditEvent {
  return {
    id: eventId,
    type: 'acknowledgement.signed',
    actorId: ack.userId,
    at: ack.signedAt,
    subject: ack.id,
    details: {
      policyKey: ack.policyKey,
      versionNumber: ack.versionNumber,
      contentHash: ack.contentHash,
      channel: ack.channel,
      ...(options.repaired === true ? { repaired: true } : {}),
    },
  };
}
