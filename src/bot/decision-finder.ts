import type { RecordStore } from '../ports/record-store.ts';
import type { BotDeps } from './bot-deps.ts';

/**
 * The default `findDecision`: reads a decided approval and its signature from the records, so an
 * approver whose card refreshes after someone else decided sees who decided and how. Two reads,
 * only on a refresh of a request that is no longer pending.
 */
export function recordsDecisionFinder(
  records: Pick<RecordStore, 'getAcknowledgement' | 'listApprovals'>,
): NonNullable<BotDeps['findDecision']> {
  return async (acknowledgementId) => {
    const ack = await records.getAcknowledgement(acknowledgementId);
    if (ack === null) return undefined;
    const approvals = await records.listApprovals({ userId: ack.value.userId });
    const decided = approvals.find(
      (a) => a.value.acknowledgementId === acknowledgementId && a.value.decision !== 'pending',
    );
    return decided === undefined
      ? undefined
      : { approval: decided.value, acknowledgement: ack.value };
  };
}
