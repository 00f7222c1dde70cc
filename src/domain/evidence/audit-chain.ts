import { CountersignError } from './domain-imports.ts';
import {
  auditEventRecordSchema,
  GENESIS,
  type AuditEventRecord,
  type CheckpointRecord,
  type ShardHead,
} from './evidence-record.ts';
import type { Finding, FindingSubject } from './finding.ts';
import { SHARD_COUNT, shardOf } from './shard.ts';
import { recordHash } from './signing-payload.ts';

/*
 * How a writer appends without a global lock (the SharePoint record store does this):
 *
 * 1. The event's shard is shardOf(subject). Take that shard's head: from a per-instance cache if
 *    there is one, else the event with the highest Seq in the shard (Shard and Seq are indexed
 *    columns; $filter on Shard, $orderby Seq desc, $top 1). Recompute the head's hash from its
 *    stored record; never trust a Hash column for it.
 * 2. chainNext(head, event), sign it, and write it in the same $batch as the record it announces,
 *    the record first (dependsOn), so an event never names a row that was not written. The event
 *    row carries a ChainKey column "shard:seq" with enforce-unique-values, and the event id is
 *    unique too.
 * 3. A concurrent writer who took the same head gets its insert refused (409 on ChainKey): it reads
 *    the head again and goes back to 2 (the seq and prev change, so it signs again). Only writers
 *    of the same shard ever contend, one time in SHARD_COUNT for two unrelated subjects, and a warm
 *    cache keeps the usual signature at one round trip. A 409 on the event id means the event is
 *    already there (a repeat, or the sweeper's repair): done.
 */

/** The head of an empty shard: the first event links to GENESIS with seq 1. */
export function genesisHead(shard: number): ShardHead {
  return { shard, seq: 0, hash: GENESIS };
}

/** Every shard empty: the heads before the first event. */
export function genesisHeads(): ShardHead[] {
  return Array.from({ length: SHARD_COUNT }, (_, shard) => genesisHead(shard));
}

/** An audit event as a use case states it, before it has a place in a chain. */
export type UnchainedAuditEvent = Omit<AuditEventRecord, 'kind' | 'shard' | 'seq' | 'prev'>;

/** The head a chained event makes. */
export function headOf(event: AuditEventRecord): ShardHead {
  return { shard: event.shard, seq: event.seq, hash: recordHash(event) };
}

/**
 * The event placed after `head`: seq + 1, linked to the head's hash. The head must be of the
 * subject's shard (a writer that read another shard's head has a bug, not a race).
 */
export function chainNext(
  head: ShardHead,
  event: UnchainedAuditEvent,
): { record: AuditEventRecord; head: ShardHead } {
  const shard = shardOf(event.subject);
  if (head.shard !== shard) {
    throw new CountersignError(
      'validation',
      `Event ${event.id} about ${event.subject} belongs to shard ${shard}, not ${head.shard}.`,
    );
  }
  const parsed = auditEventRecordSchema.safeParse({
    ...event,
    kind: 'audit-event',
    shard,
    seq: head.seq + 1,
    prev: head.hash,
  });
  if (!parsed.success) {
    throw new CountersignError(
      'validation',
      `Cannot chain event ${event.id}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`,
    );
  }
  return { record: parsed.data, head: headOf(parsed.data) };
}

/** One stored event as the chain check sees it. */
export interface ChainLink {
  record: AuditEventRecord;
  /** recordHash(record). */
  hash: string;
  itemId?: string;
  /**
   * Why its signature does not hold (event-forged, unknown-key, key-not-valid-at-signing), or
   * undefined when it holds. The chain reports it, as event-inserted if a genuine event holds
   * the same seq.
   */
  signatureFinding?: Finding;
}

export interface ShardChain {
  shard: number;
  /** The highest seq any stored event claims in this shard (0 if none). */
  top: number;
  /** Seqs up to `top` that no stored event holds. */
  gaps: number[];
  /** Seqs past `top` up to the latest checkpoint's head: the cut-off tail. */
  truncated: number[];
}

