import { describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { MemoryRecordStore } from '../../src/adapters/memory/memory-record-store.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { School } from '../../src/domain/school.ts';
import type { Actor } from '../../src/services/actor.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { COPIES_READ_AT_ONCE } from '../../src/services/trust-policies.ts';

/**
 * Withdrawing a master reads every school's copy before it writes anything; a trust of 30
 * schools must not send all 30 copies' reads at once (issue 14: SharePoint throttles a burst).
 */
const SCHOOLS: School[] = Array.from({ length: 30 }, (_, i) => ({
  id: `school-${i + 1}`,
  name: `School ${i + 1}`,
  timeZone: 'Europe/London',
  audiences: [{ key: 'staff', label: 'Staff', groupIds: [`g-${i + 1}`] }],
  approverIds: [],
  adminIds: [],
}));

const lead: Actor = {
  id: 'u-lead',
  displayName: 'Lena Trust',
  upn: 'lena@trust.example',
  roles: [],
};

const document = (line: string): PolicyDocument => ({
  title: 'Trust AUP',
  sections: [{ heading: 'Use', clauses: [{ number: '1', text: line, items: [] }] }],
  declaration: 'I agree.',
  consents: [],
  approval: null,
});

/** Counts the copies whose versions are being read at one moment (each read takes a turn). */
class CountingCopyReads extends MemoryRecordStore {
  counting = false;
  inFlight = 0;
  peak = 0;
  readonly reads = new Set<string>();

  override async listVersions(policyKey: string) {
    if (!this.counting || !policyKey.includes('--')) return super.listVersions(policyKey);
    this.reads.add(policyKey);
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      // A read that takes time, as a Graph request does: the others start meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
      return await super.listVersions(policyKey);
    } finally {
      this.inFlight -= 1;
    }
  }
}

describe('withdrawing a master across 30 schools', () => {
  it(`reads at most ${COPIES_READ_AT_ONCE} schools' copies at once, and withdraws every one`, async () => {
    const records = new CountingCopyReads();
    let sequence = 0;
    const service = createCountersignService({
      records,
      directory: new MemoryDirectory({
        people: [
          { id: 'u-lead', displayName: 'Lena Trust', userPrincipalName: 'lena@trust.example' },
        ],
        groups: SCHOOLS.map((_, i) => ({ id: `g-${i + 1}`, members: [] })),
      }),
      clock: { now: () => new Date('2026-09-01T08:00:00.000Z') },
      sealKey: 'withdraw-reads-seal-key-0123456789abcdef0123',
      evidence: memoryEvidenceKeys(),
      school: SCHOOLS[0] as School,
      newId: () => `id-${++sequence}`,
      trust: {
        id: '@trust',
        read: () => Promise.resolve({ name: 'Trust', leadIds: ['u-lead'], schools: SCHOOLS }),
      },
      readCache: false,
    });
    await service.trust.create(lead, {
      key: 'trust-aup',
      title: 'Trust AUP',
      audiences: ['staff'],
      approvalMode: 'none',
    });
    for (const line of ['I use school devices with care.', 'I use devices with care (wrong).']) {
      const draft = await service.trust.saveMasterDraft(lead, {
        policyKey: 'trust-aup',
        label: line,
        changeKind: 'material',
        document: document(line),
      });
      await service.trust.publishMaster(lead, 'trust-aup', draft.number);
    }

    records.counting = true;
    const result = await service.trust.withdrawMaster(lead, 'trust-aup', 2, 'Wrong draft.');

    expect(records.reads.size).toBe(30);
    expect(records.peak).toBe(COPIES_READ_AT_ONCE);
    expect(result.schools).toHaveLength(30);
    expect(result.schools.every((s) => s.withdrawn.join() === '2' && s.restored === 1)).toBe(true);
  });
});
