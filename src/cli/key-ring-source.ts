import { readFileSync } from 'node:fs';
import { CountersignError } from '../domain/errors.ts';
import { keyRingSchema, type KeyRing } from '../domain/evidence/key-ring.ts';

/** The published key ring: from the file given, else from the service's public endpoint. */
export async function loadKeyRing(
  file: string | undefined,
  publicUrl: string | undefined,
): Promise<KeyRing> {
  let raw: unknown;
  if (file !== undefined) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch (error) {
      throw new CountersignError(
        'validation',
        `Cannot read the key ring ${file}: ${String(error)}`,
      );
    }
  } else if (publicUrl !== undefined) {
    const url = new URL('/api/evidence/keys', publicUrl);
    const res = await fetch(url);
    if (!res.ok) {
      throw new CountersignError('unavailable', `GET ${url.href} answered ${res.status}.`);
    }
    raw = await res.json();
  } else {
    throw new CountersignError(
      'validation',
      'give the published keys with --keys FILE (GET /api/evidence/keys), or set COUNTERSIGN_PUBLIC_URL.',
    );
  }
  const ring = keyRingSchema.safeParse(raw);
  if (!ring.success) {
    throw new CountersignError('validation', `The key ring is invalid: ${ring.error.message}`);
  }
  return ring.data;
}
