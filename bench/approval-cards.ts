import { z } from 'zod';
import { createGraphAdapters } from '../src/adapters/graph/create-graph-adapters.ts';
import { emulatorAppToken } from '../src/adapters/graph/emulator-app-token.ts';
import { approvalRecipients, approvalRoute } from '../src/domain/approval-route.ts';
import { DEMO_SCHOOL } from '../src/dev/demo/demo-school.ts';
import type { ServiceStack } from './service-stack.ts';

/** What the service process answers to `deliveries` (bench/soak-service.ts). */
export const deliveriesSchema = z.object({
  people: z.number(),
  cards: z.number(),
  duplicates: z.number(),
  approvalCards: z.array(
    z.object({ acknowledgementId: z.string(), userId: z.string(), n: z.number() }),
  ),
  approvalQueue: z.object({
    jobs: z.number(),
    queued: z.number(),
    inFlight: z.number(),
    sent: z.number(),
    failed: z.number(),
    skipped: z.number(),
  }),
});
export type Deliveries = z.infer<typeof deliveriesSchema>;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The deliveries once no approval card is queued or in flight (they go through the work store's
 * queue, job `approval/<ack id>`, behind the campaign's cards), or after `maxSeconds`.
 */
export async function settledDeliveries(
  stack: Pick<ServiceStack, 'ask'>,
  maxSeconds: number,
): Promise<{ deliveries: Deliveries; waitedMs: number }> {
  const t0 = performance.now();
  for (;;) {
    const deliveries = deliveriesSchema.parse(await stack.ask({ kind: 'deliveries' }));
    const open = deliveries.approvalQueue.queued + deliveries.approvalQueue.inFlight;
    const waitedMs = Math.round(performance.now() - t0);
    if (open === 0 || waitedMs > maxSeconds * 1000) return { deliveries, waitedMs };
    await pause(1_000);
  }
}

/** How many of the missing and duplicated a run prints by name (the counts are whole). */
const LISTED = 10;

/**
 * Approval cards per signature: every signature SharePoint holds an approval row for (it needs
 * approval) is expected to have reached each of its approvers (approval-route.ts over the demo
 * school's settings) exactly once. Read from SharePoint after the run, compared with the cards
 * the connector emulator took.
 */
export async function approvalCardFigures(
  stack: Pick<ServiceStack, 'graphUrl' | 'siteId'>,
  deliveries: Deliveries,
) {
  const graph = createGraphAdapters({
    baseUrl: stack.graphUrl,
    accessToken: emulatorAppToken,
    site: stack.siteId,
  });
  const approvals = (await graph.records.listApprovals({})).map((t) => t.value);
  const expected = new Map<string, { acknowledgementId: string; approverId: string }>();
  for (const approval of approvals) {
    const approvers = approvalRecipients(approvalRoute(DEMO_SCHOOL.school, approval.userId));
    for (const approverId of approvers) {
      expected.set(`${approval.acknowledgementId}\n${approverId}`, {
        acknowledgementId: approval.acknowledgementId,
        approverId,
      });
    }
  }
  const got = new Map(
    deliveries.approvalCards.map((c) => [`${c.acknowledgementId}\n${c.userId}`, c]),
  );
  const missing = [...expected.entries()].filter(([key]) => !got.has(key)).map(([, e]) => e);
  const duplicated = deliveries.approvalCards
    .filter((c) => c.n > 1)
    .map((c) => ({ acknowledgementId: c.acknowledgementId, approverId: c.userId, cards: c.n }));
  const unexpected = deliveries.approvalCards
    .filter((c) => !expected.has(`${c.acknowledgementId}\n${c.userId}`))
    .map((c) => ({ acknowledgementId: c.acknowledgementId, approverId: c.userId, cards: c.n }));
  const cards = deliveries.approvalCards.reduce((sum, c) => sum + c.n, 0);
  return {
    signaturesNeedingApproval: approvals.length,
    signaturesWithNobodyToAsk: approvals.filter(
      (a) => approvalRecipients(approvalRoute(DEMO_SCHOOL.school, a.userId)).length === 0,
    ).length,
    expectedCards: expected.size,
    cards,
    missing: missing.length,
    duplicates: duplicated.reduce((sum, d) => sum + d.cards - 1, 0),
    unexpected: unexpected.length,
    queue: deliveries.approvalQueue,
    missingFor: missing.slice(0, LISTED),
    duplicatedFor: duplicated.slice(0, LISTED),
    unexpectedFor: unexpected.slice(0, LISTED),
  };
}
