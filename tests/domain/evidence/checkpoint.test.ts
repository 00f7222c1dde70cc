import { describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { chainNext } from '../../../src/domain/evidence/audit-chain.ts';
import {
  advanceHeads,
  buildCheckpoint,
  checkpointCutoff,
  checkpointSettled,
  countedRow,
} from '../../../src/domain/evidence/checkpoint.ts';
import {
  GENESIS,
  type CheckpointRecord,
  type ShardHead,
} from '../../../src/domain/evidence/evidence-record.ts';
import { readRows, type EvidenceRow } from '../../../src/domain/evidence/evidence-row.ts';
import { signRecord } from '../../../src/domain/evidence/evidence-signer.ts';
import { prepareKeyRing } from '../../../src/domain/evidence/key-ring.ts';
import { setDigest } from '../../../src/domain/evidence/set-digest.ts';
import { shardOf } from '../../../src/domain/evidence/shard.ts';
import { recordHash } from '../../../src/domain/evidence/signing-payload.ts';
import { acknowledgementRecord, decisionRecord, publishedVersion } from './records.ts';

const a = acknowledgementRecord('u1', { signedAt: '2026-09-03T08:00:00.000Z' });
const b = acknowledgementRecord('u2', { signedAt: '2026-09-03T08:55:00.000Z' });
const late = acknowledgementRecord('u3', { signedAt: '2026-09-03T08:59:00.000Z' });

describe('setDigest', () => {
  it('is the same whatever the order, collapses duplicates, and changes with any row', () => {
    const x = { id: 'a', hash: '1'.repeat(64) };
    const y = { id: 'b', hash: '2'.repeat(64) };
    expect(setDigest([x, y])).toBe(setDigest([y, x, x]));
    expect(setDigest([x])).not.toBe(setDigest([x, y]));
    expect(setDigest([])).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('buildCheckpoint', () => {
  const first = buildCheckpoint({
    previous: null,
    at: '2026-09-03T09:00:00.000Z',
    heads: [{ shard: 2, seq: 4, hash: 'c'.repeat(64) }],
    rows: {
      acknowledgements: [countedRow(a), countedRow(b), countedRow(late), countedRow(a)],
      approvalDecisions: [countedRow(decisionRecord(a))],
      versions: [countedRow(publishedVersion())],
    },
  });

  it('counts rows signed by the cutoff, ten minutes before it, by shard', () => {
    expect(checkpointCutoff('2026-09-03T09:00:00.000Z')).toBe('2026-09-03T08:50:00.000Z');
    expect(first).toMatchObject({
      kind: 'checkpoint',
      id: 'checkpoint:1',
      number: 1,
      previous: GENESIS,
      cutoff: '2026-09-03T08:50:00.000Z',
      counts: { acknowledgements: 1, approvalDecisions: 0, versions: 1, auditEvents: 4 },
    });
    const shard = shardOf(a.id);
    expect(first.sets.acknowledgements[shard]).toEqual({
      count: 1,
      digest: setDigest([{ id: a.id, hash: recordHash(a) }]),
    });
    expect(first.heads[2]).toEqual({ shard: 2, seq: 4, hash: 'c'.repeat(64) });
    expect(first.heads[0]).toEqual({ shard: 0, seq: 0, hash: GENESIS });
  });

  it('numbers each checkpoint after the last and links it to that one’s hash', () => {
    const second = buildCheckpoint({
      previous: first,
      at: '2026-09-03T09:10:00.000Z',
      heads: [],
      rows: {
        acknowledgements: [countedRow(a), countedRow(b), countedRow(late)],
        approvalDecisions: [],
        versions: [],
      },
    });
    expect(second).toMatchObject({ id: 'checkpoint:2', number: 2, previous: recordHash(first) });
    expect(second.counts.acknowledgements).toBe(3);
  });

  it('refuses two heads for one shard and a cutoff after its own time', () => {
    const rows = { acknowledgements: [], approvalDecisions: [], versions: [] };
    expect(() =>
      buildCheckpoint({
        previous: null,
        at: '2026-09-03T09:00:00.000Z',
        heads: [
          { shard: 1, seq: 1, hash: GENESIS },
          { shard: 1, seq: 2, hash: GENESIS },
        ],
        rows,
      }),
    ).toThrow(/Two heads were given for shard 1/);
    expect(() =>
      buildCheckpoint({
        previous: null,
        at: '2026-09-03T09:00:00.000Z',
        cutoff: '2026-09-03T09:01:00.000Z',
        heads: [],
        rows,
      }),
    ).toThrow(/cannot count rows signed after it/);
  });
});

describe('advanceHeads and checkpointSettled (what the writer decides)', () => {
  const keys = memoryEvidenceKeys();
  const ring = prepareKeyRing(keys.keyRing);
  const rows = { acknowledgements: [], approvalDecisions: [], versions: [] };
  const checkpointAt = (previous: CheckpointRecord | null, at: string, heads: ShardHead[]) =>
    buildCheckpoint({ previous, at, heads, rows });

  async function chained(shard: number, count: number): Promise<EvidenceRow[]> {
    const out: EvidenceRow[] = [];
    let head = { shard, seq: 0, hash: GENESIS };
    for (let i = 0; out.length < count; i += 1) {
      const subject = `subject-${i}`;
      if (shardOf(subject) !== shard) continue;
      const next = chainNext(head, {
        id: `e-${i}`,
        type: 'policy.saved',
        actorId: 'a',
        at: '2026-09-03T08:00:00.000Z',
        subject,
        details: {},
      });
      const signed = await signRecord(keys.signer, next.record);
      out.push({ record: signed.record, signature: signed.signature });
      head = next.head;
    }
    return out;
  }

  it('moves a head only to a genuine event past it, and never back', async () => {
    const events = await chained(5, 3);
    const read = readRows('auditEvents', events, ring).rows;
    const first = advanceHeads(null, read);
    expect(first.advanced).toEqual([5]);
    expect(first.heads[5]?.seq).toBe(3);
    expect(first.heads[0]).toEqual({ shard: 0, seq: 0, hash: GENESIS });

    const previous = checkpointAt(null, '2026-09-03T09:00:00.000Z', first.heads);
    // The chain cut back to seq 1, and a forged seq 9: the head stays where the checkpoint saw it.
    const forged = { ...events[0], record: { ...(events[0]?.record as object), seq: 9 } };
    const after = advanceHeads(previous, readRows('auditEvents', [events[0]!, forged], ring).rows);
    expect(after.advanced).toEqual([]);
    expect(after.heads[5]).toEqual(first.heads[5]);
  });

  it('is settled once the latest cutoff passes the moment the heads stopped moving', () => {
    const heads = [{ shard: 2, seq: 4, hash: 'c'.repeat(64) }];
    const one = checkpointAt(null, '2026-09-03T09:00:00.000Z', heads);
    const two = checkpointAt(one, '2026-09-03T09:05:00.000Z', heads);
    const three = checkpointAt(two, '2026-09-03T09:10:00.000Z', heads);
    expect(checkpointSettled([], one.heads)).toBe(false);
    expect(checkpointSettled([one], one.heads)).toBe(false);
    expect(checkpointSettled([two, one], one.heads)).toBe(false);
    expect(checkpointSettled([three, two, one], one.heads)).toBe(true);
    // Any head that moved since: not settled.
    const moved = one.heads.map((h) => (h.shard === 2 ? { ...h, seq: 5 } : h));
    expect(checkpointSettled([three, two, one], moved)).toBe(false);
  });
});
