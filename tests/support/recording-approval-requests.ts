import type { Acknowledgement } from '../../src/domain/acknowledgement.ts';
import type { ApprovalRequests } from '../../src/services/approval-requests.ts';

/**
 * ApprovalRequests for tests of the use cases and the bot (not of the queue: see
 * tests/services/approval-requests.test.ts): each signature's request is recorded once, as the
 * work store's queue keeps one per signature, and reported delivered.
 */
export function recordingApprovalRequests(
  onRequest: (acknowledgement: Acknowledgement) => void,
): ApprovalRequests {
  const requested = new Set<string>();
  return {
    request(acknowledgement) {
      if (requested.has(acknowledgement.id)) return Promise.resolve(0);
      requested.add(acknowledgement.id);
      onRequest(acknowledgement);
      return Promise.resolve(1);
    },
    statuses(acknowledgements) {
      return Promise.resolve(
        new Map(
          acknowledgements.map((a) => [
            a.id,
            requested.has(a.id)
              ? { kind: 'delivered' as const, approvers: [] }
              : { kind: 'not-queued' as const },
          ]),
        ),
      );
    },
    resend: () => Promise.resolve(0),
  };
}
