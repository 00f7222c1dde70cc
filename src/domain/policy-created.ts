import { SERVICE_ACTOR, type AuditEvent } from './audit-event.ts';
import type { Policy } from './policy.ts';

/**
 * The `policy.created` event every creating path writes after the policy's row (create-policy,
 * trust-policies, the demo seed): who made it, with which settings. One shape, so the repair
 * sweep can tell a policy whose event was lost from one that has it, by subject (the key).
 */
export function policyCreatedEvent(
  policy: Policy,
  event: { id: string; actorId: string; at: string },
): AuditEvent {
  return {
    id: event.id,
    type: 'policy.created',
    actorId: event.actorId,
    at: event.at,
    subject: policy.key,
    details: settingsOf(policy),
  };
}

/**
 * The event the repair sweep writes for a policy whose own event was lost (the process stopped
 * between the two writes). Its actor is the service, not the creator: the event is the
 * service's statement, written later, and naming the creator as its actor would claim they
 * wrote it. The creator and the moment, as the policy's row keeps them (unsigned, absent on
 * rows from before the fields), are in the details. One fixed id per policy, so two sweeps at
 * once write one event.
 */
export function repairedPolicyCreatedEvent(policy: Policy, at: string): AuditEvent {
  return {
    id: `${policy.key}:created`,
    type: 'policy.created',
    actorId: SERVICE_ACTOR,
    at,
    subject: policy.key,
    details: {
      ...settingsOf(policy),
      repaired: true,
      ...(policy.createdBy === undefined ? {} : { createdBy: policy.createdBy }),
      ...(policy.createdAt === undefined ? {} : { createdAt: policy.createdAt }),
    },
  };
}

function settingsOf(policy: Policy): Record<string, unknown> {
  return {
    title: policy.title,
    audiences: policy.audiences,
    approvalMode: policy.approvalMode,
    renewal: policy.renewal,
    ...(policy.scope === undefined ? {} : { scope: policy.scope }),
    ...(policy.masterPolicyKey === undefined ? {} : { masterPolicyKey: policy.masterPolicyKey }),
  };
}
