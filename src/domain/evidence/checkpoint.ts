import { CountersignError } from './domain-imports.ts';
import {
  checkpointId,
  checkpointRecordSchema,
  GENESIS,
  signingTimeOf,
  subjectOf,
  type CheckpointRecord,
  type EvidenceRecord,
  type RowList,
  type ShardHead,
  type ShardSet,
} from './evidence-record.ts';
import { genesisHead, genesisHeads } from './audit-chain.ts';
import type { ReadRow } from './evidence-row.ts';
import { legacyCountedRow } from './legacy-seal.ts';
import { setDigest } from './set-digest.ts';
import { SHARD_COUNT, shardOf } from './shard.ts';
import { recordHash } from './signing-payload.ts';

/**
 * How long before a checkpoint its cutoff lies. A signature is written within seconds of its
 * signing time; the sign use case must not write a record older than this (it signs afresh
 * instead), so every row a later verify counts by cutoff was there when the checkpoint was taken.
 */
export const CHECKPOINT_SETTLE_MS = 10 * 60_000;

export function checkpointCutoff(at: string, settleMs = CHECKPOINT_SETTLE_MS): string {
  return new Date(Date.parse(at) - settleMs).toISOString();
}

/** A row as a checkpoint counts it. */
export interface CountedRow {
  id: string;
  /** Record hash (or, for a legacy acknowledgement, its legacy hash). */
  hash: string;
  signingTime: string;
  shard: number;
}

export function countedRow(
  record: Exclude<EvidenceRecord, { kind: 'audit-event' | 'checkpoint' }>,
): CountedRow {
  return {
    id: record.id,
    hash: recordHash(record),
    signingTime: signingTimeOf(record),
    shard: shardOf(subjectOf(record)),
  };
}

export function signedBy(row: { signingTime: string }, cutoff: string): boolean {
  return Date.parse(row.signingTime) <= Date.parse(cutoff);
}

/** Per shard: how many distinct rows signed by the cutoff, and the digest of their set. */
export function shardSets(rows: readonly CountedRow[], cutoff: string): ShardSet[] {
  return Array.from({ length: SHARD_COUNT }, (_, shard) => {
    const unique = new Map<string, CountedRow>();
    for (const row of rows) {
      if (row.shard === shard && signedBy(row, cutoff))
        unique.set(`${row.id}\u0000${row.hash}`, row);
    }
    const leaves = [...unique.values()];
    return { count: leaves.length, digest: setDigest(leaves) };
  });
}

export interface CheckpointInput {
  /** The latest checkpoint so far (this one is numbered after it), or null for the first. */
  previous: CheckpointRecord | null;
  /** ISO 8601 UTC: now, from the caller's clock. */
  at: string;
  /** Defaults to checkpointCutoff(at). */
  cutoff?: string;
  /** The heads read from the shards; a shard not given is empty. */
  heads: readonly ShardHead[];
  /** Every row of each list the writer read (those after the cutoff are left out here). */
  rows: Readonly<Record<RowList, readonly CountedRow[]>>;
}

/**
 * The checkpoint the scheduled work signs every few minutes and copies outside the site. It says
 * what existed (counts and set digests by shard, of rows signed by the cutoff) and how far every
 * chain reached, so a later verify can tell a deletion even when the row's event went too.
 */
