import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { CountersignError } from './domain-imports.ts';
import {
  algOfKey,
  publicKeyFromMaterial,
  publicKeyMaterialSchema,
  publicKeyToJwk,
  publicKeyToSpki,
} from './evidence-keys.ts';
import { signatureAlgSchema } from './evidence-signature.ts';

/**
 * One published key. A record verifies with it only if the record names it (kid) and was signed
 * (by the signing time inside the record) in [validFrom, validTo): so after a rotation the old key
 * still verifies what it signed, and nothing dated after it was retired.
 */
export const keyRingEntrySchema = z
  .object({
    kid: z.string().min(1).max(200),
    alg: signatureAlgSchema,
    publicKey: publicKeyMaterialSchema,
    validFrom: z.iso.datetime(),
    validTo: z.iso.datetime().optional(),
  })
  .refine((e) => e.validTo === undefined || Date.parse(e.validTo) > Date.parse(e.validFrom), {
    message: 'validTo must be after validFrom',
    path: ['validTo'],
  });
export type KeyRingEntry = z.infer<typeof keyRingEntrySchema>;

/** The public keys the service publishes and stores with the evidence: all anyone needs to verify. */
export const keyRingSchema = z
  .object({ keys: z.array(keyRingEntrySchema) })
  .refine((ring) => new Set(ring.keys.map((k) => k.kid)).size === ring.keys.length, {
    message: 'two keys share a kid',
    path: ['keys'],
  });
export type KeyRing = z.infer<typeof keyRingSchema>;

/** A ring entry for a key (private or public: only the public half is published). */
export function keyRingEntry(
  kid: string,
  key: KeyObject,
  validity: { validFrom: string; validTo?: string },
  form: 'jwk' | 'spki' = 'jwk',
): KeyRingEntry {
  return keyRingEntrySchema.parse({
    kid,
    alg: algOfKey(key),
    publicKey: form === 'jwk' ? publicKeyToJwk(key) : publicKeyToSpki(key),
    ...validity,
  });
}

/**
 * Publishes the next key from `next.validFrom`: every key still open then is closed at that
 * moment (its validTo set), so the ring never has two keys for the same instant by accident.
 */
export function rotateKeyRing(ring: KeyRing, next: KeyRingEntry): KeyRing {
  const from = Date.parse(next.validFrom);
  const keys = ring.keys.map((entry) =>
    entry.validTo === undefined && Date.parse(entry.validFrom) < from
      ? { ...entry, validTo: next.validFrom }
      : entry,
  );
  return keyRingSchema.parse({ keys: [...keys, next] });
}

export interface PreparedKey {
  entry: KeyRingEntry;
  key: KeyObject;
}

/** The ring parsed once with its keys loaded, for verifying many records. */
export interface PreparedKeyRing {
  find(kid: string): PreparedKey | undefined;
}

/** Refuses a malformed ring outright: it is what every verdict rests on. */
export function prepareKeyRing(ring: KeyRing): PreparedKeyRing {
  const parsed = keyRingSchema.safeParse(ring);
  if (!parsed.success) {
    throw new CountersignError('validation', `The key ring is invalid: ${parsed.error.message}`);
  }
  const byKid = new Map<string, PreparedKey>();
  for (const entry of parsed.data.keys) {
    const key = publicKeyFromMaterial(entry.publicKey);
    if (algOfKey(key) !== entry.alg) {
      throw new CountersignError(
        'validation',
        `Key ${entry.kid} is published as ${entry.alg} but is an ${algOfKey(key)} key.`,
      );
    }
    byKid.set(entry.kid, { entry, key });
  }
  return { find: (kid) => byKid.get(kid) };
}

/** True when the instant lies in [validFrom, validTo) of the entry. */
export function keyValidAt(entry: KeyRingEntry, time: string): boolean {
  const at = Date.parse(time);
  return (
    at >= Date.parse(entry.validFrom) &&
    (entry.validTo === undefined || at < Date.parse(entry.validTo))
  );
}
