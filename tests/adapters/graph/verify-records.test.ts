import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryRecordStore } from '../../../src/adapters/memory/memory-record-store.ts';
import { verifyRecords } from '../../../src/cli/commands/verify.ts';
import {
  CONTRACT_SEAL_KEY,
  audit,
  policyVersion,
  signature,
} from '../../contract/record-fixtures.ts';

describe('verifyRecords', () => {
  it('names edited rows, rows whose key was changed, and deleted rows, and passes the rest', async () => {
    const store = new MemoryRecordStore();
    const version = policyVersion('verify-mem', 1, { status: 'published' });
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

    // With another key nothing holds: a forger without the key cannot make a valid row.
    const other = await verifyRecords(store, 'another-key-0123456789abcdef0123456789abcdef');
    expect(other.sealFailures.length).toBeGreaterThanOrEqual(3);
  });
});
