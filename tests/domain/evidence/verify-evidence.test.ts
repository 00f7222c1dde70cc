import { beforeAll, describe, expect, it } from 'vitest';
import type {
  Acknowledgement,
  AcknowledgementFields,
} from '../../../src/domain/acknowledgement.ts';
import { generateEvidenceKeyPair } from '../../../src/domain/evidence/evidence-keys.ts';
import type { EvidenceRecord } from '../../../src/domain/evidence/evidence-record.ts';
import type { EvidenceRow } from '../../../src/domain/evidence/evidence-row.ts';
import { localEvidenceSigner, signRecord } from '../../../src/domain/evidence/evidence-signer.ts';
import { keyRingEntry, rotateKeyRing } from '../../../src/domain/evidence/key-ring.ts';
import { shardOf } from '../../../src/domain/evidence/shard.ts';
import { recordHash } from '../../../src/domain/evidence/signing-payload.ts';
import { sealAcknowledgement } from '../../../src/domain/seal.ts';
import { fields, SEAL_KEY } from '../builders.ts';
import type { Finding } from '../../../src/domain/evidence/finding.ts';
import {
  verifyEvidence,
  type EvidenceReport,
} from '../../../src/domain/evidence/verify-evidence.ts';
import {
  ackId,
  buildSchool,
  decisionId,
  rowOf,
  SHARD_A,
  users,
  VERSION_ID,
  without,
  type School,
  type SchoolInput,
} from './school-evidence.ts';

let pristine: School;
beforeAll(async () => {
  pristine = await buildSchool();
});

/** A fresh copy of the school's stored evidence to tamper with. */
function evidence(): SchoolInput {
  return structuredClone(pristine.input);
}

/** The findings without their prose, which tests check separately where it matters. */
function verdict(report: EvidenceReport): Omit<Finding, 'message'>[] {
  return report.findings.map(({ message: _message, ...rest }) => rest);
}

function item(rows: SchoolInput['acknowledgements'], id: string): string {
  return rowOf(rows, id).itemId ?? '';
}

function editRecord(row: { record: unknown }, patch: Record<string, unknown>): void {
  row.record = { ...(row.record as Record<string, unknown>), ...patch };
}

describe('verifyEvidence on untouched evidence', () => {
  it('holds: no findings, every row counted', () => {
    const report = verifyEvidence(evidence());
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.counts).toEqual({
      acknowledgements: { rows: 6, holding: 6 },
      approvalDecisions: { rows: 2, holding: 2 },
      versions: { rows: 1, holding: 1 },
      auditEvents: { rows: 9, holding: 9 },
      checkpoints: { rows: 2, holding: 2 },
      legacyAcknowledgements: 0,
    });
    expect(report.latestCheckpoint).toEqual({
      id: 'checkpoint:2',
      at: '2026-09-07T00:00:00.000Z',
      cutoff: '2026-09-06T23:50:00.000Z',
    });
  });
});

