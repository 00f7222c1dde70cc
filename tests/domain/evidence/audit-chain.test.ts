import { describe, expect, it } from 'vitest';
import {
  chainNext,
  genesisHead,
  genesisHeads,
  verifyChain,
  type ChainLink,
  type UnchainedAuditEvent,
} from '../../../src/domain/evidence/audit-chain.ts';
import { buildCheckpoint } from '../../../src/domain/evidence/checkpoint.ts';
import { GENESIS, type AuditEventRecord } from '../../../src/domain/evidence/evidence-record.ts';
import { SHARD_COUNT, shardOf } from '../../../src/domain/evidence/shard.ts';
import { recordHash } from '../../../src/domain/evidence/signing-payload.ts';

/** The first subject "prefix-n" that lands in the shard. */
function subjectIn(shard: number, prefix: string): string {
  for (let n = 0; ; n += 1) if (shardOf(`${prefix}-${n}`) === shard) return `${prefix}-${n}`;
}

function event(id: string, subject: string, minute: number): UnchainedAuditEvent {
  return {
    id,
    type: 'acknowledgement.signed',
    actorId: 'u1',
    at: `2026-09-03T08:${String(minute).padStart(2, '0')}:00.000Z`,
    subject,
    details: {},
  };
}

/** Five events in shard 3: e1…e5. */
function shardThree(): AuditEventRecord[] {
  let head = genesisHead(3);
  const out: AuditEventRecord[] = [];
  for (let i = 1; i <= 5; i += 1) {
    const next = chainNext(head, event(`e${i}`, subjectIn(3, `s${i}`), i));
    out.push(next.record);
    head = next.head;
  }
  return out;
}

const link = (record: AuditEventRecord, extra: Partial<ChainLink> = {}): ChainLink => ({
  record,
  hash: recordHash(record),
  ...extra,
});

describe('shardOf', () => {
  it('spreads subjects over all shards and keeps each subject in one', () => {
    const seen = new Set(Array.from({ length: 400 }, (_, i) => shardOf(`staff-aup:v1:user-${i}`)));
    expect(seen.size).toBe(SHARD_COUNT);
    expect(shardOf('staff-aup:v1:user-7')).toBe(shardOf('staff-aup:v1:user-7'));
  });
});

describe('chainNext', () => {
  it('starts a shard at seq 1 from GENESIS and links each event to the hash of the one before', () => {
    const [first, second] = shardThree();
    expect(first).toMatchObject({ kind: 'audit-event', id: 'e1', shard: 3, seq: 1, prev: GENESIS });
    expect(second).toMatchObject({ id: 'e2', shard: 3, seq: 2, prev: recordHash(first!) });
  });

  it('refuses a head of another shard than the subject’s', () => {
    expect(() => chainNext(genesisHead(4), event('x', subjectIn(3, 'x'), 1))).toThrow(
      /belongs to shard 3, not 4/,
    );
  });

  it('gives every shard an empty head', () => {
    expect(genesisHeads()).toHaveLength(SHARD_COUNT);
    expect(genesisHeads()[15]).toEqual({ shard: 15, seq: 0, hash: GENESIS });
  });
});

describe('verifyChain', () => {
  it('finds nothing in an intact chain, whatever order the events are read in', () => {
    const report = verifyChain(
      shardThree()
        .reverse()
        .map((r) => link(r)),
    );
    expect(report.findings).toEqual([]);
    expect(report.shards[3]).toEqual({ shard: 3, top: 5, gaps: [], truncated: [] });
  });

  it('names deleted events by seq, and which event follows them', () => {
    const events = shardThree().filter((e) => e.seq !== 2 && e.seq !== 3);
    const report = verifyChain(events.map((r) => link(r)));
    expect(report.findings).toEqual([
      {
        code: 'event-deleted',
        severity: 'failure',
        subject: { list: 'auditEvents', shard: 3, seq: 2 },
        seqs: [2, 3],
        message: 'Audit events seqs 2–3 of shard 3 are missing (e4 follows them): deleted.',
      },
    ]);
  });

  it('calls an unsigned event on a genuine event’s seq inserted, and one on a free seq forged', () => {
    const events = shardThree();
    const fake = { ...events[1]!, id: 'fake' };
    const forged = { ...events[4]!, id: 'forged-6', seq: 6, prev: recordHash(events[4]!) };
    const bad = (r: AuditEventRecord) =>
      link(r, {
        signatureFinding: {
          code: 'event-forged',
          severity: 'failure',
          subject: { list: 'auditEvents', id: r.id },
          message: 'no signature',
        },
      });
    const report = verifyChain([...events.map((r) => link(r)), bad(fake), bad(forged)]);
    expect(report.findings.map((f) => [f.code, f.subject.id, f.subject.seq])).toEqual([
      ['event-inserted', 'fake', 2],
      ['event-forged', 'forged-6', undefined],
    ]);
  });

  it('catches a signed event that does not link to its predecessor, nor its successor to it', () => {
    const events = shardThree();
    const stray = { ...events[2]!, prev: GENESIS };
    const report = verifyChain([...events.filter((e) => e.seq !== 3), stray].map((r) => link(r)));
    expect(report.findings.map((f) => [f.code, f.subject.id, f.message])).toEqual([
      [
        'event-inserted',
        'e3',
        'Audit event e3 (seq 3 of shard 3) does not follow e2: the chain was forked there.',
      ],
      [
        'event-inserted',
        'e4',
        'Audit event e4 (seq 4 of shard 3) does not follow e3: the chain was forked there.',
      ],
    ]);
  });

  it('finds a chain truncated below the latest checkpoint’s head', () => {
    const events = shardThree();
    const checkpoint = buildCheckpoint({
      previous: null,
      at: '2026-09-03T09:00:00.000Z',
      heads: [{ shard: 3, seq: 5, hash: recordHash(events[4]!) }],
      rows: { acknowledgements: [], approvalDecisions: [], versions: [] },
    });
    const report = verifyChain(
      events.filter((e) => e.seq <= 3).map((r) => link(r)),
      [checkpoint],
    );
    expect(report.findings).toMatchObject([
      {
        code: 'chain-truncated',
        subject: { list: 'auditEvents', shard: 3 },
        checkpointId: 'checkpoint:1',
        expectedSeq: 5,
        foundSeq: 3,
      },
    ]);
    expect(report.shards[3]?.truncated).toEqual([4, 5]);
  });
});
