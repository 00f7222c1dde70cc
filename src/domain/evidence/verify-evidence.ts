import { contentHash, policyDocumentSchema, type SealKey } from './domain-imports.ts';
import { checkApprovalColumn } from './approval-evidence.ts';
import { verifyChain, type ChainLink, type ShardChain } from './audit-chain.ts';
import { countedRow, countedRowOf, shardSets, signedBy, type CountedRow } from './checkpoint.ts';
import {
  checkpointId,
  ROW_LISTS,
  versionRecordId,
  type AcknowledgementRecord,
  type ApprovalDecisionRecord,
  type AuditEventRecord,
  type CheckpointRecord,
  type EvidenceList,
  type EvidenceRecord,
  type PublishedVersionRecord,
  type RowList,
} from './evidence-record.ts';
import {
  nounOf,
  readRows,
  type EvidenceRow,
  type ReadRow,
  type VersionRow,
} from './evidence-row.ts';
import { describeSubject, type Finding, type FindingSubject } from './finding.ts';
import { prepareKeyRing, type KeyRing } from './key-ring.ts';
import { legacyCountedRow } from './legacy-seal.ts';
import { SHARD_COUNT, shardOf } from './shard.ts';
import { recordHash } from './signing-payload.ts';
import { checkSupersededClosures, supersededBy } from './superseded-approvals.ts';

/**
 * Everything verify reads, as plain data: every row of every evidence list (complete lists: a
 * missing row is what verify looks for), the checkpoints from wherever they were copied (site,
 * work store, WORM blob; copies of one checkpoint are fine), the published keys, and the legacy
 * HMAC key if the caller has it.
 */
export interface EvidenceInput {
  acknowledgements: readonly EvidenceRow[];
  approvalDecisions: readonly EvidenceRow[];
  versions: readonly VersionRow[];
  auditEvents: readonly EvidenceRow[];
  checkpoints: readonly EvidenceRow[];
  keyRing: KeyRing;
  legacyHmacKey?: SealKey;
}

export interface ListCount {
  rows: number;
  /** Rows whose signature holds (for acknowledgements, also legacy seals that hold). */
  holding: number;
}

export interface EvidenceReport {
  /** No finding of severity failure. */
  ok: boolean;
  /** Sorted by list, then record. */
  findings: Finding[];
  counts: Record<EvidenceList, ListCount> & { legacyAcknowledgements: number };
  latestCheckpoint: { id: string; at: string; cutoff: string } | null;
}

type Valid<R extends EvidenceRecord> = ReadRow & { status: 'valid'; record: R };

function valid<K extends EvidenceRecord['kind']>(
  rows: readonly ReadRow[],
  kind: K,
): Valid<Extract<EvidenceRecord, { kind: K }>>[] {
  return rows.filter(
    (r): r is Valid<Extract<EvidenceRecord, { kind: K }>> =>
      r.status === 'valid' && r.record.kind === kind,
  );
}

/** A row some signed record says exists: the row, and what named it. */
interface Named {
  list: RowList;
  id: string;
  shard: number;
  /** The namer's signing time: the row was signed at or before it. */
  by: string;
  namedBy: FindingSubject;
}

/**
 * Verifies the evidence: every signature against the published keys (legacy seals reported as
 * such), every plain column against its record, the audit chains and the checkpoints, approval
 * columns against the signed decisions, and each version's text against its signed hash. Pure:
 * the caller reads the rows; nothing here does I/O or reads the clock.
 *
 * What it can tell: any edit of a signed record or of a column the reports read; a row named by a
 * surviving signed event or record (by id); rows deleted with their events before the latest
 * checkpoint (by count, per shard, with the chain's missing seqs, but not by id: the checkpoint
 * holds digests, not lists); any deleted, inserted or reordered event below a later event or the
 * latest checkpoint's head. What it cannot: a row and its events both signed after the latest
 * checkpoint's cutoff and deleted from the end of their shard, with nothing later to miss them.
 */
