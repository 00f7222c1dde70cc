import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Acknowledgement, AcknowledgementFields } from './acknowledgement.ts';
import { acknowledgementFieldsSchema } from './acknowledgement.ts';
import { canonicalJson } from './canonical-json.ts';
import { CountersignError } from './errors.ts';

export type SealKey = string | Uint8Array;

export interface SealReport {
  checked: number;
  /** Each record whose seal does not hold, by acknowledgement id, with why. */
  failed: { id: string; reason: string }[];
}

function assertKey(key: SealKey): void {
  if (key.length === 0) {
    throw new CountersignError('validation', 'The seal key is empty.');
  }
}

function hmac(fields: AcknowledgementFields, key: SealKey): string {
  return createHmac('sha256', key).update(canonicalJson(fields), 'utf8').digest('hex');
}

function describeIssues(error: {
  issues: readonly { path: PropertyKey[]; message: string }[];
}): string {
  return error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(record)'}: ${issue.message}`)
    .join('; ');
}

/**
 * The seal of an acknowledgement: HMAC-SHA-256 (hex) with the server-held key over the canonical
 * JSON of exactly the fields a person asserted (acknowledgementFieldsSchema). Anything else on
 * the object (id, approval state, list metadata) is stripped first, so it neither breaks nor
 * forges a seal.
 */
export function sealAcknowledgement(fields: AcknowledgementFields, key: SealKey): string {
  assertKey(key);
  const parsed = acknowledgementFieldsSchema.safeParse(fields);
  if (!parsed.success) {
    throw new CountersignError(
      'validation',
      `Cannot seal an invalid acknowledgement: ${describeIssues(parsed.error)}.`,
    );
  }
  return hmac(parsed.data, key);
}

type SealCheck = { ok: true } | { ok: false; reason: string };

function checkSeal(ack: Acknowledgement, key: SealKey): SealCheck {
  // Records come back from a list anyone with edit rights could touch: trust nothing on them.
  const seal: unknown = (ack as { seal?: unknown }).seal;
  if (typeof seal !== 'string' || !/^[0-9a-f]{64}$/.test(seal)) {
    return { ok: false, reason: 'the seal is missing or not a SHA-256 HMAC' };
  }
  const parsed = acknowledgementFieldsSchema.safeParse(ack);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `the sealed fields are malformed (${describeIssues(parsed.error)})`,
    };
  }
  const expected = Buffer.from(hmac(parsed.data, key), 'hex');
  const actual = Buffer.from(seal, 'hex');
  if (!timingSafeEqual(expected, actual)) {
    return {
      ok: false,
      reason: 'the seal does not match the fields: edited, forged or sealed with another key',
    };
  }
  return { ok: true };
}

/** True when the acknowledgement's seal matches its fields under this key (constant-time). */
export function verifySeal(ack: Acknowledgement, key: SealKey): boolean {
  assertKey(key);
  return checkSeal(ack, key).ok;
}

/** Checks every record and names each one whose seal fails, with the reason. */
export function verifySeals(acks: readonly Acknowledgement[], key: SealKey): SealReport {
  assertKey(key);
  const failed: SealReport['failed'] = [];
  acks.forEach((ack, index) => {
    const check = checkSeal(ack, key);
    if (!check.ok) {
      const id: unknown = (ack as { id?: unknown }).id;
      failed.push({
        id: typeof id === 'string' && id !== '' ? id : `(record ${index + 1} has no id)`,
        reason: check.reason,
      });
    }
  });
  return { checked: acks.length, failed };
}
