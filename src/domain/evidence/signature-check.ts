import { verify } from 'node:crypto';
import { signingTimeOf, type EvidenceRecord } from './evidence-record.ts';
import { evidenceSignatureSchema, signatureBytes } from './evidence-signature.ts';
import { keyValidAt, type PreparedKey, type PreparedKeyRing } from './key-ring.ts';
import { signingPayload } from './signing-payload.ts';

/** What a record's signature says about it, against the published keys. */
export type SignatureCheck =
  | { status: 'valid'; kid: string }
  | { status: 'missing' }
  | { status: 'malformed' }
  | { status: 'unknown-key'; kid: string }
  /** The named key does not verify these bytes: the record (or the signature) was changed. */
  | { status: 'bad-signature'; kid: string }
  | {
      status: 'key-not-valid-at-signing';
      kid: string;
      signingTime: string;
      validFrom: string;
      validTo?: string;
    };

function bytesVerify(prepared: PreparedKey, data: Uint8Array, sig: Uint8Array): boolean {
  try {
    switch (prepared.entry.alg) {
      case 'Ed25519':
        return verify(null, data, prepared.key, sig);
      case 'ES256':
        return verify('sha256', data, { key: prepared.key, dsaEncoding: 'ieee-p1363' }, sig);
    }
  } catch {
    // A signature of the wrong length or shape is simply not a valid one.
    return false;
  }
}

/**
 * Checks a record's signature with the key its kid names, and only that key; then that the
 * record's own signing time lies within that key's validity. The signature's alg must be the
 * key's: it cannot talk a verifier into another algorithm.
 */
export function checkSignature(
  record: EvidenceRecord,
  signature: unknown,
  ring: PreparedKeyRing,
): SignatureCheck {
  if (signature === undefined || signature === null || signature === '') {
    return { status: 'missing' };
  }
  const parsed = evidenceSignatureSchema.safeParse(signature);
  if (!parsed.success) return { status: 'malformed' };
  const { kid, alg } = parsed.data;
  const prepared = ring.find(kid);
  if (prepared === undefined) return { status: 'unknown-key', kid };
  if (
    prepared.entry.alg !== alg ||
    !bytesVerify(prepared, signingPayload(record), signatureBytes(parsed.data))
  ) {
    return { status: 'bad-signature', kid };
  }
  const signingTime = signingTimeOf(record);
  if (!keyValidAt(prepared.entry, signingTime)) {
    return {
      status: 'key-not-valid-at-signing',
      kid,
      signingTime,
      validFrom: prepared.entry.validFrom,
      ...(prepared.entry.validTo === undefined ? {} : { validTo: prepared.entry.validTo }),
    };
  }
  return { status: 'valid', kid };
}
