import { sign, type KeyObject } from 'node:crypto';
import { CountersignError } from './domain-imports.ts';
import { algOfKey } from './evidence-keys.ts';
import { schemaOfKind, signingTimeOf, type EvidenceRecord } from './evidence-record.ts';
import {
  encodeSignature,
  type EvidenceSignature,
  type SignatureAlg,
} from './evidence-signature.ts';
import { recordHash, signingPayload } from './signing-payload.ts';

/** What a signer returns: the signature bytes and the published key (kid) that made them. */
export interface KeySignature {
  kid: string;
  bytes: Uint8Array;
}

/**
 * Whatever holds the private key. Async because in Azure the key never leaves Key Vault (the
 * CryptographyClient signs the SHA-256 digest there and returns r‖s); locally it is a key file
 * under .data/. Either way the caller never sees the private key.
 *
 * A signer may hold several keys over time (Key Vault key versions): it signs with the key the
 * published ring says is valid at the record's own signing time, so a record signed around a
 * rotation always names a key whose validity covers it.
 */
export interface EvidenceSigner {
  /** The id of the key it signs new records with (the newest it knows). */
  readonly kid: string;
  readonly alg: SignatureAlg;
  /**
   * Signs exactly these bytes: Ed25519 over the message, ES256 over its SHA-256 (r‖s, 64 bytes),
   * with the key valid at `signingTime` (ISO 8601, the time inside the record).
   */
  sign(data: Uint8Array, signingTime: string): Promise<KeySignature>;
}

/** A signer from a node:crypto private key (the local key file, tests). */
export function localEvidenceSigner(kid: string, privateKey: KeyObject): EvidenceSigner {
  if (privateKey.type !== 'private') {
    throw new CountersignError('validation', 'A signer needs the private key.');
  }
  const alg = algOfKey(privateKey);
  // One key: the ring's validity for it is checked by the verifier, not here.
  return {
    kid,
    alg,
    sign: (data) => {
      switch (alg) {
        case 'Ed25519':
          return Promise.resolve({ kid, bytes: sign(null, data, privateKey) });
        case 'ES256':
          return Promise.resolve({
            kid,
            bytes: sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
          });
      }
    },
  };
}

/** A record, its signature and its hash, as written to the store. */
export interface SignedRecord<R extends EvidenceRecord = EvidenceRecord> {
  record: R;
  signature: EvidenceSignature;
  /** recordHash(record): the chain link for an audit event, the leaf for a checkpoint. */
  hash: string;
}

/**
 * Validates the record against its kind's schema (unknown properties are dropped, as the seal
 * did, so they can neither break nor ride along with a signature) and signs its payload.
 */
export async function signRecord<R extends EvidenceRecord>(
  signer: EvidenceSigner,
  record: R,
): Promise<SignedRecord<R>> {
  const parsed = schemaOfKind(record.kind).safeParse(record);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((issue) => `${issue.path.map(String).join('.') || '(record)'}: ${issue.message}`)
      .join('; ');
    throw new CountersignError('validation', `Cannot sign an invalid ${record.kind}: ${issues}.`);
  }
  // The schema of record.kind returns a record of that kind.
  const valid = parsed.data as R;
  const { kid, bytes } = await signer.sign(signingPayload(valid), signingTimeOf(valid));
  return {
    record: valid,
    signature: encodeSignature(signer.alg, kid, bytes),
    hash: recordHash(valid),
  };
}
