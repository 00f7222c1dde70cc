import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryRecordStore } from '../../../src/adapters/memory/memory-record-store.ts';
import { verifyRecords } from '../../../src/cli/commands/verify.ts';
import type { Acknowledgement } from '../../../src/domain/acknowledgement.ts';
import type { Approval } from '../../../src/domain/approval.ts';
import { contentHash } from '../../../src/domain/content-hash.ts';
import type { PolicyVersion } from '../../../src/domain/policy.ts';
import {
  CONTRACT_SEAL_KEY,
  audit,
  document,
  freshKey,
  pendingApproval,
  policy,
  policyVersion,
  signature,
} from '../../contract/record-fixtures.ts';

/** A store holding one policy with one published version. */
async function storeWithVersion(
  store: MemoryRecordStore,
  overrides: Partial<PolicyVersion> = {},
): Promise<PolicyVersion> {
  const key = freshKey('verify');
  await store.putPolicy(policy(key, { approvalMode: 'every-signature' }));
  const version = policyVersion(key, 1, { status: 'published', ...overrides });
  await store.createVersion(version, audit('version.published', `${key}:v1`));
  return version;
}

async function sign(
  store: MemoryRecordStore,
  version: PolicyVersion,
  state: Acknowledgement['approvalState'] = 'not-required',
): Promise<Acknowledgement> {
  const ack = { ...signature(version, randomUUID()), approvalState: state };
  await store.recordSignature(ack, audit('acknowledgement.signed', ack.id));
  if (state === 'pending') await store.createApproval(pendingApproval(ack));
  return ack;
}

/** What services/approvals.ts does: the Approvals row, the ack's state and the audit event. */
async function decide(
  store: MemoryRecordStore,
  ack: Acknowledgement,
  decision: 'approved' | 'rejected',
  at = new Date().toISOString(),
): Promise<void> {
  const current = (await store.listApprovals({})).find((a) => a.value.acknowledgementId === ack.id);
  if (!current) throw new Error('no approval row');
  const decided: Approval = { ...current.value, decision, approverId: 'head-1', decidedAt: at };
  await store.decideApproval(current, decided, {
    ...audit('approval.decided', ack.id, at, 'head-1'),
    details: { decision, additionalPermissions: [] },
  });
}

