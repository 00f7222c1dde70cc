import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryEvidenceKeys } from '../src/adapters/evidence-keys/local-evidence-keys.ts';
import {
  acknowledgementFields,
  auditFields,
  signedFields,
} from '../src/adapters/graph/sharepoint-rows.ts';
import { runCli } from '../src/cli/run-cli.ts';
import { acknowledgementId, type Acknowledgement } from '../src/domain/acknowledgement.ts';
import type { AuditEvent } from '../src/domain/audit-event.ts';
import {
  GENESIS,
  versionRecordId,
  type AuditEventRecord,
} from '../src/domain/evidence/evidence-record.ts';
import { signRecord } from '../src/domain/evidence/evidence-signer.ts';
import { shardOf, SHARD_COUNT } from '../src/domain/evidence/shard.ts';
import { sealAcknowledgement } from '../src/domain/seal.ts';
import { signatureAuditEvent } from '../src/domain/signature-audit.ts';
import {
  inTransaction,
  openEmulatorDatabase,
} from '../src/dev/graph-emulator/emulator-database.ts';
import { startGraphEmulator } from '../src/dev/graph-emulator/graph-emulator.ts';
import {
  BENCH_SEAL_KEY,
  POLICY_KEY,
  benchVersion,
  flag,
  option,
  startBenchEmulator,
} from './bench-emulator.ts';

/**
 * `countersign verify` over a large site (issue 10's budget: 20,000 acknowledgements and 100,000
 * audit events in ≤ 200 Graph requests), run as an inspector runs it: the CLI with the published
 * keys only, against the Graph emulator.
 *
 *   npm run bench:verify -- --acks 20000 --events 100000 --json
 *
 * Set-up (not counted): the lists and the AUP over HTTP; then `--acks` signed acknowledgements
 * and `--events` signed, chained audit events (one acknowledgement.signed per acknowledgement,
 * the rest policy.saved events) written straight into the emulator's SQLite file, as the store
 * would have written them. Counted: every Graph request the verify command sends.
 */
const args = process.argv.slice(2);
const ackCount = option(args, 'acks', 20_000);
const eventCount = Math.max(ackCount, option(args, 'events', 100_000));
const dir = mkdtempSync(join(tmpdir(), 'countersign-bench-verify-'));
const dbPath = join(dir, 'graph.sqlite');
const ringFile = join(dir, 'keys.json');
const keys = memoryEvidenceKeys();
const version = benchVersion();
const BUDGET = 200;

/** Rows to write, by list: their fields exactly as the SharePoint record store writes them. */
async function rowsToSeed(): Promise<{ acks: object[]; events: object[] }> {
  const heads = Array.from({ length: SHARD_COUNT }, () => ({ seq: 0, hash: GENESIS }));
  const acks: object[] = [];
  const events: object[] = [];
  const start = Date.UTC(2026, 8, 2, 8, 0, 0);
  async function append(event: AuditEvent): Promise<void> {
    const shard = shardOf(event.subject);
    const head = heads[shard] ?? { seq: 0, hash: GENESIS };
    const record: AuditEventRecord = {
      kind: 'audit-event',
      ...event,
      shard,
      seq: head.seq + 1,
      prev: head.hash,
    };
    const signed = await signRecord(keys.signer, record);
    heads[shard] = { seq: record.seq, hash: signed.hash };
    events.push({
      ...auditFields(event),
      Shard: shard,
      Seq: record.seq,
      ChainKey: `${shard}:${record.seq}`,
      ...signedFields(signed),
    });
  }
  for (let i = 0; i < eventCount; i += 1) {
    const at = new Date(start + i * 1000).toISOString();
    if (i < ackCount) {
      const userId = `person-${String(i).padStart(6, '0')}`;
      const fields = {
        policyKey: POLICY_KEY,
        versionNumber: version.number,
        contentHash: version.contentHash,
        userId,
        upn: `${userId}@bench.example`,
        displayName: `Person ${i}`,
        typedName: `Person ${i}`,
        statedRole: 'Teaching assistant',
        signedAt: at,
        channel: 'tab' as const,
        consents: { photo: i % 2 === 0 },
      };
      const ack: Acknowledgement = {
        ...fields,
        id: acknowledgementId(POLICY_KEY, version.number, userId),
        approvalState: 'not-required',
        seal: sealAcknowledgement(fields, BENCH_SEAL_KEY),
      };
      const signed = await signRecord(keys.signer, {
        ...ack,
        kind: 'acknowledgement',
        approvalAtSigning: 'not-required',
      });
      const event = signatureAuditEvent(ack, crypto.randomUUID());
      acks.push(acknowledgementFields(ack, event.id, signed));
      await append(event);
    } else {
      await append({
        id: crypto.randomUUID(),
        type: 'policy.saved',
        actorId: 'bench-admin',
        at,
        subject: `bench-policy-${i % 997}`,
        details: { note: 'bench' },
      });
    }
  }
  return { acks, events };
}