describe('verifyEvidence names each tampering', () => {
  it('an edited field of a signed record: field-edited', () => {
    const input = evidence();
    editRecord(rowOf(input.acknowledgements, ackId('dan')), { typedName: 'Daniel Someone' });
    const report = verifyEvidence(input);
    expect(report.ok).toBe(false);
    expect(verdict(report)).toEqual([
      {
        code: 'field-edited',
        severity: 'failure',
        subject: {
          list: 'acknowledgements',
          id: ackId('dan'),
          itemId: item(input.acknowledgements, ackId('dan')),
        },
      },
    ]);
    expect(report.findings[0]?.message).toBe(
      `Acknowledgement ${ackId('dan')}: it does not match its signature (key countersign-2026): a field was edited after signing.`,
    );
  });

  it('an edited column the reports read: field-edited, naming the column', () => {
    const input = evidence();
    const row = rowOf(input.acknowledgements, ackId('erin'));
    row.columns = { ...row.columns, userId: users.alice };
    expect(verdict(verifyEvidence(input))).toEqual([
      {
        code: 'field-edited',
        severity: 'failure',
        column: 'userId',
        subject: { list: 'acknowledgements', id: ackId('erin'), itemId: row.itemId },
      },
    ]);
  });

  it('a deleted row whose audit event remains: row-deleted, named by the event', () => {
    const input = evidence();
    input.acknowledgements = without(input.acknowledgements, ackId('erin'));
    const report = verifyEvidence(input);
    expect(verdict(report)).toEqual([
      {
        code: 'row-deleted',
        severity: 'failure',
        subject: { list: 'acknowledgements', id: ackId('erin') },
        namedBy: {
          list: 'auditEvents',
          id: pristine.eventIds['signed:erin'],
          itemId: rowOf(pristine.input.auditEvents, 'evt-signed-erin').itemId,
          shard: 6,
          seq: 1,
        },
      },
    ]);
  });

  it('a deleted row and its audit event: row-and-event-deleted, by count against the checkpoint', () => {
    const input = evidence();
    input.acknowledgements = without(input.acknowledgements, ackId('alice'));
    input.auditEvents = without(input.auditEvents, 'evt-signed-alice');
    const report = verifyEvidence(input);
    expect(verdict(report)).toEqual([
      {
        code: 'row-and-event-deleted',
        severity: 'failure',
        subject: { list: 'acknowledgements', shard: SHARD_A },
        checkpointId: 'checkpoint:2',
        rowList: 'acknowledgements',
        missing: 1,
        eventSeqs: [1],
      },
    ]);
    expect(report.findings[0]?.message).toBe(
      `1 acknowledgement of shard ${SHARD_A} signed by 2026-09-06T23:50:00.000Z is gone (checkpoint:2 counted 2, 1 remain) and no remaining record names it; audit events seq 1 of that shard are gone too.`,
    );
  });

  it('an inserted event on a genuine event’s seq: event-inserted', () => {
    const input = evidence();
    const genuine = rowOf(input.auditEvents, 'evt-signed-bob');
    input.auditEvents.push({
      itemId: '999',
      record: { ...(genuine.record as object), id: 'evt-made-up', subject: ackId('dan') },
      signature: genuine.signature,
    });
    expect(verdict(verifyEvidence(input))).toEqual([
      {
        code: 'event-inserted',
        severity: 'failure',
        subject: { list: 'auditEvents', id: 'evt-made-up', itemId: '999', shard: SHARD_A, seq: 2 },
      },
    ]);
  });

  it('an edited event, and a made-up one appended: event-forged', () => {
    const input = evidence();
    const decided = rowOf(input.auditEvents, 'evt-decided-carol');
    editRecord(decided, { details: { decisionId: decisionId('carol'), decision: 'approved' } });
    input.auditEvents.push({
      itemId: '998',
      record: { ...(decided.record as object), id: 'evt-appended', seq: 3 },
    });
    const report = verifyEvidence(input);
    expect(verdict(report)).toEqual([
      {
        code: 'event-missing',
        severity: 'warning',
        subject: {
          list: 'approvalDecisions',
          id: decisionId('carol'),
          itemId: rowOf(input.approvalDecisions, decisionId('carol')).itemId,
        },
      },
      {
        code: 'event-forged',
        severity: 'failure',
        subject: { list: 'auditEvents', id: 'evt-appended', itemId: '998', shard: 7, seq: 3 },
      },
      {
        code: 'event-forged',
        severity: 'failure',
        subject: {
          list: 'auditEvents',
          id: 'evt-decided-carol',
          itemId: decided.itemId,
          shard: 7,
          seq: 2,
        },
      },
    ]);
    expect(report.findings[1]?.message).toBe(
      'Audit event evt-appended carries no signature: Countersign did not write it.',
    );
  });

  it('events renumbered in their columns: event-reordered', () => {
    const input = evidence();
    const signed = rowOf(input.auditEvents, 'evt-signed-bob');
    const decided = rowOf(input.auditEvents, 'evt-decided-bob');
    signed.columns = { ...signed.columns, seq: 3 };
    decided.columns = { ...decided.columns, seq: 2 };
    const report = verifyEvidence(input);
    expect(verdict(report)).toEqual([
      {
        code: 'event-reordered',
        severity: 'failure',
        subject: {
          list: 'auditEvents',
          id: 'evt-decided-bob',
          itemId: decided.itemId,
          shard: SHARD_A,
          seq: 3,
        },
        signedSeq: 3,
        storedSeq: 2,
      },
      {
        code: 'event-reordered',
        severity: 'failure',
        subject: {
          list: 'auditEvents',
          id: 'evt-signed-bob',
          itemId: signed.itemId,
          shard: SHARD_A,
          seq: 2,
        },
        signedSeq: 2,
        storedSeq: 3,
      },
    ]);
  });

  it('a rejection flipped to approved in the column: approval-flipped', () => {
    const input = evidence();
    const carol = rowOf(input.acknowledgements, ackId('carol'));
    carol.columns = { ...carol.columns, approvalState: 'approved' };
    const report = verifyEvidence(input);
    expect(verdict(report)).toEqual([
      {
        code: 'approval-flipped',
        severity: 'failure',
        subject: { list: 'acknowledgements', id: ackId('carol'), itemId: carol.itemId },
        column: 'approved',
        signed: 'rejected',
      },
    ]);
    expect(report.findings[0]?.message).toBe(
      `Acknowledgement ${ackId('carol')} shows approval as approved, but the signed decision ${decisionId('carol')} by Helen Mirza (2026-09-04T10:00:00.000Z) is rejected: the approval state was changed outside Countersign.`,
    );
  });

  it('a pending approval flipped to approved with a forged decision and event: approval-flipped, and each forgery', () => {
    const input = evidence();
    const dan = rowOf(input.acknowledgements, ackId('dan'));
    dan.columns = { ...dan.columns, approvalState: 'approved' };
    const bobs = rowOf(input.approvalDecisions, decisionId('bob'));
    input.approvalDecisions.push({
      itemId: '997',
      record: {
        ...(bobs.record as object),
        id: decisionId('dan'),
        acknowledgementId: ackId('dan'),
        userId: users.dan,
      },
      signature: bobs.signature,
    });
    const bobsEvent = rowOf(input.auditEvents, 'evt-decided-bob');
    input.auditEvents.push({
      itemId: '996',
      record: {
        ...(bobsEvent.record as object),
        id: 'evt-decided-dan',
        subject: ackId('dan'),
        shard: 9,
        seq: 2,
        details: { decisionId: decisionId('dan'), decision: 'approved' },
      },
      signature: bobsEvent.signature,
    });
    expect(verdict(verifyEvidence(input))).toEqual([
      {
        code: 'approval-flipped',
        severity: 'failure',
        subject: { list: 'acknowledgements', id: ackId('dan'), itemId: dan.itemId },
        column: 'approved',
        signed: 'pending',
      },
      {
        code: 'field-edited',
        severity: 'failure',
        subject: { list: 'approvalDecisions', id: decisionId('dan'), itemId: '997' },
      },
      {
        code: 'event-forged',
        severity: 'failure',
        subject: { list: 'auditEvents', id: 'evt-decided-dan', itemId: '996', shard: 9, seq: 2 },
      },
    ]);
  });

  it('an approval marked not required in the column: approval-bypassed', () => {
    const input = evidence();
    const dan = rowOf(input.acknowledgements, ackId('dan'));
    dan.columns = { ...dan.columns, approvalState: 'not-required' };
    const report = verifyEvidence(input);
    expect(verdict(report)).toEqual([
      {
        code: 'approval-bypassed',
        severity: 'failure',
        subject: { list: 'acknowledgements', id: ackId('dan'), itemId: dan.itemId },
        column: 'not-required',
      },
    ]);
    expect(report.findings[0]?.message).toBe(
      `Acknowledgement ${ackId('dan')} shows approval as not required, but approval was required at signing and no signed decision exists: the approval was bypassed.`,
    );
  });

  it('a decision row deleted and the column set to not required: both named', () => {
    const input = evidence();
    input.approvalDecisions = without(input.approvalDecisions, decisionId('bob'));
    const bob = rowOf(input.acknowledgements, ackId('bob'));
    bob.columns = { ...bob.columns, approvalState: 'not-required' };
    expect(
      verdict(verifyEvidence(input)).map((f) => [f.code, f.subject.list, f.subject.id]),
    ).toEqual([
      ['approval-bypassed', 'acknowledgements', ackId('bob')],
      ['row-deleted', 'approvalDecisions', decisionId('bob')],
    ]);
  });

  it('an edited version text: version-text-edited', () => {
    const input = evidence();
    const v1 = input.versions[0]!;
    const document = v1.document as { sections: { clauses: { text: string }[] }[] };
    document.sections[0]!.clauses[0]!.text = 'Staff may use personal USB sticks.';
    const report = verifyEvidence(input);
    expect(verdict(report)).toMatchObject([
      {
        code: 'version-text-edited',
        severity: 'failure',
        subject: { list: 'versions', id: VERSION_ID, itemId: v1.itemId },
        signedHash: (v1.record as { contentHash: string }).contentHash,
        documentHash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      },
    ]);
    expect(report.findings).toHaveLength(1);
  });

  it('the chain cut back below the latest checkpoint’s head: chain-truncated', () => {
    const input = evidence();
    input.auditEvents = without(input.auditEvents, 'evt-decided-bob', 'evt-signed-frank');
    expect(verdict(verifyEvidence(input))).toEqual([
      {
        code: 'event-missing',
        severity: 'warning',
        subject: {
          list: 'acknowledgements',
          id: ackId('frank'),
          itemId: item(input.acknowledgements, ackId('frank')),
        },
      },
      {
        code: 'event-missing',
        severity: 'warning',
        subject: {
          list: 'approvalDecisions',
          id: decisionId('bob'),
          itemId: item(input.approvalDecisions, decisionId('bob')),
        },
      },
      {
        code: 'chain-truncated',
        severity: 'failure',
        subject: { list: 'auditEvents', shard: SHARD_A },
        checkpointId: 'checkpoint:2',
        expectedSeq: 3,
        foundSeq: 2,
      },
    ]);
  });

  it('a deleted checkpoint between two others: row-deleted, named by the next one', async () => {
    const input = evidence();
    const second = pristine.checkpoints[1]!;
    const third = await signRecord(pristine.signer, {
      ...second,
      id: 'checkpoint:3',
      number: 3,
      previous: recordHash(second),
      at: '2026-09-07T00:05:00.000Z',
    });
    input.checkpoints = [
      input.checkpoints[0]!,
      { itemId: 'blob:checkpoint:3', record: third.record, signature: third.signature },
    ];
    expect(verdict(verifyEvidence(input))).toEqual([
      {
        code: 'row-deleted',
        severity: 'failure',
        subject: { list: 'checkpoints', id: 'checkpoint:2' },
        namedBy: { list: 'checkpoints', id: 'checkpoint:3' },
      },
    ]);
  });

  it('a deleted event below a later one, its row intact: event-deleted, and the row lacks its event', () => {
    const input = evidence();
    input.auditEvents = without(input.auditEvents, 'evt-signed-bob');
    const report = verifyEvidence(input);
    expect(verdict(report)).toEqual([
      {
        code: 'event-missing',
        severity: 'warning',
        subject: {
          list: 'acknowledgements',
          id: ackId('bob'),
          itemId: item(input.acknowledgements, ackId('bob')),
        },
      },
      {
        code: 'event-deleted',
        severity: 'failure',
        subject: { list: 'auditEvents', shard: SHARD_A, seq: 2 },
        seqs: [2],
      },
    ]);
    expect(report.findings[1]?.message).toBe(
      `Audit event seq 2 of shard ${SHARD_A} is missing (evt-decided-bob follows it): deleted.`,
    );
  });

  it('a deleted row and its event at the end of their shard: row-and-event-deleted and chain-truncated', () => {
    const input = evidence();
    input.acknowledgements = without(input.acknowledgements, ackId('dan'));
    input.auditEvents = without(input.auditEvents, 'evt-signed-dan');
    expect(verdict(verifyEvidence(input))).toEqual([
      {
        code: 'row-and-event-deleted',
        severity: 'failure',
        subject: { list: 'acknowledgements', shard: 9 },
        checkpointId: 'checkpoint:2',
        rowList: 'acknowledgements',
        missing: 1,
        eventSeqs: [1],
      },
      {
        code: 'chain-truncated',
        severity: 'failure',
        subject: { list: 'auditEvents', shard: 9 },
        checkpointId: 'checkpoint:2',
        expectedSeq: 1,
        foundSeq: 0,
      },
    ]);
  });

  it('a deleted version: row-deleted once, though its event and every signature name it', () => {
    const input = evidence();
    input.versions = [];
    expect(verdict(verifyEvidence(input))).toEqual([
      {
        code: 'row-deleted',
        severity: 'failure',
        subject: { list: 'versions', id: VERSION_ID },
        namedBy: {
          list: 'auditEvents',
          id: 'evt-published-v1',
          itemId: rowOf(input.auditEvents, 'evt-published-v1').itemId,
          shard: 1,
          seq: 1,
        },
      },
    ]);
  });

  it('a row with no signature at all: record-forged', () => {
    const input = evidence();
    const erin = rowOf(input.acknowledgements, ackId('erin'));
    input.acknowledgements.push({
      itemId: '995',
      record: { ...(erin.record as object), id: 'staff-aup:v1:ghost', userId: 'ghost' },
    });
    expect(verdict(verifyEvidence(input))).toEqual([
      {
        code: 'record-forged',
        severity: 'failure',
        subject: { list: 'acknowledgements', id: 'staff-aup:v1:ghost', itemId: '995' },
      },
    ]);
  });

  it('a signed row from before the cutoff that the checkpoint did not count: checkpoint-mismatch', async () => {
    const input = evidence();
    const erin = rowOf(input.acknowledgements, ackId('erin'));
    const late = await signRecord(pristine.signer, {
      ...(erin.record as EvidenceRecord & { kind: 'acknowledgement' }),
      id: 'staff-aup:v1:late-0',
      userId: 'late-0',
      signedAt: '2026-09-05T13:00:00.000Z',
    });
    input.acknowledgements.push({ itemId: '992', record: late.record, signature: late.signature });
    const shard = shardOf('staff-aup:v1:late-0');
    expect(verdict(verifyEvidence(input))).toEqual([
      {
        code: 'checkpoint-mismatch',
        severity: 'failure',
        subject: { list: 'acknowledgements', shard },
        checkpointId: 'checkpoint:2',
      },
      {
        code: 'event-missing',
        severity: 'warning',
        subject: { list: 'acknowledgements', id: 'staff-aup:v1:late-0', itemId: '992' },
      },
    ]);
  });

  it('a set mismatch in a shard does not swallow that shard’s deleted event', async () => {
    const input = evidence();
    input.auditEvents = without(input.auditEvents, 'evt-signed-bob');
    let n = 0;
    while (shardOf(`staff-aup:v1:late-${n}`) !== SHARD_A) n += 1;
    const late = await signRecord(pristine.signer, {
      ...(rowOf(input.acknowledgements, ackId('erin')).record as EvidenceRecord & {
        kind: 'acknowledgement';
      }),
      id: `staff-aup:v1:late-${n}`,
      userId: `late-${n}`,
      signedAt: '2026-09-05T13:00:00.000Z',
    });
    input.acknowledgements.push({ itemId: '991', record: late.record, signature: late.signature });
    expect(
      verdict(verifyEvidence(input)).map((f) => [f.code, f.subject.id ?? f.subject.shard]),
    ).toEqual([
      ['checkpoint-mismatch', SHARD_A],
      ['event-missing', ackId('bob')],
      ['event-missing', `staff-aup:v1:late-${n}`],
      ['event-deleted', SHARD_A],
    ]);
  });

  it('an identical copy of a row is only a warning', () => {
    const input = evidence();
    input.acknowledgements.push(structuredClone(rowOf(input.acknowledgements, ackId('alice'))));
    const report = verifyEvidence(input);
    expect(report.ok).toBe(true);
    expect(verdict(report)).toEqual([
      {
        code: 'record-duplicated',
        severity: 'warning',
        subject: { list: 'acknowledgements', id: ackId('alice') },
      },
    ]);
  });
});