describe('verifyRecords', () => {
  it('names edited rows, rows whose key was changed, and deleted rows, and passes the rest', async () => {
    const store = new MemoryRecordStore();
    const version = await storeWithVersion(store);
    const [kept, edited, rekeyed, deleted] = Array.from({ length: 4 }, () =>
      signature(version, randomUUID()),
    );
    if (!kept || !edited || !rekeyed || !deleted) throw new Error('fixtures');
    for (const ack of [kept, edited, rekeyed, deleted]) {
      await store.recordSignature(ack, audit('acknowledgement.signed', ack.id));
    }
    expect(await verifyRecords(store, CONTRACT_SEAL_KEY)).toMatchObject({
      checked: 4,
      ok: true,
      warnings: [],
    });

    store.tamperAcknowledgement(edited.id, { statedRole: 'Headteacher' });
    store.tamperAcknowledgement(rekeyed.id, { id: `${rekeyed.id}x` });
    store.deleteAcknowledgement(deleted.id);
    const report = await verifyRecords(store, CONTRACT_SEAL_KEY);
    expect(report.ok).toBe(false);
    expect(report.checked).toBe(3);
    expect(report.sealFailures.map((f) => f.id).sort()).toEqual(
      [edited.id, `${rekeyed.id}x`].sort(),
    );
    // The re-keyed row no longer answers to its signature's key either: it shows as missing too.
    expect(report.missing.map((m) => m.id).sort()).toEqual([rekeyed.id, deleted.id].sort());
    // ... and, seen from the rows, it is a row with no signed event.
    expect(report.warnings).toEqual([
      {
        id: `${rekeyed.id}x`,
        reason: expect.stringMatching(/no acknowledgement.signed/) as string,
      },
    ]);

    // With another key nothing holds: a forger without the key cannot make a valid row.
    const other = await verifyRecords(store, 'another-key-0123456789abcdef0123456789abcdef');
    expect(other.sealFailures.length).toBeGreaterThanOrEqual(3);
  });

  it('checks every approval state against the decision events and the Approvals list', async () => {
    const store = new MemoryRecordStore();
    const version = await storeWithVersion(store);
    const rejected = await sign(store, version, 'pending');
    const approved = await sign(store, version, 'pending');
    const pending = await sign(store, version, 'pending');
    const quietlyDecided = await sign(store, version, 'pending');
    const plain = await sign(store, version);
    const redecided = await sign(store, version, 'pending');
    await decide(store, rejected, 'rejected', '2026-03-01T10:00:00.000Z');
    await decide(store, approved, 'approved');
    await decide(store, redecided, 'rejected', '2026-03-01T10:00:00.000Z');
    // An older approval event for it does not count: the last decision by time wins.
    await store.appendAudit([
      {
        ...audit('approval.decided', redecided.id, '2026-02-01T10:00:00.000Z'),
        details: { decision: 'approved' },
      },
    ]);
    const clean = await verifyRecords(store, CONTRACT_SEAL_KEY);
    expect(clean.approvalFailures).toEqual([]);
    expect(clean.ok).toBe(true);

    // Flips of the unsealed ApprovalState column: rejected→approved, pending→approved, and a
    // decided signature made to look as if it never needed approval.
    store.tamperAcknowledgement(rejected.id, { approvalState: 'approved' });
    store.tamperAcknowledgement(pending.id, { approvalState: 'approved' });
    store.tamperAcknowledgement(approved.id, { approvalState: 'not-required' });
    store.tamperAcknowledgement(plain.id, { approvalState: 'rejected' });
    // Both the Approvals row and the ack's state flipped, with no decision event.
    const current = (await store.listApprovals({})).find(
      (a) => a.value.acknowledgementId === quietlyDecided.id,
    );
    if (!current) throw new Error('fixtures');
    await store.decideApproval(
      current,
      { ...current.value, decision: 'approved' },
      audit('policy.saved', 'unrelated'),
    );
    // A later event contradicting the state it left.
    await store.appendAudit([
      {
        ...audit('approval.decided', redecided.id, '2026-04-01T10:00:00.000Z'),
        details: { decision: 'approved' },
      },
    ]);

    const report = await verifyRecords(store, CONTRACT_SEAL_KEY);
    expect(report.ok).toBe(false);
    // The seal does not cover the approval state: only the approval check sees these.
    expect(report.sealFailures).toEqual([]);
    const reasons = (id: string) =>
      report.approvalFailures.filter((f) => f.id === id).map((f) => f.reason);
    expect(reasons(rejected.id)).toEqual([
      expect.stringMatching(/approved but the last decision in the audit log .* is rejected/),
      'approved but the Approvals row says rejected',
    ]);
    expect(reasons(pending.id)).toEqual([
      'approved but the audit log records no decision',
      'approved but the Approvals row says pending',
    ]);
    expect(reasons(approved.id)).toEqual([
      expect.stringMatching(/not-required but the audit log records a decision \(approved/),
      'not-required but the Approvals list holds a row for it (approved)',
    ]);
    expect(reasons(plain.id)).toEqual([
      'rejected but the audit log records no decision',
      'rejected but there is no Approvals row',
    ]);
    expect(reasons(quietlyDecided.id)).toEqual(['approved but the audit log records no decision']);
    expect(reasons(redecided.id)).toEqual([
      expect.stringMatching(/rejected but the last decision in the audit log .* is approved/),
    ]);
    expect(new Set(report.approvalFailures.map((f) => f.id)).size).toBe(6);
  });

  it('warns (without failing) about a pending signature with no Approvals row', async () => {
    const store = new MemoryRecordStore();
    const version = await storeWithVersion(store);
    const ack = { ...signature(version, randomUUID()), approvalState: 'pending' as const };
    await store.recordSignature(ack, audit('acknowledgement.signed', ack.id));
    const report = await verifyRecords(store, CONTRACT_SEAL_KEY);
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([
      { id: ack.id, reason: 'pending approval with no Approvals row' },
    ]);
  });

  it('reports a version whose text was edited, and the signatures it undermines', async () => {
    const store = new MemoryRecordStore();
    const honest = await storeWithVersion(store);
    // What an edit of the Document column leaves: new wording, the old hash.
    const original = document('AUP', 'I will keep my password private.');
    const edited = await storeWithVersion(store, {
      document: document('AUP', 'I will share my password with anyone who asks.'),
      contentHash: contentHash(original),
    });
    const ok = await sign(store, honest);
    const undermined = await sign(store, edited);
    // A signature whose version row is gone.
    const orphanVersion = policyVersion(freshKey('gone'), 2, { status: 'published' });
    const orphan = await sign(store, orphanVersion);

    const report = await verifyRecords(store, CONTRACT_SEAL_KEY);
    expect(report.ok).toBe(false);
    expect(report.sealFailures).toEqual([]);
    expect(report.versionFailures).toEqual([
      {
        policyKey: edited.policyKey,
        versionNumber: 1,
        reason: expect.stringMatching(
          /published document hashes to [0-9a-f]{64}, not its content hash/,
        ) as string,
      },
    ]);
    expect(report.contentFailures.map((c) => c.id).sort()).toEqual(
      [undermined.id, orphan.id].sort(),
    );
    expect(report.contentFailures.find((c) => c.id === orphan.id)?.reason).toMatch(
      /version 2 of .* is missing/,
    );
    expect(report.contentFailures.map((c) => c.id)).not.toContain(ok.id);
  });

  it('warns about a row with no signed audit event, and still passes', async () => {
    const store = new MemoryRecordStore();
    const version = await storeWithVersion(store);
    const ack = signature(version, randomUUID());
    // The sign flow's second write (the audit event) failed: another event stands in for it.
    await store.recordSignature(ack, audit('policy.saved', version.policyKey));
    const report = await verifyRecords(store, CONTRACT_SEAL_KEY);
    expect(report).toMatchObject({ ok: true, missing: [], sealFailures: [] });
    expect(report.warnings).toEqual([
      { id: ack.id, reason: 'no acknowledgement.signed audit event for this row' },
    ]);
  });
});
