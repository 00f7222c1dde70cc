import { z } from 'zod';

/**
 * Ed25519 for local keys; ES256 (ECDSA P-256, SHA-256, r‖s as in JWS) because Azure Key Vault
 * vaults sign with EC P-256 but not Ed25519 (learn.microsoft.com/azure/key-vault/keys/about-keys-details).
 */
export const signatureAlgSchema = z.enum(['Ed25519', 'ES256']);
export type SignatureAlg = z.infer<typeof signatureAlgSchema>;

/** A record's signature as stored beside it: the key id names the published key that verifies it. */
export const evidenceSignatureSchema = z.object({
  alg: signatureAlgSchema,
  kid: z.string().min(1).max(200),
  /** The signature bytes, base64url without padding. */
  sig: z.string().regex(/^[A-Za-z0-9_-]+$/),
});
export type EvidenceSignature = z.infer<typeof evidenceSignatureSchema>;

export function encodeSignature(
  alg: SignatureAlg,
  kid: string,
  bytes: Uint8Array,
): EvidenceSignature {
  return { alg, kid, sig: Buffer.from(bytes).toString('base64url') };
}

export function signatureBytes(signature: EvidenceSignature): Uint8Array {
  return Buffer.from(signature.sig, 'base64url');
}