export interface ChainReport {
  findings: Finding[];
  shards: ShardChain[];
}

function subjectOfLink(link: ChainLink): FindingSubject {
  return {
    list: 'auditEvents',
    id: link.record.id,
    ...(link.itemId === undefined ? {} : { itemId: link.itemId }),
    shard: link.record.shard,
    seq: link.record.seq,
  };
}

function runs(seqs: readonly number[], splitAfter: number): number[][] {
  const out: number[][] = [];
  for (const seq of seqs) {
    const last = out.at(-1);
    const prev = last?.at(-1);
    if (last !== undefined && prev === seq - 1 && !(prev <= splitAfter && seq > splitAfter)) {
      last.push(seq);
    } else {
      out.push([seq]);
    }
  }
  return out;
}

function seqText(seqs: readonly number[]): string {
  const first = seqs[0];
  const last = seqs.at(-1);
  return seqs.length === 1 ? `seq ${first}` : `seqs ${first}–${last}`;
}

/**
 * Checks every shard's chain: seqs 1…top all present, each genuine event linked to the one before
 * (GENESIS for seq 1), one genuine event per seq, and each checkpoint's recorded head present
 * with that hash; a chain shorter than the latest checkpoint's head is truncated. Order in the
 * input does not matter: the signed shard and seq place each event.
 *
 * `checkpoints` are the genuine (signature-checked) ones, any order; the highest number is the
 * latest. What this cannot see: events appended after the latest checkpoint and then deleted from
 * the end of a shard, leaving no later event to miss them.
 */
