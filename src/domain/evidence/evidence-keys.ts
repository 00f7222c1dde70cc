import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';
import { CountersignError } from './domain-imports.ts';
import type { SignatureAlg } from './evidence-signature.ts';

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/);

/** A public key as JWK (RFC 8037 for Ed25519, RFC 7518 for P-256): no private members allowed. */
export const publicJwkSchema = z.discriminatedUnion('kty', [
  z.strictObject({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: base64url }),
  z.strictObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: base64url, y: base64url }),
]);
export type PublicJwk = z.infer<typeof publicJwkSchema>;

/** A published public key: a JWK, or the DER SubjectPublicKeyInfo in base64 (what openssl prints). */
export const publicKeyMaterialSchema = z.union([
  publicJwkSchema,
  z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/),
]);
export type PublicKeyMaterial = z.infer<typeof publicKeyMaterialSchema>;

export interface EvidenceKeyPair {
  alg: SignatureAlg;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh key pair for a local key file (in Azure the key is made in Key Vault instead). */
export function generateEvidenceKeyPair(alg: SignatureAlg = 'Ed25519'): EvidenceKeyPair {
  switch (alg) {
    case 'Ed25519': {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      return { alg, privateKey, publicKey };
    }
    case 'ES256': {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return { alg, privateKey, publicKey };
    }
  }
}

/** Which signature algorithm a key (private or public) is for; refuses any other kind of key. */
export function algOfKey(key: KeyObject): SignatureAlg {
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'ES256';
  }
  throw new CountersignError(
    'validation',
    `An evidence key must be Ed25519 or EC P-256, not ${key.asymmetricKeyType ?? key.type}.`,
  );
}

/** PKCS#8 PEM: the local key file's contents. */
export function privateKeyToPem(privateKey: KeyObject): string {
  if (privateKey.type !== 'private') {
    throw new CountersignError('validation', 'Only a private key goes in the key file.');
  }
  algOfKey(privateKey);
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function privateKeyFromPem(pem: string): EvidenceKeyPair {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new CountersignError(
      'validation',
      'The evidence key file is not a PEM private key.',
      {},
      {
        cause: error,
      },
    );
  }
  return { alg: algOfKey(privateKey), privateKey, publicKey: createPublicKey(privateKey) };
}

function publicOf(key: KeyObject): KeyObject {
  return key.type === 'private' ? createPublicKey(key) : key;
}

/** The public half as a JWK, for the published key ring. */
export function publicKeyToJwk(key: KeyObject): PublicJwk {
  algOfKey(key);
  return publicJwkSchema.parse(publicOf(key).export({ format: 'jwk' }));
}

/** The public half as base64 DER SubjectPublicKeyInfo, the other published form. */
export function publicKeyToSpki(key: KeyObject): string {
  algOfKey(key);
  return publicOf(key).export({ format: 'der', type: 'spki' }).toString('base64');
}

/** A published public key back as a KeyObject; refuses what is not an Ed25519 or P-256 key. */
export function publicKeyFromMaterial(material: PublicKeyMaterial): KeyObject {
  let key: KeyObject;
  try {
    key =
      typeof material === 'string'
        ? createPublicKey({ key: Buffer.from(material, 'base64'), format: 'der', type: 'spki' })
        : createPublicKey({ key: material, format: 'jwk' });
  } catch (error) {
    throw new CountersignError(
      'validation',
      'The published key is not a valid public key.',
      {},
      {
        cause: error,
      },
    );
  }
  algOfKey(key);
  return key;
}