try {
  // 1. Lists and the AUP over HTTP.
  const listIds = await (async () => {
    const { emulator, graph } = await startBenchEmulator(dbPath, 'none');
    const ids = await graph.records.site.listIds();
    await emulator.close();
    return ids;
  })();

  // 2. The rows, straight into the emulator's file.
  const { acks, events } = await rowsToSeed();
  const signedVersion = await signRecord(keys.signer, {
    kind: 'published-version',
    id: versionRecordId(POLICY_KEY, version.number),
    policyKey: POLICY_KEY,
    number: version.number,
    label: version.label,
    contentHash: version.contentHash,
    changeKind: version.changeKind,
    publishedAt: version.publishedAt ?? '2026-09-01T07:00:00.000Z',
    publishedBy: 'bench-admin',
  });
  {
    const db = openEmulatorDatabase(dbPath);
    const created = new Date().toISOString();
    inTransaction(db, () => {
      for (const [listId, rows] of [
        [listIds.acknowledgements, acks],
        [listIds.audit, events],
      ] as const) {
        const next = db.prepare('SELECT next_item_id AS n FROM lists WHERE id = ?').get(listId);
        let id = Number(next?.n ?? 1);
        const insert = db.prepare(
          'INSERT INTO items (list_id, id, etag_guid, version, created, modified, fields) VALUES (?, ?, ?, 1, ?, ?, ?)',
        );
        for (const fields of rows) {
          insert.run(listId, id, crypto.randomUUID(), created, created, JSON.stringify(fields));
          id += 1;
        }
        db.prepare('UPDATE lists SET next_item_id = ? WHERE id = ?').run(id, listId);
      }
      // The AUP's version row carries its signed published-version record, as publishing writes.
      const row = db
        .prepare('SELECT id, fields FROM items WHERE list_id = ?')
        .get(listIds.versions);
      const fields = JSON.parse(String(row?.fields)) as Record<string, unknown>;
      db.prepare('UPDATE items SET fields = ? WHERE list_id = ? AND id = ?').run(
        JSON.stringify({ ...fields, ...signedFields(signedVersion) }),
        listIds.versions,
        Number(row?.id),
      );
    });
    db.exec('ANALYZE');
    db.close();
  }
  writeFileSync(ringFile, JSON.stringify(keys.keyRing));

  // 3. verify, counted.
  const emulator = await startGraphEmulator({ dbPath, seed: 'none' });
  try {
    const out: string[] = [];
    emulator.resetCounters();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 20);
    const started = performance.now();
    const code = await runCli(['verify', '--keys', ringFile, '--json'], {
      stdout: (text) => out.push(text),
      stderr: (text) => out.push(text),
      env: { COUNTERSIGN_GRAPH_BASE_URL: emulator.url, COUNTERSIGN_SITE: emulator.siteId },
    });
    const ms = Math.round(performance.now() - started);
    clearInterval(sampler);
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    const counters = emulator.counters();
    const parsed = JSON.parse(out.join('')) as {
      ok: boolean;
      evidence: { counts: Record<string, { rows: number; holding: number }> };
    };
    const report = {
      acks: ackCount,
      events: eventCount,
      graphRequests: counters.requests,
      resourceUnits: counters.resourceUnits,
      ms,
      heapPeakMb: Math.round(heapPeak / 2 ** 20),
      budget: BUDGET,
      withinBudget: counters.requests <= BUDGET,
      exitCode: code,
      ok: parsed.ok,
      acknowledgementsHolding: parsed.evidence.counts.acknowledgements?.holding,
      auditEventsHolding: parsed.evidence.counts.auditEvents?.holding,
    };
    if (report.acknowledgementsHolding !== ackCount || report.auditEventsHolding !== eventCount) {
      throw new Error(`verify read ${JSON.stringify(parsed.evidence.counts)}`);
    }
    if (flag(args, 'json')) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      process.stdout.write(
        `verify over ${ackCount} acknowledgements and ${eventCount} audit events: ` +
          `${counters.requests} Graph requests, ${counters.resourceUnits} resource units, ` +
          `${ms} ms, heap peak ${report.heapPeakMb} MB (budget: ≤ ${BUDGET} requests).\n`,
      );
    }
  } finally {
    await emulator.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
