// The evidence signer in Azure: an EC P-256 key in Key Vault that signs ES256 there, so the
// private key never leaves the vault (issue 10, item 1). The app reaches the vault with its
// managed identity (the credential is passed in; production-service.ts makes it).
//
// What this relies on, from Microsoft's pages:
// - Sign: POST {vault}/keys/{name}/{version}/sign with { alg, value }, "Creates a signature from
//   a digest" (learn.microsoft.com/rest/api/keyvault/keys/sign/sign); the SDK's
//   CryptographyClient.sign(algorithm, digest) sends the digest as given
//   (learn.microsoft.com/javascript/api/@azure/keyvault-keys/cryptographyclient#sign). So the
//   SHA-256 of the signing payload is computed here and the vault signs that digest.
// - ES256 is "ECDSA using P-256 and SHA-256, as described in RFC 7518"
//   (learn.microsoft.com/javascript/api/@azure/keyvault-keys/knownsignaturealgorithms); RFC 7518
//   §3.4 makes the signature R‖S, 32 octets each: the IEEE P1363 form the domain's ES256 verifier
//   reads (signature-check.ts, dsaEncoding 'ieee-p1363'). A result of any other length is refused.
// - Versions: GET {vault}/keys/{name}/versions lists every version with its attributes
//   (created, nbf, exp; Unix seconds) (learn.microsoft.com/rest/api/keyvault/keys/get-key-versions);
//   GET {vault}/keys/{name}/{version} returns its public JWK
//   (learn.microsoft.com/rest/api/keyvault/keys/get-key). Private material is never returned.
//
// Rotation: every version of the key is published, valid from max(created, nbf) until the next
// version's start (or its own exp). The signer signs each record with the version valid at the
// record's own signing time, always naming it by its versioned id: the SDK's CryptographyClient
// on a versionless id reports the version it first fetched, not the one the vault signed with,
// so a versionless signature could be published under the wrong kid. A new version is seen on
// the first signature after `refreshMs` (default 5 minutes): create it with a not-before at
// least that far ahead (infra/README.md, "Rotating the evidence key") and no record is ever
// signed with a version the published ring has already closed.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import {
  CryptographyClient,
  KeyClient,
  parseKeyVaultKeyIdentifier,
  type KeyClientOptions,
  type KeyProperties,
  type KeyVaultKey,
} from '@azure/keyvault-keys';
import { CountersignError } from '../../domain/errors.ts';
import type { EvidenceSigner } from '../../domain/evidence/evidence-signer.ts';
import {
  keyRingEntry,
  keyRingSchema,
  keyValidAt,
  type KeyRing,
  type KeyRingEntry,
} from '../../domain/evidence/key-ring.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EvidenceKeys } from '../../ports/evidence-keys.ts';

/** How long a read of the key's versions is trusted before the next signature reads again. */
export const DEFAULT_KEY_VERSIONS_REFRESH_MS = 5 * 60_000;

export interface KeyVaultEvidenceKeysOptions {
  /** The key, without a version: https://{vault}.vault.azure.net/keys/{name} */
  keyUrl: string;
  /** The app's managed identity in Azure; the emulator's credential in tests. */
  credential: TokenCredential;
  clock: Clock;
  refreshMs?: number;
  /** SDK client options (tests: the emulator's loopback address fails the challenge's domain check). */
  clientOptions?: KeyClientOptions;
}

interface PublishedVersion {
  entry: KeyRingEntry;
  crypto: CryptographyClient;
}

/** A Key Vault error or an unreachable vault, as a typed error naming the key. */
function vaultFailure(what: string, keyUrl: string, error: unknown): CountersignError {
  const status = (error as { statusCode?: unknown }).statusCode;
  const code = status === 401 || status === 403 ? 'forbidden' : 'unavailable';
  const reason = error instanceof Error ? error.message : String(error);
  return new CountersignError(
    code,
    `Key Vault refused or failed to ${what} for ${keyUrl}: ${reason}`,
    {},
    { cause: error },
  );
}

function publicKeyOf(key: KeyVaultKey): KeyObject {
  const jwk = key.key;
  if (
    jwk === undefined ||
    (jwk.kty !== 'EC' && jwk.kty !== 'EC-HSM') ||
    jwk.crv !== 'P-256' ||
    jwk.x === undefined ||
    jwk.y === undefined
  ) {
    throw new CountersignError(
      'validation',
      `Key Vault key ${key.id ?? key.name} is not an EC P-256 key: evidence is signed ES256.`,
    );
  }
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: Buffer.from(jwk.x).toString('base64url'),
      y: Buffer.from(jwk.y).toString('base64url'),
    },
    format: 'jwk',
  });
}

/** When a version starts signing: its not-before when later than its creation. */
function startOf(properties: KeyProperties): number {
  const created = properties.createdOn?.getTime();
  if (created === undefined) {
    throw new CountersignError(
      'upstream',
      `Key Vault gave no creation time for ${properties.id ?? ''}.`,
    );
  }
  return Math.max(created, properties.notBefore?.getTime() ?? created);
}