describe('verifyEvidence across a key rotation', () => {
  const next = generateEvidenceKeyPair('ES256');
  const rotatedAt = '2026-09-07T12:00:00.000Z';

  it('records signed before and after the rotation hold; the retired key signing later fails', async () => {
    const input = evidence();
    input.keyRing = rotateKeyRing(
      input.keyRing,
      keyRingEntry('countersign-2026b', next.publicKey, { validFrom: rotatedAt }),
    );
    // Frank signed after the rotation, yet with the old key: both his records fail.
    const stale = verifyEvidence(input);
    expect(verdict(stale)).toEqual([
      {
        code: 'key-not-valid-at-signing',
        severity: 'failure',
        subject: {
          list: 'acknowledgements',
          id: ackId('frank'),
          itemId: item(input.acknowledgements, ackId('frank')),
        },
        kid: 'countersign-2026',
        signingTime: '2026-09-08T09:00:00.000Z',
      },
      {
        code: 'key-not-valid-at-signing',
        severity: 'failure',
        subject: {
          list: 'auditEvents',
          id: 'evt-signed-frank',
          itemId: rowOf(input.auditEvents, 'evt-signed-frank').itemId,
          shard: SHARD_A,
          seq: 4,
        },
        kid: 'countersign-2026',
        signingTime: '2026-09-08T09:00:00.000Z',
      },
    ]);
    // Signed with the new key, as the service would after the rotation: all hold.
    const signer = localEvidenceSigner('countersign-2026b', next.privateKey);
    for (const [rows, id] of [
      [input.acknowledgements, ackId('frank')],
      [input.auditEvents, 'evt-signed-frank'],
    ] as const) {
      const row = rowOf(rows, id);
      row.signature = (await signRecord(signer, row.record as EvidenceRecord)).signature;
    }
    const report = verifyEvidence(input);
    expect(report.findings).toEqual([]);
    expect(report.counts.acknowledgements).toEqual({ rows: 6, holding: 6 });
  });

  it('a record signed with an unpublished key: unknown-key', async () => {
    const input = evidence();
    const stranger = localEvidenceSigner('admin-laptop', generateEvidenceKeyPair().privateKey);
    const erin = rowOf(input.acknowledgements, ackId('erin'));
    erin.record = { ...(erin.record as object), statedRole: 'Deputy head' };
    erin.signature = (await signRecord(stranger, erin.record as EvidenceRecord)).signature;
    erin.columns = { ...erin.columns, hash: undefined };
    const report = verifyEvidence(input);
    expect(verdict(report)).toEqual([
      {
        code: 'unknown-key',
        severity: 'failure',
        subject: { list: 'acknowledgements', id: ackId('erin'), itemId: erin.itemId },
        kid: 'admin-laptop',
      },
    ]);
    expect(report.findings[0]?.message).toBe(
      `Acknowledgement ${ackId('erin')} is signed with key admin-laptop, which is not among the published keys.`,
    );
  });
});

