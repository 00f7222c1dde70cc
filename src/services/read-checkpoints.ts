import type { EvidenceRow } from '../domain/evidence/evidence-row.ts';
import type { CheckpointArchive } from '../ports/checkpoint-archive.ts';
import type { EvidenceLedger } from '../ports/evidence-ledger.ts';

/** Where signed checkpoints are kept: the site's Checkpoints list and the copies outside it. */
export interface CheckpointSources {
  ledger: Pick<EvidenceLedger, 'readCheckpointsFrom'>;
  /** The work store, and the WORM Blob container when configured. */
  archives: readonly CheckpointArchive[];
}

/** How many of the latest copies each archive is asked for. */
const RECENT = 4;

function numberOf(row: EvidenceRow): number | undefined {
  const record = row.record;
  if (typeof record !== 'object' || record === null) return undefined;
  const n = (record as { number?: unknown }).number;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

/**
 * The checkpoints a records check holds the evidence to, as stored (nothing trusted: verify checks
 * every signature): the latest few copies from each archive outside the site, and the site's own
 * from the lowest of those numbers up, so the run verify reads is whole (a number missing in it
 * is a checkpoint deleted from the site) and a checkpoint the site lost still counts from its copy.
 * With no copies anywhere, every checkpoint the site holds.
 */
export async function readCheckpoints(sources: CheckpointSources): Promise<EvidenceRow[]> {
  const copies = (
    await Promise.all(sources.archives.map((archive) => archive.latestCheckpoints(RECENT)))
  ).flat();
  const numbers = copies.flatMap((row) => numberOf(row) ?? []);
  const from = numbers.length === 0 ? 0 : Math.min(...numbers);
  return [...(await sources.ledger.readCheckpointsFrom(from)), ...copies];
}
