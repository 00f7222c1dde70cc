import { acknowledgementId } from '../../../src/domain/acknowledgement.ts';
import { canonicalJson } from '../../../src/domain/canonical-json.ts';
import { contentHash } from '../../../src/domain/content-hash.ts';
import {
  chainNext,
  genesisHead,
  type UnchainedAuditEvent,
} from '../../../src/domain/evidence/audit-chain.ts';
import {
  buildCheckpoint,
  countedRow,
  type CountedRow,
} from '../../../src/domain/evidence/checkpoint.ts';
import { generateEvidenceKeyPair } from '../../../src/domain/evidence/evidence-keys.ts';
import type {
  AcknowledgementRecord,
  ApprovalDecisionRecord,
  CheckpointRecord,
  EvidenceRecord,
  PublishedVersionRecord,
  ShardHead,
} from '../../../src/domain/evidence/evidence-record.ts';
import type { EvidenceRow, VersionRow } from '../../../src/domain/evidence/evidence-row.ts';
import {
  localEvidenceSigner,
  signRecord,
  type EvidenceSigner,
  type SignedRecord,
} from '../../../src/domain/evidence/evidence-signer.ts';
import { keyRingEntry, type KeyRing } from '../../../src/domain/evidence/key-ring.ts';
import { shardOf } from '../../../src/domain/evidence/shard.ts';
import type { EvidenceInput } from '../../../src/domain/evidence/verify-evidence.ts';
import { aupV1 } from '../aup-versions.ts';

/**
 * A small school's evidence as the service would have written it, for the tamper tests:
 *
 *   v1 published (09-01)
 *   alice signs (no approval needed) ─┐
 *   bob signs (approval pending)      ├─ shard A, seqs 1, 2, 3 (bob's decision)
 *   carol signs (pending), dan signs (pending, never decided)
 *   the head approves bob and rejects carol (09-04)
 *   checkpoint 1 (09-05)
 *   erin signs (no approval needed) (09-05 noon)
 *   checkpoint 2 (09-07): the latest
 *   frank signs (shard A, seq 4: the tail after the latest checkpoint)
 */
export const KID = 'countersign-2026';
export const POLICY = 'staff-aup';
export const VERSION_ID = 'staff-aup:v1';
export const HEAD_ID = 'head-0001';

/** Where each name's acknowledgement must land, so the chains are known in advance. */
export const SHARD_A = [...Array(16).keys()].find((s) => s !== shardOf(VERSION_ID))!;

function userIn(name: string, wanted: (shard: number) => boolean): string {
  for (let n = 0; ; n += 1) {
    const userId = `${name}-${n}`;
    if (wanted(shardOf(acknowledgementId(POLICY, 1, userId)))) return userId;
  }
}

export const users = {
  alice: userIn('alice', (s) => s === SHARD_A),
  bob: userIn('bob', (s) => s === SHARD_A),
  carol: userIn('carol', (s) => s !== SHARD_A),
  dan: userIn('dan', (s) => s !== SHARD_A),
  erin: userIn('erin', (s) => s !== SHARD_A),
  frank: userIn('frank', (s) => s === SHARD_A),
};
export type Person = keyof typeof users;

export const ackId = (person: Person) => acknowledgementId(POLICY, 1, users[person]);
export const decisionId = (person: Person) => `${ackId(person)}:d1`;

/** EvidenceInput with lists a test may change. */
export interface SchoolInput extends EvidenceInput {
  acknowledgements: EvidenceRow[];
  approvalDecisions: EvidenceRow[];
  versions: VersionRow[];
  auditEvents: EvidenceRow[];
  checkpoints: EvidenceRow[];
}

export interface School {
  input: SchoolInput;
  signer: EvidenceSigner;
  keyRing: KeyRing;
  checkpoints: CheckpointRecord[];
  /** Event ids by what they announce: "signed:alice", "decided:bob", "published:v1". */
  eventIds: Record<string, string>;
}

function stored(record: EvidenceRecord): unknown {
  // What the store hands back: the canonical JSON it kept, parsed.
  return JSON.parse(canonicalJson(record)) as unknown;
}

