/**
 * Leases: one holder at a time across instances (the campaign sender, the scheduler), with a
 * fencing token so that a holder who lost its lease cannot write as if it still held it.
 * SQLite (node:sqlite) by default; Azure Tables when scaled out. Times come in as arguments.
 * Contract: tests/contract/lease-store.contract.ts.
 */

/** Proof of holding a lease; the store refuses sender writes whose token is not current. */
export interface Fence {
  lease: string;
  token: number;
}

export interface LeaseGrant {
  name: string;
  holder: string;
  /** Fencing token: grows every time the lease changes hands. */
  token: number;
  /** ISO 8601 UTC. */
  expiresAt: string;
}

export interface LeaseStore {
  /**
   * Takes the lease when it is free, expired, or already this holder's (then renews it,
   * keeping the token). Null when someone else holds it.
   */
  acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<LeaseGrant | null>;
  /** Extends a held lease; false when it was lost (expired and taken, or another token). */
  renewLease(grant: LeaseGrant, ttlMs: number, now: Date): Promise<LeaseGrant | null>;
  releaseLease(grant: LeaseGrant): Promise<void>;
}