export function verifyEvidence(input: EvidenceInput): EvidenceReport {
  const ring = prepareKeyRing(input.keyRing);
  const read = {
    acknowledgements: readRows(
      'acknowledgements',
      input.acknowledgements,
      ring,
      input.legacyHmacKey,
    ),
    approvalDecisions: readRows('approvalDecisions', input.approvalDecisions, ring),
    versions: readRows('versions', input.versions, ring),
    auditEvents: readRows('auditEvents', input.auditEvents, ring),
    checkpoints: readRows('checkpoints', input.checkpoints, ring),
  };
  const findings: Finding[] = Object.values(read).flatMap((r) => r.findings);

  const acks = valid(read.acknowledgements.rows, 'acknowledgement');
  const decisions = valid(read.approvalDecisions.rows, 'approval-decision');
  const versions = valid(read.versions.rows, 'published-version');
  const events = valid(read.auditEvents.rows, 'audit-event');
  const checkpoints = distinctCheckpoints(valid(read.checkpoints.rows, 'checkpoint'), findings);
  const latest = checkpoints.at(-1);

  findings.push(...duplicates('acknowledgements', read.acknowledgements.rows));
  findings.push(...duplicates('approvalDecisions', read.approvalDecisions.rows));
  findings.push(...duplicates('versions', read.versions.rows));
  findings.push(...checkpointSequence(read.checkpoints.rows, checkpoints));

  const chain = verifyChain(chainLinks(read.auditEvents.rows), checkpoints);
  findings.push(...chain.findings);

  const decisionRecords = decisions.map((d) => d.record);
  for (const ack of acks) {
    const column = ack.row.columns?.approvalState;
    if (column === undefined) continue;
    const finding = checkApprovalColumn(ack.record, column, decisionRecords, ack.subject);
    if (finding !== null) findings.push(finding);
  }
  findings.push(...versionTexts(versions, input.versions));

  findings.push(
    ...checkSupersededClosures(
      events
        .filter((e) => e.record.type === 'approval.superseded')
        .map((e) => ({ event: e.record, subject: e.subject })),
      acks.map((a) => a.record),
      decisionRecords,
    ),
  );

  const named = namedRows(acks, decisions, events);
  const present = presentIds(read);
  const missing = named.filter((n) => !present[n.list].has(n.id));
  for (const n of missing) {
    findings.push({
      code: 'row-deleted',
      severity: 'failure',
      subject: { list: n.list, id: n.id },
      namedBy: n.namedBy,
      message: `${nounOf(n.list)} ${n.id} is not there, but ${describeSubject(n.namedBy)} names it: the row was deleted.`,
    });
  }
  findings.push(...unannounced(acks, decisions, versions, events));

  if (latest !== undefined) {
    const counted = countedRows(read);
    const shortfalls = checkpointSets(latest, counted, missing, chain.shards);
    // A shard whose rows went with their events: its chain gaps are those events, said once.
    const explained = new Set(
      shortfalls.filter((f) => f.code === 'row-and-event-deleted').map((f) => f.subject.shard),
    );
    const head = (shard: number | undefined) => latest.heads[shard ?? 0]?.seq ?? 0;
    for (let i = findings.length - 1; i >= 0; i -= 1) {
      const f = findings[i];
      if (
        f?.code === 'event-deleted' &&
        explained.has(f.subject.shard) &&
        f.seqs.every((seq) => seq <= head(f.subject.shard))
      ) {
        findings.splice(i, 1);
      }
    }
    findings.push(...shortfalls);
  }

  const legacy = read.acknowledgements.rows.filter((r) => r.status === 'legacy');
  const count = (list: EvidenceList): ListCount => ({
    rows: read[list].rows.length,
    holding: read[list].rows.filter(
      (r) => r.status === 'valid' || (r.status === 'legacy' && r.seal === 'holds'),
    ).length,
  });
  return {
    ok: !findings.some((f) => f.severity === 'failure'),
    findings: sortFindings(findings),
    counts: {
      acknowledgements: count('acknowledgements'),
      approvalDecisions: count('approvalDecisions'),
      versions: count('versions'),
      auditEvents: count('auditEvents'),
      checkpoints: count('checkpoints'),
      legacyAcknowledgements: legacy.length,
    },
    latestCheckpoint:
      latest === undefined ? null : { id: latest.id, at: latest.at, cutoff: latest.cutoff },
  };
}

