import { createHash } from 'node:crypto';
import { canonicalJson } from './domain-imports.ts';
import type { EvidenceKind, EvidenceRecord } from './evidence-record.ts';

/** Bump a kind's version when its fields change meaning: old records keep their own. */
export const SCHEMA_VERSIONS: Readonly<Record<EvidenceKind, number>> = {
  acknowledgement: 1,
  'approval-decision': 1,
  'published-version': 1,
  'audit-event': 1,
  checkpoint: 1,
};

/**
 * The first line of every signed payload: which kind of record, in which schema. A signature over
 * one kind can never verify as another, even if their JSON were the same, and nothing else this
 * key might ever sign can start with it.
 */
export function signingTag(kind: EvidenceKind): string {
  return `countersign.evidence/${kind}/v${SCHEMA_VERSIONS[kind]}`;
}

/**
 * The exact bytes a record's signature covers: the tag, a newline, then the canonical JSON of the
 * record (which carries its kind too). Canonical JSON escapes every newline, so the split is
 * unambiguous.
 */
export function signingPayload(record: EvidenceRecord): Uint8Array {
  return new TextEncoder().encode(`${signingTag(record.kind)}\n${canonicalJson(record)}`);
}

/**
 * SHA-256 (hex) of the signing payload: an audit event's chain hash, a row's leaf in checkpoint
 * digests. Over the payload, not the signature, so it does not change with a re-signature (and
 * ECDSA's two valid forms of one signature cannot fork the chain).
 */
export function recordHash(record: EvidenceRecord): string {
  return createHash('sha256').update(signingPayload(record)).digest('hex');
}