describe('verifyEvidence keeps kinds apart', () => {
  it('an acknowledgement presented as an approval decision does not verify', () => {
    const input = evidence();
    const dan = rowOf(input.acknowledgements, ackId('dan'));
    const bobs = rowOf(input.approvalDecisions, decisionId('bob'));
    // Dan's genuine signature on a decision record, and dan's whole row in the decisions list.
    input.approvalDecisions.push(
      {
        itemId: '994',
        record: {
          ...(bobs.record as object),
          id: decisionId('dan'),
          acknowledgementId: ackId('dan'),
          userId: users.dan,
        },
        signature: dan.signature,
      },
      { ...structuredClone(dan), itemId: '993' },
    );
    expect(verdict(verifyEvidence(input)).map((f) => [f.code, f.subject])).toEqual([
      ['field-edited', { list: 'approvalDecisions', id: ackId('dan'), itemId: '993' }],
      ['field-edited', { list: 'approvalDecisions', id: decisionId('dan'), itemId: '994' }],
    ]);
  });
});

describe('verifyEvidence with legacy HMAC seals', () => {
  /** A row as written before signatures: the sealed fields, the id, the state, the seal. */
  function legacyRow(overrides: Partial<AcknowledgementFields> = {}): EvidenceRow {
    const sealed = fields({
      userId: 'legacy-1',
      signedAt: '2026-07-01T09:00:00.000Z',
      ...overrides,
    });
    const ack: Acknowledgement = {
      ...sealed,
      id: `staff-aup:v1:legacy-1`,
      approvalState: 'not-required',
      seal: sealAcknowledgement(
        fields({ userId: 'legacy-1', signedAt: '2026-07-01T09:00:00.000Z' }),
        SEAL_KEY,
      ),
    };
    return { itemId: '900', record: ack };
  }

  /** Legacy rows predate the checkpoints; here only the seal is in question. */
  function withLegacy(row: EvidenceRow): SchoolInput {
    const input = evidence();
    input.checkpoints = [];
    input.acknowledgements.push(row);
    return input;
  }

  it('with the HMAC key, a holding legacy seal is a warning that says so', () => {
    const report = verifyEvidence({ ...withLegacy(legacyRow()), legacyHmacKey: SEAL_KEY });
    expect(report.ok).toBe(true);
    expect(verdict(report)).toEqual([
      {
        code: 'legacy-seal',
        severity: 'warning',
        subject: { list: 'acknowledgements', id: 'staff-aup:v1:legacy-1', itemId: '900' },
        verified: true,
      },
    ]);
    expect(report.counts.legacyAcknowledgements).toBe(1);
    expect(report.counts.acknowledgements).toEqual({ rows: 7, holding: 7 });
  });

  it('without the key it is unverifiable, and never silently passed', () => {
    const report = verifyEvidence(withLegacy(legacyRow()));
    expect(report.ok).toBe(false);
    expect(verdict(report)).toEqual([
      {
        code: 'legacy-seal',
        severity: 'failure',
        subject: { list: 'acknowledgements', id: 'staff-aup:v1:legacy-1', itemId: '900' },
        verified: false,
      },
    ]);
  });

  it('an edited legacy row fails its seal: field-edited', () => {
    const report = verifyEvidence({
      ...withLegacy(legacyRow({ typedName: 'Someone Else' })),
      legacyHmacKey: SEAL_KEY,
    });
    expect(verdict(report)).toEqual([
      {
        code: 'field-edited',
        severity: 'failure',
        subject: { list: 'acknowledgements', id: 'staff-aup:v1:legacy-1', itemId: '900' },
      },
    ]);
  });
});