/** Genuine checkpoints by number; two different ones with one number are both distrusted. */
function distinctCheckpoints(
  rows: readonly Valid<CheckpointRecord>[],
  findings: Finding[],
): CheckpointRecord[] {
  const byNumber = new Map<number, Valid<CheckpointRecord>[]>();
  for (const row of rows) {
    byNumber.set(row.record.number, [...(byNumber.get(row.record.number) ?? []), row]);
  }
  const out: CheckpointRecord[] = [];
  for (const [number, copies] of [...byNumber].sort(([a], [b]) => a - b)) {
    const hashes = new Set(copies.map((c) => c.hash));
    const first = copies[0];
    if (first === undefined) continue;
    if (hashes.size > 1) {
      findings.push({
        code: 'record-duplicated',
        severity: 'failure',
        subject: first.subject,
        message: `${hashes.size} different signed checkpoints claim number ${number}.`,
      });
      continue;
    }
    out.push(first.record);
  }
  return out;
}

/** Within the run of checkpoints given, a missing number or a broken link is named. */
function checkpointSequence(
  rows: readonly ReadRow[],
  checkpoints: readonly CheckpointRecord[],
): Finding[] {
  const findings: Finding[] = [];
  const numbers = new Set<number>();
  for (const row of rows) {
    if (row.status === 'valid' || row.status === 'invalid') {
      if (row.record.kind === 'checkpoint') numbers.add(row.record.number);
    }
  }
  const first = checkpoints[0];
  const last = checkpoints.at(-1);
  if (first === undefined || last === undefined) return findings;
  for (let number = first.number + 1; number < last.number; number += 1) {
    if (numbers.has(number)) continue;
    const next = checkpoints.find((c) => c.number > number);
    if (next === undefined) continue;
    findings.push({
      code: 'row-deleted',
      severity: 'failure',
      subject: { list: 'checkpoints', id: checkpointId(number) },
      namedBy: { list: 'checkpoints', id: next.id },
      message: `Checkpoint ${number} is not there, though ${next.id} follows it: it was deleted.`,
    });
  }
  const byNumber = new Map(checkpoints.map((c) => [c.number, c]));
  for (const checkpoint of checkpoints) {
    const before = byNumber.get(checkpoint.number - 1);
    if (before !== undefined && checkpoint.previous !== recordHash(before)) {
      findings.push({
        code: 'checkpoint-mismatch',
        severity: 'failure',
        subject: { list: 'checkpoints', id: checkpoint.id },
        checkpointId: checkpoint.id,
        message: `${checkpoint.id} does not follow ${before.id}: one of them is not the checkpoint the service wrote.`,
      });
    }
  }
  return findings;
}

/** Rows sharing an id: identical copies are a warning; different contents a failure. */
function duplicates(list: RowList, rows: readonly ReadRow[]): Finding[] {
  const byId = new Map<string, { hash: string; row: ReadRow }[]>();
  for (const row of rows) {
    const entry =
      row.status === 'valid'
        ? { id: row.record.id, hash: row.hash }
        : row.status === 'legacy'
          ? { id: row.ack.id, hash: legacyCountedRow(row.ack).hash }
          : undefined;
    if (entry === undefined) continue;
    byId.set(entry.id, [...(byId.get(entry.id) ?? []), { hash: entry.hash, row }]);
  }
  const findings: Finding[] = [];
  for (const [id, copies] of byId) {
    if (copies.length < 2) continue;
    const different = new Set(copies.map((c) => c.hash)).size > 1;
    findings.push({
      code: 'record-duplicated',
      severity: different ? 'failure' : 'warning',
      subject: { list, id },
      message: different
        ? `${copies.length} rows claim ${nounOf(list).toLowerCase()} ${id} with different signed contents.`
        : `${nounOf(list)} ${id} is stored ${copies.length} times (identical copies).`,
    });
  }
  return findings;
}