export function verifyChain(
  links: readonly ChainLink[],
  checkpoints: readonly CheckpointRecord[] = [],
): ChainReport {
  const findings: Finding[] = [];
  const latest = [...checkpoints].sort((a, b) => a.number - b.number).at(-1);
  const shards: ShardChain[] = [];
  for (let shard = 0; shard < SHARD_COUNT; shard += 1) {
    const inShard = links.filter((link) => link.record.shard === shard);
    const headHashes = new Map<number, { hash: string; checkpoint: CheckpointRecord }[]>();
    for (const checkpoint of checkpoints) {
      const head = checkpoint.heads[shard];
      if (head === undefined || head.seq === 0) continue;
      headHashes.set(head.seq, [
        ...(headHashes.get(head.seq) ?? []),
        { hash: head.hash, checkpoint },
      ]);
    }
    const top = inShard.reduce((max, link) => Math.max(max, link.record.seq), 0);
    const genuineAt = new Map<number, ChainLink[]>();
    const forgedAt = new Map<number, ChainLink[]>();
    for (const link of inShard) {
      const into = link.signatureFinding === undefined ? genuineAt : forgedAt;
      into.set(link.record.seq, [...(into.get(link.record.seq) ?? []), link]);
    }

    // One genuine event per seq; a second one (only a key holder or a broken unique key could
    // make it) is kept out by what the next event and the checkpoints link to.
    const chosen = new Map<number, ChainLink>();
    for (let seq = 1; seq <= top; seq += 1) {
      const genuine = genuineAt.get(seq) ?? [];
      if (genuine.length === 1 && genuine[0] !== undefined) {
        chosen.set(seq, genuine[0]);
      } else if (genuine.length > 1) {
        const linkedHashes = new Set([
          ...(genuineAt.get(seq + 1) ?? []).map((next) => next.record.prev),
          ...(headHashes.get(seq) ?? []).map((h) => h.hash),
        ]);
        const linked = genuine.filter((link) => linkedHashes.has(link.hash));
        const keep = linked.length === 1 ? linked[0] : undefined;
        if (keep !== undefined) chosen.set(seq, keep);
        for (const link of genuine) {
          if (link === keep) continue;
          findings.push({
            code: 'event-inserted',
            severity: 'failure',
            subject: subjectOfLink(link),
            message: `Audit event ${link.record.id} is one of ${genuine.length} signed events claiming seq ${seq} of shard ${shard}; ${keep === undefined ? 'none of them is linked to by the chain' : `the chain links to ${keep.record.id}`}.`,
          });
        }
      }
    }

    // Events whose signature fails: inserted if they sit on a genuine event's seq, else forged.
    for (const [seq, forged] of forgedAt) {
      const genuine = chosen.get(seq) ?? genuineAt.get(seq)?.[0];
      for (const link of forged) {
        if (genuine !== undefined) {
          findings.push({
            code: 'event-inserted',
            severity: 'failure',
            subject: subjectOfLink(link),
            message: `Audit event ${link.record.id} claims seq ${seq} of shard ${shard}, which the genuine event ${genuine.record.id} holds, and its own signature does not hold: it was inserted.`,
          });
        } else if (link.signatureFinding !== undefined) {
          findings.push(link.signatureFinding);
        }
      }
    }

    // Links: each chosen event must follow the chosen event before it.
    for (const [seq, link] of chosen) {
      const before = seq === 1 ? undefined : chosen.get(seq - 1);
      const expected = seq === 1 ? GENESIS : before?.hash;
      if (expected !== undefined && link.record.prev !== expected) {
        findings.push({
          code: 'event-inserted',
          severity: 'failure',
          subject: subjectOfLink(link),
          message:
            seq === 1
              ? `Audit event ${link.record.id} is seq 1 of shard ${shard} but does not start the chain.`
              : `Audit event ${link.record.id} (seq ${seq} of shard ${shard}) does not follow ${before?.record.id ?? 'the event before it'}: the chain was forked there.`,
        });
      }
    }

    // Each checkpoint's head must still be the event it recorded.
    for (const [seq, heads] of headHashes) {
      const link = chosen.get(seq);
      if (link === undefined) continue;
      for (const { hash, checkpoint } of heads) {
        if (link.hash !== hash) {
          findings.push({
            code: 'event-inserted',
            severity: 'failure',
            subject: subjectOfLink(link),
            message: `Audit event ${link.record.id} holds seq ${seq} of shard ${shard}, but ${checkpoint.id} recorded another event there.`,
          });
        }
      }
    }

    const latestHead = latest?.heads[shard]?.seq ?? 0;
    const gaps: number[] = [];
    for (let seq = 1; seq <= top; seq += 1) {
      if (!genuineAt.has(seq) && !forgedAt.has(seq)) gaps.push(seq);
    }
    for (const run of runs(gaps, latestHead)) {
      const next = chosen.get((run.at(-1) ?? 0) + 1);
      findings.push({
        code: 'event-deleted',
        severity: 'failure',
        subject: { list: 'auditEvents', shard, seq: run[0] ?? 0 },
        seqs: run,
        message: `Audit ${run.length === 1 ? 'event' : 'events'} ${seqText(run)} of shard ${shard} ${run.length === 1 ? 'is' : 'are'} missing${next === undefined ? '' : ` (${next.record.id} follows ${run.length === 1 ? 'it' : 'them'})`}: deleted.`,
      });
    }
    const truncated: number[] = [];
    if (latest !== undefined && latestHead > top) {
      for (let seq = top + 1; seq <= latestHead; seq += 1) truncated.push(seq);
      findings.push({
        code: 'chain-truncated',
        severity: 'failure',
        subject: { list: 'auditEvents', shard },
        checkpointId: latest.id,
        expectedSeq: latestHead,
        foundSeq: top,
        message: `Shard ${shard} of the audit log ends at seq ${top}, but ${latest.id} (${latest.at}) recorded it reaching seq ${latestHead}: ${seqText(truncated)} were cut off.`,
      });
    }
    shards.push({ shard, top, gaps, truncated });
  }
  return { findings, shards };
}
