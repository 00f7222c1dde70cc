import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { GraphGateway } from '../../../src/adapters/graph/graph-gateway.ts';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../../src/adapters/graph/sharepoint-record-store.ts';
import { openSqliteWorkStore } from '../../../src/adapters/sqlite/sqlite-work-store.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import type { Acknowledgement } from '../../../src/domain/acknowledgement.ts';
import {
  auditEventRecordSchema,
  type CheckpointRecord,
} from '../../../src/domain/evidence/evidence-record.ts';
import { signRecord } from '../../../src/domain/evidence/evidence-signer.ts';
import type { Finding } from '../../../src/domain/evidence/finding.ts';
import { shardOf } from '../../../src/domain/evidence/shard.ts';
import { recordHash } from '../../../src/domain/evidence/signing-payload.ts';
import type { PolicyVersion } from '../../../src/domain/policy.ts';
import type { WorkStore } from '../../../src/ports/work-store.ts';
import {
  writeCheckpoint,
  type CheckpointWriterDeps,
} from '../../../src/services/write-checkpoint.ts';
import { MemoryDirectory } from '../../../src/adapters/memory/memory-directory.ts';
import { createCountersignService } from '../../../src/services/create-countersign-service.ts';
import { school } from '../../campaigns/world.ts';
import { audit, policy, policyVersion, signature } from '../../contract/record-fixtures.ts';
import { signedAcknowledgement } from './evidence-fixtures.ts';
import { emulatorGateway } from '../../support/emulator-graph.ts';

const T = Date.parse('2026-09-01T08:00:00.000Z');
const at = (minutes: number): Date => new Date(T + minutes * 60_000);

interface AuditItem {
  id: string;
  fields: { Shard?: number; Seq?: number; Subject?: string; EventType?: string };
}

/**
 * The tamper suite for checkpoints: the scheduled work's signed checkpoint, then what a site owner
 * can do through Graph to the audit log and the Checkpoints list, and `countersign verify`'s
 * exact findings (with the published keys only, as an inspector runs it).
 */
