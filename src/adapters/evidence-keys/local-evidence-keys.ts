// The evidence signing key as a PKCS#8 PEM file: locally `.data/evidence-key.pem` (made on first
// start), in production the file COUNTERSIGN_EVIDENCE_KEY_FILE names (never made: a missing key
// is a configuration error). The private key stays in this process; only the key ring (public
// keys with kid and validity) leaves it. Key Vault signing (ES256, the key never leaving the
// vault) is the intended production signer and is not wired yet.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CountersignError } from '../../domain/errors.ts';
import {
  generateEvidenceKeyPair,
  privateKeyFromPem,
  privateKeyToPem,
  publicKeyToJwk,
  type EvidenceKeyPair,
} from '../../domain/evidence/evidence-keys.ts';
import { localEvidenceSigner } from '../../domain/evidence/evidence-signer.ts';
import { keyRingEntry, keyRingSchema } from '../../domain/evidence/key-ring.ts';
import type { EvidenceKeys } from '../../ports/evidence-keys.ts';

/** A key with no stated start verifies anything it signed: the default when none is set. */
export const NO_LOWER_BOUND = '1970-01-01T00:00:00.000Z';

/**
 * The key id: "cs-" and the RFC 7638 JWK thumbprint of the public key (SHA-256 of its required
 * members in lexical order, base64url), so the same key always gets the same id.
 */
function evidenceKid(pair: EvidenceKeyPair): string {
  const jwk = publicKeyToJwk(pair.publicKey);
  const members =
    jwk.kty === 'OKP'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return `cs-${createHash('sha256').update(JSON.stringify(members)).digest('base64url')}`;
}

/** The signer and the published ring of one key pair, valid from `validFrom`. */
function evidenceKeysOf(pair: EvidenceKeyPair, validFrom = NO_LOWER_BOUND): EvidenceKeys {
  const kid = evidenceKid(pair);
  const keyRing = keyRingSchema.parse({
    keys: [keyRingEntry(kid, pair.publicKey, { validFrom })],
  });
  return { signer: localEvidenceSigner(kid, pair.privateKey), keyRing };
}

/** A fresh key held only in memory: tests and benchmarks. */
export function memoryEvidenceKeys(validFrom = NO_LOWER_BOUND): EvidenceKeys {
  return evidenceKeysOf(generateEvidenceKeyPair('Ed25519'), validFrom);
}

export interface KeyFileOptions {
  /** Make an Ed25519 key there when the file is absent (local runs only). */
  create?: boolean;
  validFrom?: string;
}

/** Reads (or, locally, first makes) the PEM key file. */
export function loadEvidenceKeyFile(path: string, options: KeyFileOptions = {}): EvidenceKeys {
  if (!existsSync(path)) {
    if (options.create !== true) {
      throw new CountersignError(
        'validation',
        `The evidence key file ${path} does not exist (COUNTERSIGN_EVIDENCE_KEY_FILE): make one with ` +
          '"openssl genpkey -algorithm ed25519 -out <file>" or an EC P-256 key.',
      );
    }
    mkdirSync(dirname(path), { recursive: true });
    const pair = generateEvidenceKeyPair('Ed25519');
    // wx: two processes starting at once never overwrite each other's key.
    try {
      writeFileSync(path, privateKeyToPem(pair.privateKey), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return evidenceKeysOf(privateKeyFromPem(readFileSync(path, 'utf8')), options.validFrom);
}
