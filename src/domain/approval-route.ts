import type { School } from './school.ts';

/**
 * Who approves one person's signature, from the school's settings. Nobody approves their own
 * signature, so an approver's own signature goes to the school's named approver of approvers
 * (the chair of governors, a deputy); without one, to the other approvers; with neither, to
 * nobody, and the signer is told so rather than told "the headteacher will approve".
 */
export type ApprovalRoute =
  /** An ordinary signer: any approver (the Policy.Approver role); the cards go to `notify`. */
  | { kind: 'approvers'; notify: readonly string[] }
  /** An approver's own signature: only the named approver decides. */
  | { kind: 'named'; approver: NamedApprover }
  /** An approver's own signature, no named approver and no other approver. */
  | { kind: 'nobody' };

export interface NamedApprover {
  id: string;
  name: string;
  role?: string;
}

type ApprovalSettings = Pick<School, 'approverIds' | 'approversApprover'>;

/** True when this person is one of the school's approvers (their signature is an approver's). */
export function isSchoolApprover(school: ApprovalSettings, personId: string): boolean {
  return school.approverIds.includes(personId);
}

export function approvalRoute(school: ApprovalSettings, signerId: string): ApprovalRoute {
  const others = school.approverIds.filter((id) => id !== signerId);
  if (!isSchoolApprover(school, signerId)) return { kind: 'approvers', notify: others };
  const named = school.approversApprover;
  if (named !== undefined && named.id !== signerId) return { kind: 'named', approver: named };
  return others.length > 0 ? { kind: 'approvers', notify: others } : { kind: 'nobody' };
}

/** Whom the approval request card goes to, and whose copy of it refreshes. */
export function approvalRecipients(route: ApprovalRoute): readonly string[] {
  switch (route.kind) {
    case 'approvers':
      return route.notify;
    case 'named':
      return [route.approver.id];
    case 'nobody':
      return [];
  }
}

export type DecisionAuthority =
  | { allowed: true }
  | {
      allowed: false;
      reason: 'own-signature' | 'named-approver-only' | 'not-an-approver' | 'nobody-named';
      message: string;
    };

/**
 * May this person decide on this signer's signature? `holdsApproverRole` is the Policy.Approver
 * role as the channel established it (the token's roles, or the school's settings in the bot).
 * The named approver decides approvers' signatures only, unless they are an approver themselves:
 * naming the chair of governors does not make her the approver of every member of staff.
 */
export function decisionAuthority(
  school: ApprovalSettings,
  actor: { id: string; holdsApproverRole: boolean },
  signerId: string,
): DecisionAuthority {
  if (actor.id === signerId) {
    return {
      allowed: false,
      reason: 'own-signature',
      message: 'You cannot approve your own signature.',
    };
  }
  const route = approvalRoute(school, signerId);
  switch (route.kind) {
    case 'named':
      return actor.id === route.approver.id
        ? { allowed: true }
        : {
            allowed: false,
            reason: 'named-approver-only',
            message: `An approver’s own signature is decided by ${describeApprover(route.approver)}, not by another approver.`,
          };
    case 'nobody':
      return {
        allowed: false,
        reason: 'nobody-named',
        message:
          'Nobody can approve this signature: the school names no approver for the approvers’ own signatures (approversApprover in the school’s settings).',
      };
    case 'approvers': {
      const namedOnly =
        school.approversApprover?.id === actor.id && !isSchoolApprover(school, actor.id);
      if (actor.holdsApproverRole && !namedOnly) return { allowed: true };
      return {
        allowed: false,
        reason: 'not-an-approver',
        message: namedOnly
          ? 'You approve the approvers’ own signatures only.'
          : 'This needs the Policy.Approver role.',
      };
    }
  }
}

/** "Margaret Ellison (Chair of Governors)". */
export function describeApprover(approver: NamedApprover): string {
  return approver.role === undefined ? approver.name : `${approver.name} (${approver.role})`;
}
