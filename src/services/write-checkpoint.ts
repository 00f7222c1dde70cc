import {
  advanceHeads,
  buildCheckpoint,
  checkpointSettled,
  countedRowOf,
  type CountedRow,
} from '../domain/evidence/checkpoint.ts';
import type { CheckpointCopy } from '../domain/evidence/checkpoint-copy.ts';
import {
  ROW_LISTS,
  type CheckpointRecord,
  type RowList,
} from '../domain/evidence/evidence-record.ts';
import { readRows, type EvidenceRow } from '../domain/evidence/evidence-row.ts';
import { evidenceSignatureSchema } from '../domain/evidence/evidence-signature.ts';
import { signRecord, type EvidenceSigner } from '../domain/evidence/evidence-signer.ts';
import { prepareKeyRing, type KeyRing, type PreparedKeyRing } from '../domain/evidence/key-ring.ts';
import { CountersignError } from '../domain/errors.ts';
import type { CheckpointArchive } from '../ports/checkpoint-archive.ts';
import type { EvidenceLedger } from '../ports/evidence-ledger.ts';

export interface CheckpointWriterDeps {
  /** The site: its evidence lists and its Checkpoints list. */
  ledger: EvidenceLedger;
  /**
   * Where each checkpoint is copied outside the site: the work store first (the writer reads the
   * latest checkpoints from it), then the WORM container when one is configured.
   */
  archives: readonly CheckpointArchive[];
  signer: EvidenceSigner;
  /** The published keys: only checkpoints and events whose signatures hold are built on. */
  keyRing: KeyRing;
}

export type CheckpointOutcome =
  /** A new checkpoint, stored in the site and copied to every archive. */
  | { kind: 'written'; id: string; number: number; advancedShards: number[] }
  /** Nothing changed since the latest checkpoint, which already counts every row: none written. */
  | { kind: 'unchanged'; id: string; number: number };

/** How many of the latest checkpoints the writer reads (enough to see when the chains settled). */
const RECENT = 4;

interface Genuine {
  record: CheckpointRecord;
  copy: CheckpointCopy;
}

/** The checkpoints among `rows` whose signatures hold, as copies to archive again. */
function genuineCheckpoints(rows: readonly EvidenceRow[], ring: PreparedKeyRing): Genuine[] {
  return readRows('checkpoints', rows, ring).rows.flatMap((row) => {
    if (row.status !== 'valid' || row.record.kind !== 'checkpoint') return [];
    const signature = evidenceSignatureSchema.safeParse(row.row.signature);
    if (!signature.success) return [];
    return [
      {
        record: row.record,
        copy: { record: row.record, signature: signature.data, hash: row.hash },
      },
    ];
  });
}

function countedRows(lists: Record<RowList, EvidenceRow[]>, ring: PreparedKeyRing) {
  const counted = {} as Record<RowList, CountedRow[]>;
  for (const list of ROW_LISTS) {
    counted[list] = readRows(list, lists[list], ring).rows.flatMap((row) => {
      const one = countedRowOf(row);
      return one === null ? [] : [one];
    });
  }
  return counted;
}

/**
 * The scheduled work's checkpoint (every run, under the scheduler lease): reads where each audit
 * chain has reached since the latest checkpoint (only the events above its lowest head: one
 * request when little happened), and when nothing moved and the latest checkpoint already counts
 * every row, writes nothing. Otherwise counts every evidence list, signs checkpoint N + 1, stores
 * it in the site's Checkpoints list and then copies it to every archive; a copy a failure left
 * behind is made on the next run.
 *
 * The latest checkpoint is the highest-numbered genuine one in the work store or the site, so a
 * checkpoint deleted from the site is not written again under its number: the gap stays, and
 * verify names it.
 */
export async function writeCheckpoint(
  deps: CheckpointWriterDeps,
  now: Date,
): Promise<CheckpointOutcome> {
  const ring = prepareKeyRing(deps.keyRing);
  const [primary] = deps.archives;
  const archived = genuineCheckpoints(
    primary === undefined ? [] : await primary.latestCheckpoints(RECENT),
    ring,
  );
  const archivedTop = archived.reduce((top, c) => Math.max(top, c.record.number), 0);
  const inSite = genuineCheckpoints(await deps.ledger.readCheckpointsFrom(archivedTop), ring);
  const byNumber = new Map<number, Genuine>();
  for (const c of [...inSite, ...archived]) byNumber.set(c.record.number, c);
  const recent = [...byNumber.values()]
    .sort((a, b) => b.record.number - a.record.number)
    .slice(0, RECENT);

  // Copies the archives lack (a failure after the site's write): made now, oldest first.
  await copyToArchives(deps.archives, [...recent].reverse());

  const previous = recent[0]?.record ?? null;
  const lowest = previous === null ? 0 : Math.min(...previous.heads.map((h) => h.seq));
  const events = readRows('auditEvents', await deps.ledger.readEventsAfter(lowest), ring).rows;
  const { heads, advanced } = advanceHeads(previous, events);
  if (
    previous !== null &&
    checkpointSettled(
      recent.map((c) => c.record),
      heads,
    )
  ) {
    return { kind: 'unchanged', id: previous.id, number: previous.number };
  }

  const rows = countedRows(await deps.ledger.readCountedLists(), ring);
  const record = buildCheckpoint({ previous, at: now.toISOString(), heads, rows });
  const copy = await signRecord(deps.signer, record);
  if ((await deps.ledger.putCheckpoint(copy)) === 'exists') {
    throw new CountersignError(
      'conflict',
      `${record.id} is already in the site's Checkpoints list: another writer took the number; the next run follows it.`,
    );
  }
  await copyToArchives(deps.archives, [{ record, copy }]);
  return { kind: 'written', id: record.id, number: record.number, advancedShards: advanced };
}

/**
 * Puts each copy into every archive that does not hold it yet (by its latest number), trying
 * every archive before reporting what failed.
 */
async function copyToArchives(
  archives: readonly CheckpointArchive[],
  copies: readonly Genuine[],
): Promise<void> {
  if (copies.length === 0) return;
  const failures: unknown[] = [];
  for (const archive of archives) {
    try {
      const [latest] = await archive.latestCheckpoints(1);
      const held = numberOf(latest);
      for (const c of copies) {
        if (c.record.number > held) await archive.putCheckpoint(c.copy);
      }
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new AggregateError(failures, `${failures.length} checkpoint archives failed.`);
  }
}

/** The number a stored copy claims (0 when none, or unreadable: then every copy is offered). */
function numberOf(row: EvidenceRow | undefined): number {
  const record = row?.record;
  if (typeof record !== 'object' || record === null) return 0;
  const number = (record as { number?: unknown }).number;
  return typeof number === 'number' && Number.isInteger(number) ? number : 0;
}