function chainLinks(rows: readonly ReadRow[]): ChainLink[] {
  const links: ChainLink[] = [];
  for (const row of rows) {
    if (row.status !== 'valid' && row.status !== 'invalid') continue;
    if (row.record.kind !== 'audit-event') continue;
    links.push({
      record: row.record,
      hash: row.hash,
      ...(row.row.itemId === undefined ? {} : { itemId: row.row.itemId }),
      ...(row.status === 'invalid' ? { signatureFinding: row.finding } : {}),
    });
  }
  return links;
}

function versionTexts(
  versions: readonly Valid<PublishedVersionRecord>[],
  rows: readonly VersionRow[],
): Finding[] {
  const findings: Finding[] = [];
  const documents = new Map<EvidenceRow, unknown>(rows.map((row) => [row, row.document]));
  for (const version of versions) {
    const document = documents.get(version.row);
    if (document === undefined) continue;
    const parsed = policyDocumentSchema.safeParse(document);
    const actual = parsed.success ? contentHash(parsed.data) : null;
    if (actual === version.record.contentHash) continue;
    findings.push({
      code: 'version-text-edited',
      severity: 'failure',
      subject: version.subject,
      signedHash: version.record.contentHash,
      documentHash: actual,
      message:
        actual === null
          ? `The stored text of ${version.record.id} is no longer a valid policy document; it was published with content hash ${version.record.contentHash}.`
          : `The stored text of ${version.record.id} hashes to ${actual}, not the ${version.record.contentHash} it was published and signed with: its text was edited.`,
    });
  }
  return findings;
}

