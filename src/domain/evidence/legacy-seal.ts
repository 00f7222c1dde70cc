import { createHash } from 'node:crypto';
import {
  acknowledgementFieldsSchema,
  acknowledgementSchema,
  canonicalJson,
  verifySeal,
  type Acknowledgement,
  type SealKey,
} from './domain-imports.ts';
import type { CountedRow } from './checkpoint.ts';
import { shardOf } from './shard.ts';

/** An acknowledgement written before signatures: its fields, approval state and HMAC seal. */
export function parseLegacyAcknowledgement(record: unknown): Acknowledgement | null {
  const parsed = acknowledgementSchema.safeParse(record);
  return parsed.success ? parsed.data : null;
}

/**
 * A legacy row's leaf in checkpoint sets: what its seal covers, its id and the seal itself. Not the
 * approval state, which was never sealed and changes with decisions.
 */
export function legacyAcknowledgementHash(ack: Acknowledgement): string {
  const fields = acknowledgementFieldsSchema.parse(ack);
  return createHash('sha256')
    .update(
      `countersign.evidence/legacy-acknowledgement/v0\n${canonicalJson({ ...fields, id: ack.id, seal: ack.seal })}`,
      'utf8',
    )
    .digest('hex');
}

export function legacyCountedRow(ack: Acknowledgement): CountedRow {
  return {
    id: ack.id,
    hash: legacyAcknowledgementHash(ack),
    signingTime: ack.signedAt,
    shard: shardOf(ack.id),
  };
}

/** Whether a legacy seal holds: only whoever has the HMAC key can tell (and could forge it). */
export type LegacySealCheck = 'holds' | 'fails' | 'no-key';

export function checkLegacySeal(ack: Acknowledgement, key: SealKey | undefined): LegacySealCheck {
  if (key === undefined || key.length === 0) return 'no-key';
  return verifySeal(ack, key) ? 'holds' : 'fails';
}
