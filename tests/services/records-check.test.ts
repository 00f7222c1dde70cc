import { afterEach, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { MemoryRecordStore } from '../../src/adapters/memory/memory-record-store.ts';
import { openSqliteWorkStore } from '../../src/adapters/sqlite/sqlite-work-store.ts';
import type { CheckpointRecord } from '../../src/domain/evidence/evidence-record.ts';
import type { EvidenceSignature } from '../../src/domain/evidence/evidence-signature.ts';
import { recordHash } from '../../src/domain/evidence/signing-payload.ts';
import { recordsCheckDue } from '../../src/domain/evidence/records-check.ts';
import type { WorkStore } from '../../src/ports/work-store.ts';
import { digestJobDataSchema } from '../../src/services/campaigns/job-data.ts';
import { runScheduledWork } from '../../src/services/campaigns/scheduled-work.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { admin, doc, policy, school, teacher } from '../campaigns/world.ts';

let work: WorkStore | undefined;
afterEach(async () => {
  await work?.close();
  work = undefined;
});

/** The service over memory stores, the staff AUP published and Ana's signature stored. */
async function setup() {
  let now = new Date('2026-03-04T10:00:00.000Z');
  const records = new MemoryRecordStore();
  const directory = new MemoryDirectory({
    people: [
      { id: teacher.id, displayName: teacher.displayName, userPrincipalName: teacher.upn },
      { id: admin.id, displayName: admin.displayName, userPrincipalName: admin.upn },
    ],
    groups: [
      { id: 'g-staff', members: [teacher.id, admin.id] },
      { id: 'g-governors', members: [] },
    ],
  });
  let n = 0;
  const keys = memoryEvidenceKeys();
  const service = createCountersignService({
    records,
    directory,
    clock: { now: () => now },
    sealKey: 'records-check-seal-key-0123456789abcdef0123',
    evidence: keys,
    school,
    newId: () => `evt-${++n}`,
    readCache: false,
  });
  await records.putPolicy(policy);
  const draft = await service.saveDraft(admin, {
    policyKey: policy.key,
    label: 'Spring 2026',
    changeKind: 'material',
    document: doc(),
  });
  const version = await service.publish(admin, policy.key, draft.number);
  const signed = await service.sign(teacher, {
    policyKey: policy.key,
    versionNumber: version.number,
    contentHash: version.contentHash,
    declarationAccepted: true,
    typedName: teacher.displayName,
    statedRole: 'Teacher',
    consents: {},
    channel: 'tab',
  });
  if (signed.kind !== 'signed') throw new Error('the signature is outdated');
  work = openSqliteWorkStore({ path: ':memory:' });
  const store = work;
  const scheduled = () =>
    runScheduledWork(
      {
        records,
        directory,
        queue: store,
        leases: store,
        markers: store,
        snapshots: store,
        school,
        holderId: 'a',
        recordsCheck: service.recordsCheckRunner,
        // Every run signs a checkpoint into the work store; the digest carries the latest.
        checkpoints: {
          ledger: records,
          archives: [store],
          signer: keys.signer,
          keyRing: keys.keyRing,
        },
      },
      now,
    );
  return {
    records,
    keys,
    service,
    work: store,
    scheduled,
    ackId: signed.acknowledgement.id,
    setNow: (iso: string) => {
      now = new Date(iso);
    },
  };
}

describe('the nightly records check', () => {
  it('runs at night in the school’s zone, keeps its result as an audit event, and shows it', async () => {
    const s = await setup();
    expect((await s.service.recordsCheck(admin)).line).toBe(
      'Records check: not run yet (it runs every night).',
    );
    // 01:30 in London (GMT in March before the clocks change).
    s.setNow('2026-03-05T01:30:00.000Z');
    expect((await s.scheduled()).recordsCheck).toEqual({
      at: '2026-03-05T01:30:00.000Z',
      ok: true,
    });
    const view = await s.service.recordsCheck(admin);
    // The signature and the published version.
    expect(view.line).toBe('Records check: all 2 hold, last checked 5 March 2026 at 01:30.');
    expect(view.check?.counts.acknowledgements).toEqual({ rows: 1, holding: 1 });
    const [event] = await s.records.listAudit({ type: 'records.checked' });
    expect(event).toMatchObject({
      type: 'records.checked',
      subject: 'records-check:oakfield',
      at: '2026-03-05T01:30:00.000Z',
      details: { ok: true, failures: 0 },
    });
    // Once a night: five minutes later it does not run again.
    s.setNow('2026-03-05T01:35:00.000Z');
    expect((await s.scheduled()).recordsCheck).toBeUndefined();
    // Nor in the day.
    s.setNow('2026-03-05T14:00:00.000Z');
    expect((await s.scheduled()).recordsCheck).toBeUndefined();
    expect(await s.records.listAudit({ type: 'records.checked' })).toHaveLength(1);
    await expect(s.service.recordsCheck(teacher)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('names a tampered row in the API answer and in the admin digest', async () => {
    const s = await setup();
    // A site owner edits the typed name on the row; its signed record still says what was signed.
    s.records.tamperAcknowledgement(s.ackId, { typedName: 'Someone Else' });
    s.setNow('2026-03-06T02:10:00.000Z');
    expect((await s.scheduled()).recordsCheck).toEqual({
      at: '2026-03-06T02:10:00.000Z',
      ok: false,
    });

    const view = await s.service.recordsCheck(admin);
    expect(view.line).toBe(
      'Records check: 1 problem found in 2 records, last checked 6 March 2026 at 02:10.',
    );
    expect(view.check?.byCode).toEqual({ 'field-edited': 1 });
    expect(view.details).toEqual([expect.stringMatching(/typedName column says "Someone Else"/)]);

    // A campaign's deadline passes: its digest carries the same line and the failure.
    await s.work.createJob({
      id: 'c-1',
      kind: 'prompt',
      campaignId: 'c-1',
      policyKey: policy.key,
      versionNumber: 1,
      deadline: '2026-03-06T12:00:00.000Z',
      status: 'running',
      createdAt: '2026-03-04T10:00:00.000Z',
      data: {
        launchedAt: '2026-03-04T10:00:00.000Z',
        reminderDays: [],
        audiences: ['staff'],
        createdBy: admin.id,
      },
    });
    s.setNow('2026-03-06T13:00:00.000Z');
    expect((await s.scheduled()).digests).toEqual([{ campaignId: 'c-1', recipients: 2 }]);
    const digest = await s.work.getJob('c-1/digest');
    const data = digestJobDataSchema.parse(digest?.data);
    expect(data.digest.recordsCheck).toEqual([view.line, ...view.details]);
    // And the latest signed checkpoint, as a copy kept outside the site: the work store's own,
    // its heads, record hash and signature in hex (nothing a card's text would change).
    const [latest] = await s.work.latestCheckpoints(1);
    const record = latest?.record as CheckpointRecord;
    const signature = latest?.signature as EvidenceSignature;
    const lines = data.digest.checkpoint ?? [];
    expect(lines[0]).toBe(
      `Latest checkpoint: ${record.id}, taken 6 March 2026, 13:00 GMT (a signed copy kept outside the site).`,
    );
    expect(lines[1]).toMatch(/^Counts: 1 acknowledgements, 0 approval decisions, 1 versions, /);
    for (const head of record.heads) {
      expect(lines[2]).toContain(`${head.shard} ${head.seq} ${head.hash}`);
    }
    expect(lines[3]).toBe(`Record SHA-256: ${recordHash(record)}`);
    expect(lines[4]).toBe(
      `Signature (${signature.alg}, key ${signature.kid}), hex: ${Buffer.from(signature.sig, 'base64url').toString('hex')}`,
    );
  });

  it('is due at night once, and whenever none ran in 24 hours', () => {
    const zone = 'Europe/London';
    const at = (iso: string) => new Date(iso);
    expect(recordsCheckDue(at('2026-07-01T14:00:00.000Z'), undefined, zone)).toBe(true);
    // 14:00 with one at 02:00 today: not due; 25 h after the last one: due (a night was missed).
    expect(recordsCheckDue(at('2026-07-01T13:00:00.000Z'), '2026-07-01T01:00:00.000Z', zone)).toBe(
      false,
    );
    expect(recordsCheckDue(at('2026-07-02T02:00:00.000Z'), '2026-07-01T01:00:00.000Z', zone)).toBe(
      true,
    );
    // 01:10 BST (00:10 UTC) the night after one at 23:00 BST: tonight's has not run yet.
    expect(recordsCheckDue(at('2026-07-02T00:10:00.000Z'), '2026-07-01T22:00:00.000Z', zone)).toBe(
      true,
    );
    // 02:00 BST, one already ran at 01:05 BST tonight.
    expect(recordsCheckDue(at('2026-07-02T01:00:00.000Z'), '2026-07-02T00:05:00.000Z', zone)).toBe(
      false,
    );
  });
});

describe('each school of a trust runs its own records check (issue 14)', () => {
  it('keeps its own event, at its own night; another school’s check is not its own', async () => {
    const s = await setup();
    // A second school's service over the same site, in another zone (its nights are not ours).
    let kingsNow = new Date('2026-03-05T01:30:00.000Z');
    const kings = createCountersignService({
      records: s.records,
      directory: new MemoryDirectory({ people: [], groups: [] }),
      clock: { now: () => kingsNow },
      sealKey: 'records-check-seal-key-0123456789abcdef0123',
      evidence: s.keys,
      school: { ...school, id: 'kingsmead', timeZone: 'Asia/Tokyo', adminIds: [admin.id] },
      readCache: false,
    });
    // 01:30 in London: Oakfield's night. Its check is its own; Kingsmead's Admin view has none.
    s.setNow('2026-03-05T01:30:00.000Z');
    expect((await s.scheduled()).recordsCheck?.ok).toBe(true);
    expect((await kings.recordsCheck(admin)).check).toBeNull();
    // 10:30 in Tokyo is not Kingsmead's night, but none has run for it: it runs its own now.
    const ran = await kings.recordsCheckRunner.runIfDue(kingsNow);
    expect(ran?.ok).toBe(true);
    const events = await s.records.listAudit({ type: 'records.checked' });
    expect(events.map((e) => e.subject).sort()).toEqual([
      'records-check:kingsmead',
      'records-check:oakfield',
    ]);
    const oakfields = events.find((e) => e.subject === 'records-check:oakfield');
    expect((await kings.recordsCheck(admin)).check?.at).toBe(ran?.at);
    expect((await s.service.recordsCheck(admin)).check?.at).toBe(oakfields?.at);
    // Done for tonight: 03:00 Tokyo the next night is Kingsmead's next.
    kingsNow = new Date('2026-03-05T05:00:00.000Z');
    expect(await kings.recordsCheckRunner.runIfDue(kingsNow)).toBeNull();
    kingsNow = new Date('2026-03-05T18:00:00.000Z');
    expect((await kings.recordsCheckRunner.runIfDue(kingsNow))?.at).toBe(kingsNow.toISOString());
  });

  it('a site-wide check from before counts for every school until it runs its own', async () => {
    const s = await setup();
    s.setNow('2026-03-05T01:30:00.000Z');
    const { check } = await s.service.recordsCheck(admin);
    expect(check).toBeNull();
    await s.records.appendAudit([
      {
        id: 'legacy-check',
        type: 'records.checked',
        actorId: 'countersign-service',
        at: '2026-03-05T01:00:00.000Z',
        subject: 'records-check',
        details: {
          at: '2026-03-05T01:00:00.000Z',
          ok: true,
          counts: {
            acknowledgements: { rows: 1, holding: 1 },
            approvalDecisions: { rows: 0, holding: 0 },
            versions: { rows: 1, holding: 1 },
            auditEvents: { rows: 3, holding: 3 },
            legacyAcknowledgements: 0,
          },
          failures: 0,
          warnings: 0,
          byCode: {},
          findings: [],
        },
      },
    ]);
    expect((await s.service.recordsCheck(admin)).check?.at).toBe('2026-03-05T01:00:00.000Z');
    // It ran tonight: not due again.
    expect((await s.scheduled()).recordsCheck).toBeUndefined();
  });
});
