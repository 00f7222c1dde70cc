import { randomUUID } from 'node:crypto';
import { memoryEvidenceKeys } from '../../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { verifyEvidence } from '../../../src/domain/evidence/verify-evidence.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../../src/adapters/graph/sharepoint-record-store.ts';
import type { Acknowledgement } from '../../../src/domain/acknowledgement.ts';
import type { SignatureResult } from '../../../src/ports/record-store.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { audit, policyVersion, signature } from '../../contract/record-fixtures.ts';
import { emulatorGateway } from '../../support/emulator-graph.ts';

const keys = memoryEvidenceKeys();
const CONCURRENCY = 50;

/**
 * The store twice: without an evidence signer (rows only, the larger run) and with one, where
 * every stored signature's audit event must also be signed into a whole chain.
 */
const RUNS = [
  { what: 'rows', signatures: 2_000, duplicated: 200, signed: false },
  { what: 'rows and the signed audit chain', signatures: 600, duplicated: 60, signed: true },
] as const;

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = [];
  let next = 0;
  const lanes = Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index] as T) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  });
  await Promise.all(lanes);
  return results;
}

describe.each(RUNS)(
  'signatures under Graph faults (20 % of calls 429, 503 or dropped): $what',
  ({ signatures: SIGNATURES, duplicated: DUPLICATED, signed }) => {
    let emulator: GraphEmulator;
    let store: SharePointRecordStore;
    beforeAll(async () => {
      emulator = await startGraphEmulator({ seed: 'none' });
      const gateway = emulatorGateway(emulator, {
        // Retry-After is 0 s here; dropped connections back off from 5 ms. A Graph that drops
        // one call in twenty is up, and this test is about retries storing everything exactly
        // once: so no outage budget and no circuit breaker (graph-gateway.test.ts tests those).
        retry: { maxAttempts: 15, baseDelayMs: 5, maxDelayMs: 200, maxOutageMs: 600_000 },
        circuit: { failureThreshold: 1_000_000 },
      });
      store = new SharePointRecordStore({
        gateway,
        site: emulator.siteId,
        ...(signed ? { evidenceSigner: keys.signer } : {}),
      });
      await provisionSite(gateway, store.site);
      await store.warmUp();
    });
    afterAll(async () => {
      await emulator.close();
    });

    it('stores every accepted signature exactly once, double submissions included', async () => {
      const version = policyVersion('fault-aup', 1, { status: 'published' });
      const people = Array.from({ length: SIGNATURES - DUPLICATED }, () => randomUUID());
      // Each duplicated person submits twice at the same moment (card and tab, a double click).
      const attempts: Acknowledgement[] = [];
      people.forEach((userId, i) => {
        attempts.push(
          signature(version, userId, new Date(Date.UTC(2026, 8, 3, 8, 0, 0, i)).toISOString()),
        );
        if (i < DUPLICATED) {
          attempts.push(
            signature(version, userId, new Date(Date.UTC(2026, 8, 3, 9, 0, 0, i)).toISOString()),
          );
        }
      });
      expect(attempts).toHaveLength(SIGNATURES);

      emulator.setFaults({
        latencyMs: 0,
        rate429: 0.08,
        rate503: 0.07,
        rateReset: 0.05,
        retryAfterSeconds: 0,
        seed: 20,
      });
      const settled = await pool(attempts, CONCURRENCY, (ack) =>
        store.recordSignature(ack, audit('acknowledgement.signed', ack.id)),
      );
      const faults = emulator.counters().faults;
      emulator.setFaults({});

      const rejected = settled.filter((s) => s.status === 'rejected');
      expect(rejected.map((r) => String(r.reason))).toEqual([]);
      const results = settled.flatMap((s): SignatureResult[] =>
        s.status === 'fulfilled' ? [s.value] : [],
      );
      expect(faults).toBeGreaterThan(SIGNATURES * 0.1);

      // Exactly one "created" per person, and every answer is the stored row.
      expect(results.filter((r) => r.created)).toHaveLength(people.length);
      const rows = await store.scanAcknowledgements({ policyKey: 'fault-aup' });
      expect(rows).toHaveLength(people.length);
      expect(new Set(rows.map((r) => r.key)).size).toBe(people.length);
      const byId = new Map(rows.map((r) => [r.key, r.acknowledgement]));
      for (const r of results) expect(byId.get(r.acknowledgement.id)).toEqual(r.acknowledgement);

      // And one audit event per stored signature: none lost, none twice.
      const events = (await store.listAudit({ type: 'acknowledgement.signed' })).filter((e) =>
        byId.has(e.subject),
      );
      expect(events).toHaveLength(people.length);
      expect(new Set(events.map((e) => e.subject)).size).toBe(people.length);
      if (!signed) return;
      const chained = (await store.scanSignedRows('audit')).flatMap((row) =>
        row.evidence === null
          ? []
          : [
              {
                itemId: row.itemId,
                record: row.evidence.record,
                signature: row.evidence.signature,
                columns: row.columns,
              },
            ],
      );
      // Only the log is checked here (the rows its events name are not given).
      const report = verifyEvidence({
        acknowledgements: [],
        approvalDecisions: [],
        versions: [],
        auditEvents: chained,
        checkpoints: [],
        keyRing: keys.keyRing,
      });
      // Every event signed into a whole chain: retries, lost answers and repeats left no gap.
      expect(chained).toHaveLength(people.length);
      expect(report.findings.filter((f) => f.code !== 'row-deleted')).toEqual([]);
    }, 120_000);
  },
);
