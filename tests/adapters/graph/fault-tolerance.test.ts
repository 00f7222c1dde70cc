import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphGateway } from '../../../src/adapters/graph/graph-gateway.ts';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../../src/adapters/graph/sharepoint-record-store.ts';
import type { Acknowledgement } from '../../../src/domain/acknowledgement.ts';
import type { SignatureResult } from '../../../src/ports/record-store.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { audit, policyVersion, signature } from '../../contract/record-fixtures.ts';

const SIGNATURES = 2_000;
const DUPLICATED = 200;
const CONCURRENCY = 50;

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

describe('signatures under Graph faults (20 % of calls 429, 503 or dropped)', () => {
  let emulator: GraphEmulator;
  let store: SharePointRecordStore;
  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    const gateway = new GraphGateway({
      baseUrl: emulator.url,
      // Retry-After is 0 s here; dropped connections back off from 5 ms. A Graph that drops
      // one call in twenty is up, and this test is about retries storing everything exactly
      // once: so no outage budget and no circuit breaker (graph-gateway.test.ts tests those).
      retry: { maxAttempts: 15, baseDelayMs: 5, maxDelayMs: 200, maxOutageMs: 600_000 },
      circuit: { failureThreshold: 1_000_000 },
    });
    store = new SharePointRecordStore({ gateway, site: emulator.siteId });
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
  }, 120_000);
});