export function buildCheckpoint(input: CheckpointInput): CheckpointRecord {
  const cutoff = input.cutoff ?? checkpointCutoff(input.at);
  if (Date.parse(cutoff) > Date.parse(input.at)) {
    throw new CountersignError('validation', 'A checkpoint cannot count rows signed after it.');
  }
  const heads = Array.from({ length: SHARD_COUNT }, (_, shard) => {
    const given = input.heads.filter((head) => head.shard === shard);
    if (given.length > 1) {
      throw new CountersignError('validation', `Two heads were given for shard ${shard}.`);
    }
    return given[0] ?? genesisHead(shard);
  });
  const sets = {
    acknowledgements: shardSets(input.rows.acknowledgements, cutoff),
    approvalDecisions: shardSets(input.rows.approvalDecisions, cutoff),
    versions: shardSets(input.rows.versions, cutoff),
  };
  const total = (list: readonly ShardSet[]) => list.reduce((sum, set) => sum + set.count, 0);
  const number = (input.previous?.number ?? 0) + 1;
  const parsed = checkpointRecordSchema.safeParse({
    kind: 'checkpoint',
    id: checkpointId(number),
    number,
    previous: input.previous === null ? GENESIS : recordHash(input.previous),
    at: input.at,
    cutoff,
    heads,
    counts: {
      acknowledgements: total(sets.acknowledgements),
      approvalDecisions: total(sets.approvalDecisions),
      versions: total(sets.versions),
      auditEvents: heads.reduce((sum, head) => sum + head.seq, 0),
    },
    sets,
  });
  if (!parsed.success) {
    throw new CountersignError(
      'validation',
      `Cannot build checkpoint ${number}: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}

/**
 * The row a checkpoint counts for a stored row, or null: signed rows whose signature holds, and
 * legacy acknowledgements unless their seal is known to fail. The writer and verify count with
 * this one rule, so a checkpoint and a later verify agree on what "the rows" were.
 */
export function countedRowOf(row: ReadRow): CountedRow | null {
  switch (row.status) {
    case 'valid':
      return row.record.kind === 'audit-event' || row.record.kind === 'checkpoint'
        ? null
        : countedRow(row.record);
    case 'legacy':
      return row.seal === 'fails' ? null : legacyCountedRow(row.ack);
    case 'invalid':
    case 'unreadable':
      return null;
  }
}

/**
 * Where each chain has reached since the previous checkpoint: per shard, the genuine event (its
 * signature holds) with the highest signed seq above the previous head, else the previous head.
 * A head never goes back: a chain found shorter than a checkpoint said keeps that checkpoint's
 * head, so every later checkpoint still names the cut-off tail. `events` may hold only the events
 * above the previous heads (the writer reads no more); forged or edited ones are ignored.
 */
export function advanceHeads(
  previous: CheckpointRecord | null,
  events: readonly ReadRow[],
): { heads: ShardHead[]; advanced: number[] } {
  const heads = previous === null ? genesisHeads() : previous.heads.map((head) => ({ ...head }));
  const advanced = new Set<number>();
  for (const row of events) {
    if (row.status !== 'valid' || row.record.kind !== 'audit-event') continue;
    const { shard, seq } = row.record;
    const head = heads[shard];
    if (head === undefined || seq <= head.seq) continue;
    heads[shard] = { shard, seq, hash: row.hash };
    advanced.add(shard);
  }
  return { heads, advanced: [...advanced].sort((a, b) => a - b) };
}

function sameHeads(a: readonly ShardHead[], b: readonly ShardHead[]): boolean {
  return (
    a.length === b.length &&
    a.every((head, i) => head.seq === b[i]?.seq && head.hash === b[i]?.hash)
  );
}

/**
 * Whether a new checkpoint would say nothing the latest does not: no chain has moved since, and
 * the latest's cutoff already lies after the moment the chains reached these heads (the `at` of
 * the oldest checkpoint in the run of recent ones with these heads), so every row there is was
 * already counted. Every signed row comes with an audit event, so rows cannot be added without a
 * head moving (a row whose event a fault lost moves it when the sweeper repairs the event); a
 * deletion needs no new checkpoint, the latest already names it. `recent` is newest first.
 */
export function checkpointSettled(
  recent: readonly CheckpointRecord[],
  heads: readonly ShardHead[],
): boolean {
  const latest = recent[0];
  if (latest === undefined || !sameHeads(latest.heads, heads)) return false;
  let since = latest;
  for (const checkpoint of recent.slice(1)) {
    if (checkpoint.number !== since.number - 1 || !sameHeads(checkpoint.heads, heads)) break;
    since = checkpoint;
  }
  return Date.parse(latest.cutoff) >= Date.parse(since.at);
}
