import type { Acknowledgement } from '../../../src/domain/acknowledgement.ts';
import { signRecord, type EvidenceSigner } from '../../../src/domain/evidence/evidence-signer.ts';
import type { SignedAcknowledgement } from '../../../src/ports/record-store.ts';

/** The signed record the service makes for an acknowledgement (sign-policy.ts does the same). */
export function signedAcknowledgement(
  signer: EvidenceSigner,
  ack: Acknowledgement,
): Promise<SignedAcknowledgement> {
  // Unknown properties (the seal, the unsigned approval state) are dropped by the schema.
  return signRecord(signer, {
    ...ack,
    kind: 'acknowledgement',
    approvalAtSigning: ack.approvalState === 'pending' ? 'pending' : 'not-required',
  });
}
