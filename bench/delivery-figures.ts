import type { WorkStore } from '../src/ports/work-store.ts';
import type { ConnectorEmulator } from '../src/dev/connector-emulator/connector-emulator.ts';

/** What the campaign benchmarks share: waiting on the connector, and its figures of a fan-out. */

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 50 ms until it holds (15 minutes at most: then the benchmark fails). */
export async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15 * 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A conversation stored for each person, so each needs exactly one send (set-up). */
export async function storeConversations(
  work: Pick<WorkStore, 'putConversation'>,
  connector: Pick<ConnectorEmulator, 'url' | 'conversationIdFor'>,
  tenantId: string,
  userIds: readonly string[],
): Promise<void> {
  const updatedAt = new Date().toISOString();
  for (let i = 0; i < userIds.length; i += 50) {
    await Promise.all(
      userIds.slice(i, i + 50).map((userId) =>
        work.putConversation({
          userId,
          conversationId: connector.conversationIdFor(userId),
          serviceUrl: connector.url,
          tenantId,
          updatedAt,
        }),
      ),
    );
  }
}

const round = (n: number, places: number): number => Math.round(n * 10 ** places) / 10 ** places;

/**
 * A fan-out's figures from the connector's record of accepted activities:
 * - `ceilingRatio`: sends a second from the launch to the last send, over 50 (what an admin
 *   waits for); `steadyRatio`: between the first and the last send;
 * - `lost`: recipients who received nothing; `duplicates`: activities beyond one a recipient;
 * - `firstSendSeconds`: from `launchedAt` (epoch ms) to the first send.
 */
export function deliveryFigures(
  connector: Pick<ConnectorEmulator, 'sendsPerUser' | 'counters' | 'delivered'>,
  recipients: number,
  launchedAt: number,
): {
  recipients: number;
  sent: number;
  lost: number;
  duplicates: number;
  seconds: number;
  ceilingRatio: number;
  steadyRatio: number;
  firstSendSeconds: number;
  throttled: number;
  maxPerSecond: number;
} {
  const perUser = connector.sendsPerUser();
  const duplicates = [...perUser.values()].reduce((sum, n) => sum + n - 1, 0);
  const counters = connector.counters();
  const sent = counters.activitiesSent;
  const times = connector.delivered().map((d) => performance.timeOrigin + d.at);
  const seconds = ((times.at(-1) ?? launchedAt) - launchedAt) / 1000;
  const spanSeconds = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
  return {
    recipients,
    sent,
    lost: recipients - perUser.size,
    duplicates,
    seconds: round(seconds, 2),
    ceilingRatio: round(sent / seconds / 50, 3),
    steadyRatio: round((sent - 1) / spanSeconds / 50, 3),
    firstSendSeconds: round(((times[0] ?? launchedAt) - launchedAt) / 1000, 2),
    throttled: counters.throttled,
    maxPerSecond: counters.maxTenantPerSecond,
  };
}
