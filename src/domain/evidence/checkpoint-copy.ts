import { z } from 'zod';
import { CountersignError } from './domain-imports.ts';
import type { CheckpointRecord } from './evidence-record.ts';
import type { EvidenceRow } from './evidence-row.ts';
import type { SignedRecord } from './evidence-signer.ts';

/** A checkpoint as copied outside the site: the record as signed, its signature and hash. */
export type CheckpointCopy = SignedRecord<CheckpointRecord>;

/** What a copy's text must hold to be read at all; readRows checks the record and signature. */
const copyTextSchema = z.object({ record: z.unknown(), signature: z.unknown() });

/**
 * The text of a copy: JSON of `{ record, signature, hash }`. This is what the work store and the
 * WORM container keep, and the file `countersign verify --checkpoint FILE` reads.
 */
export function checkpointCopyText(copy: CheckpointCopy): string {
  return `${JSON.stringify({ record: copy.record, signature: copy.signature, hash: copy.hash }, null, 2)}\n`;
}

/**
 * A copy's key where copies are listed in key order (a table's row key, a blob's name): 15 digits
 * counting down from the largest (a safe integer), so the highest number sorts first and "the
 * latest few" is the start of the listing.
 */
export function checkpointCopyKey(number: number): string {
  return String(999_999_999_999_999 - Math.max(0, Math.trunc(number))).padStart(15, '0');
}

/** A copy's text as an evidence row for verify (nothing in it trusted until its signature holds). */
export function parseCheckpointCopy(text: string, where: string): EvidenceRow {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (error) {
    throw new CountersignError('validation', `${where} is not JSON: ${String(error)}`);
  }
  const parsed = copyTextSchema.safeParse(json);
  if (!parsed.success) {
    throw new CountersignError(
      'validation',
      `${where} is not a checkpoint copy (it needs "record" and "signature").`,
    );
  }
  return { itemId: where, record: parsed.data.record, signature: parsed.data.signature };
}
