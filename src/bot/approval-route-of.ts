import { approvalRoute, type ApprovalRoute, type NamedApprover } from '../domain/approval-route.ts';

/**
 * The route of a signer's approval from the bot's card settings (the school's approvers and its
 * named approver of approvers, as the composition root copied them).
 */
export function approvalRouteOf(
  cards: { approverIds?: readonly string[]; approversApprover?: NamedApprover },
  signerId: string,
): ApprovalRoute {
  return approvalRoute(
    {
      approverIds: [...(cards.approverIds ?? [])],
      ...(cards.approversApprover === undefined
        ? {}
        : { approversApprover: cards.approversApprover }),
    },
    signerId,
  );
}
