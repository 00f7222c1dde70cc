/**
 * Who was seen in an audience, so the scheduler can tell new starters from staff who were
 * always there. Contract: tests/contract/membership-snapshots.contract.ts.
 */
export interface MembershipSnapshots {
  /**
   * Records the members seen in a scope (an audience of a policy) and returns those not seen
   * before. The first call for a scope is the baseline: it records everyone and returns none.
   */
  recordMembers(
    scope: string,
    userIds: readonly string[],
    now: Date,
  ): Promise<{ baseline: boolean; added: string[] }>;
}