/** Every row a genuine event or record says exists. */
function namedRows(
  acks: readonly Valid<AcknowledgementRecord>[],
  decisions: readonly Valid<ApprovalDecisionRecord>[],
  events: readonly Valid<AuditEventRecord>[],
): Named[] {
  const named: Named[] = [];
  for (const event of events) {
    const { record } = event;
    const by = record.at;
    switch (record.type) {
      case 'acknowledgement.signed':
        named.push({
          list: 'acknowledgements',
          id: record.subject,
          shard: record.shard,
          by,
          namedBy: event.subject,
        });
        break;
      case 'approval.decided': {
        const decisionId = record.details.decisionId;
        if (typeof decisionId === 'string') {
          named.push({
            list: 'approvalDecisions',
            id: decisionId,
            shard: record.shard,
            by,
            namedBy: event.subject,
          });
        }
        break;
      }
      // A closure names the signature it closes and the newer one that superseded it.
      case 'approval.superseded': {
        named.push({
          list: 'acknowledgements',
          id: record.subject,
          shard: record.shard,
          by,
          namedBy: event.subject,
        });
        const newer = supersededBy(record);
        if (newer !== undefined) {
          named.push({
            list: 'acknowledgements',
            id: newer,
            shard: shardOf(newer),
            by,
            namedBy: event.subject,
          });
        }
        break;
      }
      // A withdrawal names the version it took back: that row must still be there too.
      case 'version.published':
      case 'version.withdrawn':
        named.push({
          list: 'versions',
          id: record.subject,
          shard: record.shard,
          by,
          namedBy: event.subject,
        });
        break;
      case 'policy.created':
      case 'policy.saved':
      case 'version.retired':
      case 'campaign.launched':
      case 'campaign.status-changed':
      case 'campaign.deadline-moved':
      case 'campaign.recovered':
      case 'card.identity-mismatch':
      case 'bot.activity-refused':
      case 'seal.verification-failed':
      case 'records.checked':
      case 'settings.changed':
        // (settings.changed: a settings row is not signature evidence; its events are its history)
        break;
    }
  }
  for (const decision of decisions) {
    const id = decision.record.acknowledgementId;
    named.push({
      list: 'acknowledgements',
      id,
      shard: shardOf(id),
      by: decision.record.decidedAt,
      namedBy: decision.subject,
    });
  }
  for (const ack of acks) {
    const id = versionRecordId(ack.record.policyKey, ack.record.versionNumber);
    named.push({
      list: 'versions',
      id,
      shard: shardOf(id),
      by: ack.record.signedAt,
      namedBy: ack.subject,
    });
  }
  // One finding per missing row: the first namer (events come first) is enough.
  const seen = new Set<string>();
  return named.filter((n) => {
    const key = `${n.list}\u0000${n.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Ids of every row there is, whether or not it holds: an edited row is edited, not deleted. */
function presentIds(read: Record<EvidenceList, { rows: ReadRow[] }>): Record<RowList, Set<string>> {
  const ids = (rows: readonly ReadRow[]) =>
    new Set(
      rows.flatMap((r) => {
        switch (r.status) {
          case 'valid':
          case 'invalid':
            return [r.record.id];
          case 'legacy':
            return [r.ack.id];
          case 'unreadable':
            return r.subject.id === undefined ? [] : [r.subject.id];
        }
      }),
    );
  return {
    acknowledgements: ids(read.acknowledgements.rows),
    approvalDecisions: ids(read.approvalDecisions.rows),
    versions: ids(read.versions.rows),
  };
}

/** Signed rows no genuine audit event announces: repairable after a fault, or the event is gone. */
function unannounced(
  acks: readonly Valid<AcknowledgementRecord>[],
  decisions: readonly Valid<ApprovalDecisionRecord>[],
  versions: readonly Valid<PublishedVersionRecord>[],
  events: readonly Valid<AuditEventRecord>[],
): Finding[] {
  const signed = new Set<string>();
  const decided = new Set<string>();
  const published = new Set<string>();
  for (const { record } of events) {
    if (record.type === 'acknowledgement.signed') signed.add(record.subject);
    if (record.type === 'version.published') published.add(record.subject);
    if (record.type === 'approval.decided' && typeof record.details.decisionId === 'string') {
      decided.add(record.details.decisionId);
    }
  }
  const findings: Finding[] = [];
  const warn = (row: Valid<EvidenceRecord>, type: string) =>
    findings.push({
      code: 'event-missing',
      severity: 'warning',
      subject: row.subject,
      message: `${nounOf(row.subject.list)} ${row.record.id} has no genuine ${type} audit event: not yet repaired after a fault, or the event was deleted.`,
    });
  for (const ack of acks) if (!signed.has(ack.record.id)) warn(ack, 'acknowledgement.signed');
  for (const d of decisions) if (!decided.has(d.record.id)) warn(d, 'approval.decided');
  for (const v of versions) if (!published.has(v.record.id)) warn(v, 'version.published');
  return findings;
}

interface ListRows {
  /** Rows to count: signed ones that hold, and legacy ones whose seal holds or cannot be checked. */
  counted: CountedRow[];
  /** Rows that do not hold, by the shard they claim: each might be one the checkpoint counted. */
  doubtful: number[];
  /** Rows with no readable shard: the list cannot be compared with a checkpoint at all. */
  unplaceable: number;
}

function doubt(rows: ListRows, shard: number): void {
  rows.doubtful[shard] = (rows.doubtful[shard] ?? 0) + 1;
}

function countedRows(read: Record<EvidenceList, { rows: ReadRow[] }>): Record<RowList, ListRows> {
  const of = (rows: readonly ReadRow[]): ListRows => {
    const out: ListRows = {
      counted: [],
      doubtful: Array<number>(SHARD_COUNT).fill(0),
      unplaceable: 0,
    };
    for (const row of rows) {
      const counted = countedRowOf(row);
      if (counted !== null) {
        out.counted.push(counted);
        continue;
      }
      switch (row.status) {
        case 'valid':
          break;
        case 'legacy':
          doubt(out, shardOf(row.ack.id));
          break;
        case 'invalid':
          if (row.record.kind !== 'audit-event' && row.record.kind !== 'checkpoint') {
            doubt(out, countedRow(row.record).shard);
          }
          break;
        case 'unreadable':
          out.unplaceable += 1;
          break;
      }
    }
    return out;
  };
  return {
    acknowledgements: of(read.acknowledgements.rows),
    approvalDecisions: of(read.approvalDecisions.rows),
    versions: of(read.versions.rows),
  };
}

/**
 * The latest checkpoint's per-shard counts and set digests against the rows signed by its cutoff.
 * Fewer rows than it counted, beyond those a surviving record names (already row-deleted), were
 * deleted with their events; the same count with another digest means rows were swapped.
 */
function checkpointSets(
  checkpoint: CheckpointRecord,
  rows: Record<RowList, ListRows>,
  missing: readonly Named[],
  chains: readonly ShardChain[],
): Finding[] {
  const findings: Finding[] = [];
  for (const list of ROW_LISTS) {
    const { counted, doubtful, unplaceable } = rows[list];
    if (unplaceable > 0) continue; // already a failure; a count here would only guess
    const now = shardSets(counted, checkpoint.cutoff);
    for (let shard = 0; shard < SHARD_COUNT; shard += 1) {
      const then = checkpoint.sets[list][shard];
      const found = now[shard];
      if (then === undefined || found === undefined) continue;
      const doubts = doubtful[shard] ?? 0;
      const named = missing.filter(
        (n) =>
          n.list === list &&
          n.shard === shard &&
          signedBy({ signingTime: n.by }, checkpoint.cutoff),
      ).length;
      const unexplained = then.count - found.count - doubts - named;
      const noun = nounOf(list).toLowerCase();
      if (unexplained > 0) {
        const chain = chains[shard];
        const head = checkpoint.heads[shard]?.seq ?? 0;
        const eventSeqs = [...(chain?.gaps ?? []), ...(chain?.truncated ?? [])].filter(
          (s) => s <= head,
        );
        findings.push({
          code: 'row-and-event-deleted',
          severity: 'failure',
          subject: { list, shard },
          checkpointId: checkpoint.id,
          rowList: list,
          missing: unexplained,
          eventSeqs,
          message: `${unexplained} ${noun}${unexplained === 1 ? '' : 's'} of shard ${shard} signed by ${checkpoint.cutoff} ${unexplained === 1 ? 'is' : 'are'} gone (${checkpoint.id} counted ${then.count}, ${found.count} remain${doubts > 0 ? `, ${doubts} more fail their signature` : ''}) and no remaining record names ${unexplained === 1 ? 'it' : 'them'}${eventSeqs.length > 0 ? `; audit events seq ${eventSeqs.join(', ')} of that shard are gone too` : ''}.`,
        });
      } else if (doubts === 0 && named === 0 && found.digest !== then.digest) {
        findings.push({
          code: 'checkpoint-mismatch',
          severity: 'failure',
          subject: { list, shard },
          checkpointId: checkpoint.id,
          message: `The ${noun}s of shard ${shard} signed by ${checkpoint.cutoff} are not the set ${checkpoint.id} recorded (${then.count} then, ${found.count} now): rows were replaced or added afterwards.`,
        });
      }
    }
  }
  return findings;
}

const LIST_ORDER: readonly EvidenceList[] = [
  'acknowledgements',
  'approvalDecisions',
  'versions',
  'auditEvents',
  'checkpoints',
];

function sortFindings(findings: readonly Finding[]): Finding[] {
  const key = (f: Finding) =>
    [
      String(LIST_ORDER.indexOf(f.subject.list)),
      f.subject.id ?? '',
      String((f.subject.shard ?? -1) + 1).padStart(3, '0'),
      String(f.subject.seq ?? 0).padStart(12, '0'),
      f.code,
    ].join('\u0000');
  return [...findings].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