export async function buildSchool(): Promise<School> {
  const keys = generateEvidenceKeyPair();
  const signer = localEvidenceSigner(KID, keys.privateKey);
  const keyRing: KeyRing = {
    keys: [keyRingEntry(KID, keys.publicKey, { validFrom: '2026-08-01T00:00:00.000Z' })],
  };
  const input: SchoolInput = {
    acknowledgements: [],
    approvalDecisions: [],
    versions: [],
    auditEvents: [],
    checkpoints: [],
    keyRing,
  };
  const heads = new Map<number, ShardHead>();
  const counted: Record<'acknowledgements' | 'approvalDecisions' | 'versions', CountedRow[]> = {
    acknowledgements: [],
    approvalDecisions: [],
    versions: [],
  };
  const checkpoints: CheckpointRecord[] = [];
  const eventIds: Record<string, string> = {};
  let item = 0;
  const itemId = () => String((item += 1));

  const append = async (label: string, event: UnchainedAuditEvent) => {
    const shard = shardOf(event.subject);
    const { record, head } = chainNext(heads.get(shard) ?? genesisHead(shard), event);
    heads.set(shard, head);
    const signed = await signRecord(signer, record);
    input.auditEvents.push({
      itemId: itemId(),
      record: stored(signed.record),
      signature: signed.signature,
      columns: { shard: record.shard, seq: record.seq, hash: signed.hash, subject: record.subject },
    });
    eventIds[label] = record.id;
  };
  const row = (signed: SignedRecord, columns: Record<string, unknown>): EvidenceRow => ({
    itemId: itemId(),
    record: stored(signed.record),
    signature: signed.signature,
    columns: { ...columns, hash: signed.hash },
  });

  const publish = async () => {
    const version: PublishedVersionRecord = {
      kind: 'published-version',
      id: VERSION_ID,
      policyKey: POLICY,
      number: 1,
      label: '2026-27',
      contentHash: contentHash(aupV1),
      changeKind: 'material',
      publishedAt: '2026-09-01T07:00:00.000Z',
      publishedBy: 'dsl-0001',
    };
    const signed = await signRecord(signer, version);
    const versionRow: VersionRow = {
      ...row(signed, { policyKey: POLICY, number: 1, contentHash: version.contentHash }),
      document: structuredClone(aupV1),
    };
    input.versions.push(versionRow);
    counted.versions.push(countedRow(signed.record));
    await append('published:v1', {
      id: 'evt-published-v1',
      type: 'version.published',
      actorId: 'dsl-0001',
      at: version.publishedAt,
      subject: VERSION_ID,
      details: {},
    });
  };

  const approvalState: Partial<Record<Person, string>> = {};
  const sign = async (person: Person, signedAt: string, approval: 'not-required' | 'pending') => {
    const ack: AcknowledgementRecord = {
      kind: 'acknowledgement',
      id: ackId(person),
      policyKey: POLICY,
      versionNumber: 1,
      contentHash: contentHash(aupV1),
      userId: users[person],
      upn: `${person}@hollybank.sch.uk`,
      displayName: person[0]!.toUpperCase() + person.slice(1),
      typedName: person[0]!.toUpperCase() + person.slice(1),
      statedRole: 'Teaching assistant',
      signedAt,
      channel: 'tab',
      consents: { photo: true },
      approvalAtSigning: approval,
    };
    const signed = await signRecord(signer, ack);
    approvalState[person] = approval;
    input.acknowledgements.push(
      row(signed, {
        userId: ack.userId,
        policyKey: POLICY,
        versionNumber: 1,
        approvalState: approval,
      }),
    );
    counted.acknowledgements.push(countedRow(signed.record));
    await append(`signed:${person}`, {
      id: `evt-signed-${person}`,
      type: 'acknowledgement.signed',
      actorId: ack.userId,
      at: signedAt,
      subject: ack.id,
      details: {},
    });
  };

  const decide = async (person: Person, decision: 'approved' | 'rejected', decidedAt: string) => {
    const record: ApprovalDecisionRecord = {
      kind: 'approval-decision',
      id: decisionId(person),
      acknowledgementId: ackId(person),
      userId: users[person],
      approverId: HEAD_ID,
      approverName: 'Helen Mirza',
      decision,
      additionalPermissions: decision === 'approved' ? ['Use of personal laptop'] : [],
      ...(decision === 'rejected' ? { reason: 'Safeguarding training not yet complete' } : {}),
      decidedAt,
    };
    const signed = await signRecord(signer, record);
    input.approvalDecisions.push(
      row(signed, { acknowledgementId: record.acknowledgementId, decision }),
    );
    counted.approvalDecisions.push(countedRow(signed.record));
    // The unsigned column the people report reads follows the decision.
    const ack = input.acknowledgements.find(
      (r) => (r.record as { id: string }).id === ackId(person),
    );
    if (ack?.columns !== undefined) ack.columns = { ...ack.columns, approvalState: decision };
    await append(`decided:${person}`, {
      id: `evt-decided-${person}`,
      type: 'approval.decided',
      actorId: HEAD_ID,
      at: decidedAt,
      subject: ackId(person),
      details: { decisionId: record.id, decision },
    });
  };

  const checkpoint = async (at: string) => {
    const record = buildCheckpoint({
      previous: checkpoints.at(-1) ?? null,
      at,
      heads: [...heads.values()],
      rows: counted,
    });
    checkpoints.push(record);
    const signed = await signRecord(signer, record);
    input.checkpoints.push({
      itemId: `blob:${record.id}`,
      record: stored(signed.record),
      signature: signed.signature,
    });
  };

  await publish();
  await sign('alice', '2026-09-02T09:00:00.000Z', 'not-required');
  await sign('bob', '2026-09-03T10:00:00.000Z', 'pending');
  await sign('carol', '2026-09-03T11:00:00.000Z', 'pending');
  await decide('bob', 'approved', '2026-09-04T09:30:00.000Z');
  await decide('carol', 'rejected', '2026-09-04T10:00:00.000Z');
  await sign('dan', '2026-09-04T12:00:00.000Z', 'pending');
  await checkpoint('2026-09-05T00:00:00.000Z');
  await sign('erin', '2026-09-05T12:00:00.000Z', 'not-required');
  await checkpoint('2026-09-07T00:00:00.000Z');
  await sign('frank', '2026-09-08T09:00:00.000Z', 'not-required');
  return { input, signer, keyRing, checkpoints, eventIds };
}

/** The row of a list whose record has this id. */
export function rowOf(rows: readonly EvidenceRow[], id: string): EvidenceRow {
  const found = rows.find((r) => (r.record as { id?: unknown }).id === id);
  if (found === undefined) throw new Error(`no row ${id}`);
  return found;
}

export function without<T extends EvidenceRow>(rows: readonly T[], ...ids: string[]): T[] {
  return rows.filter((r) => !ids.includes((r.record as { id: string }).id));
}
