import type { EvidenceSigner } from '../domain/evidence/evidence-signer.ts';
import type { KeyRing } from '../domain/evidence/key-ring.ts';

/**
 * What signs evidence and what verifies it: the signer (a local key file, or Key Vault where the
 * private key never leaves the vault) and the public key ring the service publishes at
 * GET /api/evidence/keys. Whoever holds only the ring can verify and cannot forge.
 */
export interface EvidenceKeys {
  signer: EvidenceSigner;
  keyRing: KeyRing;
}
