import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { buildCheckpoint } from '../../src/domain/evidence/checkpoint.ts';
import type { CheckpointCopy } from '../../src/domain/evidence/checkpoint-copy.ts';
import type { CheckpointRecord } from '../../src/domain/evidence/evidence-record.ts';
import { signRecord } from '../../src/domain/evidence/evidence-signer.ts';
import type { CheckpointArchive } from '../../src/ports/checkpoint-archive.ts';
import type { OpenStore, Opened } from './opened-store.ts';

const keys = memoryEvidenceKeys();
const T0 = Date.parse('2026-09-03T09:00:00.000Z');

/** Checkpoints 1…count, each linked to the one before, signed as the writer signs them. */
async function signedRun(count: number, offsetMs = 0): Promise<CheckpointCopy[]> {
  const copies: CheckpointCopy[] = [];
  let previous: CheckpointRecord | null = null;
  for (let i = 0; i < count; i += 1) {
    const record = buildCheckpoint({
      previous,
      at: new Date(T0 + offsetMs + i * 300_000).toISOString(),
      heads: [{ shard: 3, seq: i + 1, hash: String(i % 10).repeat(64) }],
      rows: { acknowledgements: [], approvalDecisions: [], versions: [] },
    });
    copies.push(await signRecord(keys.signer, record));
    previous = record;
  }
  return copies;
}

/** The behaviour every CheckpointArchive adapter must have. */
export function checkpointArchiveContract(name: string, open: OpenStore<CheckpointArchive>): void {
  describe(`CheckpointArchive contract: ${name}`, () => {
    let store: Opened<CheckpointArchive>;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps each copy as signed and hands back the latest first, by number', async () => {
      expect(await store.latestCheckpoints(3)).toEqual([]);
      const copies = await signedRun(12);
      // Out of order, and past 9 → 10 (a name sorted as text would put 10 before 9).
      for (const copy of [...copies.slice(6), ...copies.slice(0, 6)]) {
        expect(await store.putCheckpoint(copy)).toBe('created');
      }
      const latest = await store.latestCheckpoints(3);
      expect(latest.map((row) => (row.record as CheckpointRecord).number)).toEqual([12, 11, 10]);
      expect(latest[0]?.record).toEqual(copies[11]?.record);
      expect(latest[0]?.signature).toEqual(copies[11]?.signature);
      expect(latest[0]?.itemId).toEqual(expect.any(String));
      expect(await store.latestCheckpoints(20)).toHaveLength(12);
      expect(await store.latestCheckpoints(0)).toEqual([]);
    });

    it('takes a repeated copy as a retry and refuses another checkpoint under a taken number', async () => {
      const [first] = await signedRun(1);
      const [other] = await signedRun(1, 60_000);
      if (first === undefined || other === undefined) throw new Error('no copies');
      expect(await store.putCheckpoint(first)).toBe('created');
      expect(await store.putCheckpoint(first)).toBe('exists');
      await expect(store.putCheckpoint(other)).rejects.toMatchObject({ code: 'conflict' });
      const [kept] = await store.latestCheckpoints(1);
      expect(kept?.record).toEqual(first.record);
    });
  });
}
