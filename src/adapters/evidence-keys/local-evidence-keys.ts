// The evidence signing key as a PKCS#8 PEM file: locally `.data/evidence-key.pem` (made on first
// start), in production the file COUNTERSIGN_EVIDENCE_KEY_FILE names (never made: a missing key
// is a configuration error). The private key stays in this process; only the key ring (public
// keys with kid and validity) leaves it. In Azure the signer is Key Vault instead
// (key-vault-evidence-keys.ts), where the private key never leaves the vault.
//
// Rotation: beside the key file lives its ring file (`evidence-key.ring.json` for
// `evidence-key.pem`), the public half of every key that file ever held, with validity. A key
// the ring has not seen is added when it is first loaded, valid from then (or from
// COUNTERSIGN_EVIDENCE_KEY_VALID_FROM), and the key before it is closed at that moment. So the
// published ring verifies records signed before and after a rotation.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CountersignError } from '../../domain/errors.ts';
import {
  generateEvidenceKeyPair,
  privateKeyFromPem,
  privateKeyToPem,
  publicKeyToJwk,
  type EvidenceKeyPair,
} from '../../domain/evidence/evidence-keys.ts';
import { localEvidenceSigner } from '../../domain/evidence/evidence-signer.ts';
import {
  keyRingEntry,
  keyRingSchema,
  rotateKeyRing,
  type KeyRing,
} from '../../domain/evidence/key-ring.ts';
import { systemClock, type Clock } from '../../ports/clock.ts';
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
  /** When a key the ring has not seen yet starts signing (default: now, or no bound for the first). */
  validFrom?: string;
  /** The time a new key is published from when `validFrom` is not given. */
  clock?: Clock;
}

/** The ring file of a key file: `evidence-key.pem` → `evidence-key.ring.json` beside it. */
export function ringFileOf(keyFile: string): string {
  return join(dirname(keyFile), `${basename(keyFile).replace(/\.pem$/i, '')}.ring.json`);
}

function readRingFile(path: string): KeyRing {
  if (!existsSync(path)) return { keys: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CountersignError(
      'validation',
      `The evidence key ring ${path} is not JSON.`,
      {},
      { cause: error },
    );
  }
  const ring = keyRingSchema.safeParse(raw);
  if (!ring.success) {
    throw new CountersignError(
      'validation',
      `The evidence key ring ${path} is invalid: ${ring.error.message}`,
    );
  }
  return ring.data;
}

/** Written whole to a temporary file and renamed over, so a crash never leaves half a ring. */
function writeRingFile(path: string, ring: KeyRing): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(ring, null, 2)}\n`, { mode: 0o644 });
  renameSync(temporary, path);
}

/**
 * The ring once the key file's key is in it. A key seen before keeps its published validity; a
 * retired one is refused (signing with it again would make records no verifier accepts); a new
 * one is published from `validFrom` and closes the key before it.
 */
function ringWithKey(
  ringPath: string,
  kid: string,
  pair: EvidenceKeyPair,
  options: KeyFileOptions,
): KeyRing {
  const stored = readRingFile(ringPath);
  const known = stored.keys.find((entry) => entry.kid === kid);
  if (known !== undefined) {
    if (known.validTo !== undefined) {
      throw new CountersignError(
        'validation',
        `The evidence key file holds key ${kid}, which was retired at ${known.validTo} (${ringPath}): ` +
          'put the current key back, or a new one.',
      );
    }
    if (options.validFrom !== undefined && options.validFrom !== known.validFrom) {
      throw new CountersignError(
        'validation',
        `COUNTERSIGN_EVIDENCE_KEY_VALID_FROM is ${options.validFrom} but key ${kid} was published ` +
          `valid from ${known.validFrom} (${ringPath}): unset it, or set it to the published value.`,
      );
    }
    return stored;
  }
  const validFrom =
    options.validFrom ??
    (stored.keys.length === 0
      ? NO_LOWER_BOUND
      : (options.clock ?? systemClock).now().toISOString());
  const latest = stored.keys.reduce(
    (max, entry) => Math.max(max, Date.parse(entry.validFrom)),
    Number.NEGATIVE_INFINITY,
  );
  if (Date.parse(validFrom) <= latest) {
    throw new CountersignError(
      'validation',
      `A new evidence key must start after the key before it: ${validFrom} is not after the ` +
        `latest start in ${ringPath}.`,
    );
  }
  const ring = rotateKeyRing(stored, keyRingEntry(kid, pair.publicKey, { validFrom }));
  writeRingFile(ringPath, ring);
  return ring;
}

/** Reads (or, locally, first makes) the PEM key file, and publishes its key in the ring file. */
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
  const pair = privateKeyFromPem(readFileSync(path, 'utf8'));
  const kid = evidenceKid(pair);
  const keyRing = ringWithKey(ringFileOf(path), kid, pair, options);
  return { signer: localEvidenceSigner(kid, pair.privateKey), keyRing };
}