describe('checkpoints: tampering with the audit log before and after one (Graph emulator)', () => {
  let emulator: GraphEmulator;
  let gateway: GraphGateway;
  let store: SharePointRecordStore;
  let work: WorkStore;
  let writer: CheckpointWriterDeps;
  let dir: string;
  let ringFile: string;
  let env: Record<string, string>;
  const keys = memoryEvidenceKeys();

  beforeEach(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    gateway = emulatorGateway(emulator);
    store = new SharePointRecordStore({
      gateway,
      site: emulator.siteId,
      evidenceSigner: keys.signer,
    });
    await provisionSite(gateway, store.site);
    work = openSqliteWorkStore({ path: ':memory:' });
    writer = { ledger: store, archives: [work], signer: keys.signer, keyRing: keys.keyRing };
    dir = mkdtempSync(join(tmpdir(), 'countersign-checkpoints-'));
    ringFile = join(dir, 'keys.json');
    writeFileSync(ringFile, JSON.stringify(keys.keyRing));
    env = { COUNTERSIGN_GRAPH_BASE_URL: emulator.url, COUNTERSIGN_SITE: emulator.siteId };
  });
  afterEach(async () => {
    await work.close();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function verify(
    ...extra: string[]
  ): Promise<{ code: number; findings: Finding[]; text: string }> {
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: () => undefined, env };
    const code = await runCli(['verify', '--keys', ringFile, '--json', ...extra], io);
    const report = JSON.parse(out.join('')) as { evidence: { findings: Finding[] } };
    const text: string[] = [];
    await runCli(['verify', '--keys', ringFile, ...extra], { ...io, stdout: (t) => text.push(t) });
    return { code, findings: report.evidence.findings, text: text.join('') };
  }

  const failures = (findings: readonly Finding[]) =>
    findings.filter((f) => f.severity === 'failure');

  /** A published version and `count` signatures in one shard, every write chained and signed. */
  async function signInOneShard(
    count: number,
  ): Promise<{ acks: Acknowledgement[]; shard: number }> {
    const key = 'checkpoint-aup';
    await store.putPolicy(policy(key));
    const draft = await store.createVersion(
      policyVersion(key, 1),
      audit('policy.saved', `${key}:v1`, at(0).toISOString()),
    );
    const publishedAt = at(1).toISOString();
    const version: PolicyVersion = (
      await store.publishVersion(
        draft,
        publishedAt,
        [],
        audit('version.published', `${key}:v1`, publishedAt),
        await signRecord(keys.signer, {
          kind: 'published-version',
          id: `${key}:v1`,
          policyKey: key,
          number: 1,
          label: draft.value.label,
          contentHash: draft.value.contentHash,
          changeKind: draft.value.changeKind,
          publishedAt,
          publishedBy: 'dsl',
        }),
      )
    ).value;
    const acks: Acknowledgement[] = [];
    const shard = shardOf(signature(version, 'person-0').id);
    for (let i = 0; acks.length < count; i += 1) {
      const ack = signature(version, `person-${i}`, at(2 + acks.length).toISOString());
      if (shardOf(ack.id) !== shard) continue;
      await store.recordSignature(
        ack,
        audit('acknowledgement.signed', ack.id, ack.signedAt),
        await signedAcknowledgement(keys.signer, ack),
      );
      acks.push(ack);
    }
    return { acks, shard };
  }

  async function auditItems(shard: number): Promise<AuditItem[]> {
    const url = `${await store.site.listPath('audit')}/items?$expand=fields&$top=5000`;
    const { value } = (await gateway.call({ method: 'GET', url })).body as { value: AuditItem[] };
    return value
      .filter((item) => item.fields.Shard === shard)
      .sort((a, b) => (a.fields.Seq ?? 0) - (b.fields.Seq ?? 0));
  }

  async function deleteItem(list: 'audit' | 'acknowledgements' | 'checkpoints', id: string) {
    await gateway.call({
      method: 'DELETE',
      url: `${await store.site.listPath(list)}/items/${id}`,
    });
  }

  async function ackItem(id: string): Promise<string> {
    return (await store.scanAcknowledgements({})).find((r) => r.key === id)?.itemId ?? '';
  }

  it('writes a signed checkpoint every run until it counts every row, then none while nothing moves', async () => {
    await signInOneShard(3);
    const first = await writeCheckpoint(writer, at(15));
    expect(first).toMatchObject({ kind: 'written', id: 'checkpoint:1' });
    // The first one's cutoff (ten minutes back) predates its own `at`: one more, then settled.
    expect(await writeCheckpoint(writer, at(20))).toMatchObject({ kind: 'written', number: 2 });
    expect(await writeCheckpoint(writer, at(25))).toMatchObject({ kind: 'written', number: 3 });
    expect(await writeCheckpoint(writer, at(30))).toEqual({
      kind: 'unchanged',
      id: 'checkpoint:3',
      number: 3,
    });
    // A new signature moves a head: the next run writes again.
    const version = (await store.getVersion('checkpoint-aup', 1))?.value;
    if (version === undefined) throw new Error('no version');
    const late = signature(version, 'late-signer', at(31).toISOString());
    await store.recordSignature(
      late,
      audit('acknowledgement.signed', late.id, late.signedAt),
      await signedAcknowledgement(keys.signer, late),
    );
    const moved = await writeCheckpoint(writer, at(35));
    expect(moved).toMatchObject({ kind: 'written', number: 4, advancedShards: [shardOf(late.id)] });

    // The site and the work store hold the same four, and verify holds.
    expect((await store.readCheckpointsFrom(0)).length).toBe(4);
    expect((await work.latestCheckpoints(10)).length).toBe(4);
    const clean = await verify();
    expect(clean.findings).toEqual([]);
    expect(clean.code).toBe(0);
    expect(clean.text).toContain('Latest checkpoint: checkpoint:4');
  });

  it('a deleted event never redirects the chain: a fresh instance appends after the true head', async () => {
    const { acks, shard } = await signInOneShard(4);
    const before = await auditItems(shard);
    expect(before.map((i) => i.fields.Seq)).toEqual([1, 2, 3, 4]);
    // Seq 2 is a number the head lookup probes: without reading the last block, a fresh instance
    // would stop at 1 and sign the next event into the gap as a fork of the chain.
    await deleteItem('audit', before[1]?.id ?? '');
    const fresh = new SharePointRecordStore({
      gateway,
      site: emulator.siteId,
      evidenceSigner: keys.signer,
    });
    const version = (await fresh.getVersion('checkpoint-aup', 1))?.value;
    if (version === undefined) throw new Error('the version is there');
    let next = signature(version, 'late-0', at(30).toISOString());
    for (let i = 1; shardOf(next.id) !== shard; i += 1) {
      next = signature(version, `late-${String(i)}`, at(30).toISOString());
    }
    await fresh.recordSignature(
      next,
      audit('acknowledgement.signed', next.id, next.signedAt),
      await signedAcknowledgement(keys.signer, next),
    );
    const after = await auditItems(shard);
    expect(after.map((i) => i.fields.Seq)).toEqual([1, 3, 4, 5]);
    const rows = await fresh.scanSignedRows('audit');
    const recordOf = (id: string | undefined) =>
      rows.find((r) => r.itemId === id)?.evidence?.record as { prev?: string } | undefined;
    const fourth = auditEventRecordSchema.parse(
      rows.find((r) => r.itemId === after[2]?.id)?.evidence?.record,
    );
    // Seq 5 links to seq 4 (the true head), not to seq 1.
    expect(recordOf(after[3]?.id)?.prev).toBe(recordHash(fourth));
    expect(acks).toHaveLength(4);
    // And verify names the deletion, nothing else.
    const { findings } = await verify();
    expect(failures(findings).map((f) => f.code)).toEqual(['event-deleted']);
  });

  it('names an event deleted, inserted or reordered before the checkpoint', async () => {
    const { shard } = await signInOneShard(5);
    await writeCheckpoint(writer, at(20));
    const items = await auditItems(shard);
    const [, second, third, fourth] = items;
    if (second === undefined || third === undefined || fourth === undefined) {
      throw new Error('too few events');
    }
    // Deleted: seq 2's event (its row stays).
    await deleteItem('audit', second.id);
    // Reordered: seq 3's plain Seq column moved to 30.
    const auditUrl = `${await store.site.listPath('audit')}/items`;
    await gateway.call({
      method: 'PATCH',
      url: `${auditUrl}/${third.id}/fields`,
      body: { Seq: 30 },
    });
    // Inserted: a copy of seq 4's event saying something else, under another ChainKey.
    const stored = (await store.scanSignedRows('audit')).find((r) => r.itemId === fourth.id);
    const record = stored?.evidence?.record as Record<string, unknown>;
    await gateway.call({
      method: 'POST',
      url: auditUrl,
      body: {
        fields: {
          EventId: 'inserted-event',
          EventType: 'acknowledgement.signed',
          ActorId: 'someone',
          At: record.at,
          Subject: record.subject,
          Details: '{}',
          Shard: shard,
          Seq: record.seq,
          ChainKey: `${String(shard)}:${String(record.seq)}:x`,
          Record: JSON.stringify({ ...record, id: 'inserted-event', actorId: 'someone' }),
          Signature: JSON.stringify(stored?.evidence?.signature),
        },
      },
    });

    const run = await verify();
    expect(run.code).toBe(1);
    const found = failures(run.findings).map((f) => ({
      code: f.code,
      ...(f.subject.seq === undefined ? {} : { seq: f.subject.seq }),
      ...(f.code === 'event-deleted' ? { seqs: f.seqs } : {}),
    }));
    expect(found).toEqual(
      expect.arrayContaining([
        { code: 'event-deleted', seq: second.fields.Seq, seqs: [second.fields.Seq] },
        { code: 'event-reordered', seq: third.fields.Seq },
        { code: 'event-inserted', seq: fourth.fields.Seq },
      ]),
    );
    expect(found).toHaveLength(3);
  });

  it('names a chain cut back behind the checkpoint, from the site or from an outside copy', async () => {
    const { acks, shard } = await signInOneShard(3);
    const written = await writeCheckpoint(writer, at(20));
    expect(written.kind).toBe('written');
    const before = await verify();
    expect(before.findings).toEqual([]);

    // The last signature of the shard goes, row and event: nothing later in the chain misses it.
    const last = acks.at(-1);
    if (last === undefined) throw new Error('no signature');
    await deleteItem('acknowledgements', await ackItem(last.id));
    const tail = (await auditItems(shard)).at(-1);
    if (tail === undefined) throw new Error('no events');
    await deleteItem('audit', tail.id);

    const cut = await verify();
    expect(cut.code).toBe(1);
    expect(failures(cut.findings).map((f) => f.code)).toEqual([
      'row-and-event-deleted',
      'chain-truncated',
    ]);
    const truncated = cut.findings.find((f) => f.code === 'chain-truncated');
    expect(truncated).toMatchObject({
      subject: { list: 'auditEvents', shard },
      checkpointId: 'checkpoint:1',
      expectedSeq: tail.fields.Seq,
      foundSeq: (tail.fields.Seq ?? 0) - 1,
    });
    expect(cut.text).toContain(`FAILS  chain-truncated  auditEvents shard ${String(shard)}`);

    // The site owner deletes the checkpoint too: the site alone can no longer tell…
    for (const row of await store.readCheckpointsFrom(0))
      await deleteItem('checkpoints', row.itemId ?? '');
    const hidden = await verify();
    expect(failures(hidden.findings)).toEqual([]);
    expect(hidden.text).toContain('No signed checkpoint');

    // …but the copy kept outside the site (the work store's) still does.
    const [copy] = await work.latestCheckpoints(1);
    const file = join(dir, 'checkpoint-1.json');
    writeFileSync(file, JSON.stringify({ record: copy?.record, signature: copy?.signature }));
    const outside = await verify('--checkpoint', file);
    expect(outside.code).toBe(1);
    expect(failures(outside.findings).map((f) => f.code)).toEqual([
      'row-and-event-deleted',
      'chain-truncated',
    ]);
  });

  it('fails a checkpoint whose signature does not hold, in the site or in a file', async () => {
    const { shard } = await signInOneShard(2);
    await writeCheckpoint(writer, at(20));
    const [row] = await store.readCheckpointsFrom(0);
    const record = row?.record as CheckpointRecord;
    // Lowered heads in the site's copy: it would excuse a truncation, but its signature fails.
    const edited = {
      ...record,
      heads: record.heads.map((h) => (h.shard === shard ? { ...h, seq: 1 } : h)),
    };
    await gateway.call({
      method: 'PATCH',
      url: `${await store.site.listPath('checkpoints')}/items/${row?.itemId ?? ''}/fields`,
      body: { Record: JSON.stringify(edited) },
    });
    const site = await verify();
    expect(site.code).toBe(1);
    expect(
      failures(site.findings).map((f) => ({
        code: f.code,
        list: f.subject.list,
        id: f.subject.id,
      })),
    ).toEqual([{ code: 'field-edited', list: 'checkpoints', id: 'checkpoint:1' }]);

    const file = join(dir, 'forged.json');
    writeFileSync(file, JSON.stringify({ record: edited, signature: row?.signature }));
    const fromFile = await verify('--checkpoint', file);
    expect(
      failures(fromFile.findings)
        .filter((f) => f.subject.itemId === file)
        .map((f) => f.code),
    ).toEqual(['field-edited']);
  });

  it('the nightly records check names an event deleted before the checkpoint, from the work store’s copy when the site’s is gone', async () => {
    const { acks, shard } = await signInOneShard(3);
    expect((await writeCheckpoint(writer, at(20))).kind).toBe('written');
    // The last signature of the shard goes, row and event, and then the site's checkpoints.
    const last = acks.at(-1);
    if (last === undefined) throw new Error('no signature');
    await deleteItem('acknowledgements', await ackItem(last.id));
    const tail = (await auditItems(shard)).at(-1);
    if (tail?.fields.Subject !== last.id) throw new Error('the shard ends with another event');
    await deleteItem('audit', tail.id);
    for (const row of await store.readCheckpointsFrom(0))
      await deleteItem('checkpoints', row.itemId ?? '');

    // The site alone can no longer tell (verify without a copy finds nothing, the test above);
    // the check holds the chains to the work store's copy. (Its own records.checked event comes
    // after its reading, so it cannot hide or reveal the cut.)
    const now = at(60);
    const check = await createCountersignService({
      records: store,
      directory: new MemoryDirectory({ people: [], groups: [] }),
      clock: { now: () => now },
      sealKey: 'tamper-checkpoints-seal-key-0123456789abcdef',
      evidence: keys,
      school,
      readCache: false,
      // What compose-service.ts gives it: the site's list and the work store.
      checkpoints: { ledger: store, archives: [work] },
    }).recordsCheckRunner.runIfDue(now);
    if (check === null) throw new Error('the check was not due');
    expect(check.ok).toBe(false);
    expect(check.byCode).toMatchObject({ 'row-and-event-deleted': 1, 'chain-truncated': 1 });
    expect(check.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['row-and-event-deleted', 'chain-truncated']),
    );
  });
});