/**
 * The published ring and the signer of one Key Vault key. Reads the key's versions once before
 * returning, so a key that is missing, not P-256 or not readable stops the service at start.
 */
export async function openKeyVaultEvidenceKeys(
  options: KeyVaultEvidenceKeysOptions,
): Promise<EvidenceKeys> {
  const { keyUrl, credential, clock } = options;
  const refreshMs = options.refreshMs ?? DEFAULT_KEY_VERSIONS_REFRESH_MS;
  const parsed = parseKeyVaultKeyIdentifier(keyUrl);
  if (parsed.version !== undefined && parsed.version !== '') {
    throw new CountersignError(
      'validation',
      `The evidence key URL names one version (${parsed.version}): give the key without a version, so rotations are followed.`,
    );
  }
  const client = new KeyClient(parsed.vaultUrl, credential, options.clientOptions);
  // Versions never change their key: each is read (and its client made) once.
  const known = new Map<
    string,
    { key: KeyVaultKey; publicKey: KeyObject; crypto: CryptographyClient }
  >();
  let published: PublishedVersion[] = [];
  let ring: KeyRing = { keys: [] };
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;

  async function readVersions(): Promise<void> {
    const listed: KeyProperties[] = [];
    try {
      for await (const properties of client.listPropertiesOfKeyVersions(parsed.name)) {
        listed.push(properties);
      }
      for (const properties of listed) {
        const version = properties.version ?? '';
        if (known.has(version)) continue;
        const key = await client.getKey(parsed.name, { version });
        known.set(version, {
          key,
          publicKey: publicKeyOf(key),
          crypto: new CryptographyClient(key, credential, options.clientOptions),
        });
      }
    } catch (error) {
      if (error instanceof CountersignError) throw error;
      throw vaultFailure('list the versions of the evidence key', keyUrl, error);
    }
    if (listed.length === 0) {
      throw new CountersignError('not-found', `The evidence key ${keyUrl} has no versions.`);
    }
    // Oldest start first; a version whose successor starts the same second never signed alone.
    const ordered = listed
      .map((properties) => ({ properties, start: startOf(properties) }))
      .sort(
        (a, b) =>
          a.start - b.start ||
          (a.properties.version ?? '').localeCompare(b.properties.version ?? ''),
      );
    const next: PublishedVersion[] = [];
    ordered.forEach(({ properties, start }, index) => {
      const successor = ordered[index + 1]?.start;
      const expires = properties.expiresOn?.getTime();
      const endCandidates = [successor, expires].filter((t): t is number => t !== undefined);
      const end = endCandidates.length === 0 ? undefined : Math.min(...endCandidates);
      if (end !== undefined && end <= start) return;
      const version = known.get(properties.version ?? '');
      if (version === undefined) return;
      const kid =
        version.key.id ?? `${parsed.vaultUrl}/keys/${parsed.name}/${properties.version ?? ''}`;
      next.push({
        entry: keyRingEntry(kid, version.publicKey, {
          validFrom: new Date(start).toISOString(),
          ...(end === undefined ? {} : { validTo: new Date(end).toISOString() }),
        }),
        crypto: version.crypto,
      });
    });
    published = next;
    ring = keyRingSchema.parse({ keys: next.map((v) => v.entry) });
    readAt = clock.now().getTime();
  }

  /** One read at a time: signatures arriving together share it. */
  async function fresh(): Promise<void> {
    if (clock.now().getTime() - readAt < refreshMs) return;
    reading ??= readVersions().finally(() => {
      reading = undefined;
    });
    await reading;
  }

  await fresh();

  const signer: EvidenceSigner = {
    get kid() {
      const newest = published.at(-1);
      if (newest === undefined)
        throw new CountersignError('unavailable', 'No evidence key version is published.');
      return newest.entry.kid;
    },
    alg: 'ES256',
    async sign(data, signingTime) {
      await fresh();
      const version = published.find((v) => keyValidAt(v.entry, signingTime));
      if (version === undefined) {
        throw new CountersignError(
          'unavailable',
          `No version of the evidence key ${keyUrl} is valid at ${signingTime}.`,
        );
      }
      const digest = createHash('sha256').update(data).digest();
      let result: Uint8Array;
      try {
        result = (await version.crypto.sign('ES256', digest)).result;
      } catch (error) {
        throw vaultFailure('sign evidence', version.entry.kid, error);
      }
      if (result.length !== 64) {
        throw new CountersignError(
          'upstream',
          `Key Vault returned a ${result.length}-byte ES256 signature; R‖S is 64 bytes.`,
        );
      }
      return { kid: version.entry.kid, bytes: result };
    },
  };
  return {
    signer,
    // A getter: the ring grows when a signature reads a new version.
    get keyRing() {
      return ring;
    },
  };
}
