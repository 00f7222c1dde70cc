import type { TableClient } from '@azure/data-tables';
import type { LeaseGrant, LeaseStore } from '../../ports/lease-store.ts';
import { HeldLeases } from './held-leases.ts';
import { leaseEntity, toGrant, withKeys, type LeaseEntity } from './table-entities.ts';
import { isRaceLost, storageError } from './table-errors.ts';
import { statusOf } from '../azure-storage/storage-errors.ts';
import { iso, RACE_RETRIES, racing, readEntity, type Read } from './table-access.ts';
import { encodeKey } from './table-keys.ts';

const LEASES_PARTITION = 'leases';

/** A lease as stored, with its etag (the delivery queue checks fences against it). */
export function readLease(leases: TableClient, name: string): Promise<Read<LeaseEntity> | null> {
  return readEntity(leases, LEASES_PARTITION, encodeKey(name), leaseEntity);
}

/**
 * Leases on Azure Table storage: single entities replaced under their etag, so of several
 * instances taking an expired lease one wins and the token grows by one. What this process
 * wrote last is remembered (held-leases.ts): a renewal or a release writes under that etag
 * without reading first, and the delivery queue trusts a young grant of its own.
 */
export class AzureTablesLeaseStore implements LeaseStore {
  readonly #leases: TableClient;
  readonly #held: HeldLeases;

  constructor(leases: TableClient, held: HeldLeases = new HeldLeases()) {
    this.#leases = leases;
    this.#held = held;
  }

  /** Replaces the lease under its etag; false when someone changed it first. */
  async #writeLease(next: LeaseEntity, etag: string, now: number): Promise<boolean> {
    try {
      const response = await this.#leases.updateEntity(
        withKeys(LEASES_PARTITION, encodeKey(next.name), next),
        'Replace',
        { etag },
      );
      this.#remember(next, now, response.etag);
      return true;
    } catch (error) {
      this.#held.forget(next.name);
      if (isRaceLost(error)) return false;
      throw storageError(error, `update lease ${next.name}`);
    }
  }

  #remember(lease: LeaseEntity, now: number, etag: string | undefined): void {
    const expiresAt = Date.parse(lease.expiresAt);
    if (etag === undefined || expiresAt <= now) {
      this.#held.forget(lease.name);
      return;
    }
    this.#held.noteWritten(lease.name, {
      holder: lease.holder,
      token: lease.token,
      grantedAt: now,
      expiresAt,
      etag,
    });
  }

  /** Renews or releases a grant under the etag this process wrote it with (no read). */
  async #rewriteHeld(grant: LeaseGrant, next: LeaseEntity, now: number): Promise<boolean> {
    const held = this.#held.held(grant.name, grant.holder, grant.token);
    if (held === undefined) return false;
    return this.#writeLease(next, held.etag, now);
  }

  async acquireLease(
    name: string,
    holder: string,
    ttlMs: number,
    now: Date,
  ): Promise<LeaseGrant | null> {
    const at = now.getTime();
    const expiresAt = iso(at + ttlMs);
    for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
      const found = await readLease(this.#leases, name);
      if (found === null) {
        const first: LeaseEntity = { name, holder, token: 1, expiresAt };
        try {
          const response = await this.#leases.createEntity(
            withKeys(LEASES_PARTITION, encodeKey(name), first),
          );
          this.#remember(first, at, response.etag);
          return toGrant(first);
        } catch (error) {
          if (statusOf(error) !== 409) throw storageError(error, `create lease ${name}`);
          continue;
        }
      }
      const lease = found.value;
      let next: LeaseEntity;
      if (lease.holder === holder) next = { ...lease, expiresAt };
      else if (Date.parse(lease.expiresAt) > at) return null;
      else next = { name, holder, token: lease.token + 1, expiresAt };
      if (await this.#writeLease(next, found.etag, at)) return toGrant(next);
    }
    throw racing(`acquire lease ${name}`);
  }

  async renewLease(grant: LeaseGrant, ttlMs: number, now: Date): Promise<LeaseGrant | null> {
    const at = now.getTime();
    const expiresAt = iso(at + ttlMs);
    const renewed: LeaseEntity = {
      name: grant.name,
      holder: grant.holder,
      token: grant.token,
      expiresAt,
    };
    // Unchanged since this process wrote it: one write, no read.
    if (await this.#rewriteHeld(grant, renewed, at)) return toGrant(renewed);
    for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
      const found = await readLease(this.#leases, grant.name);
      if (found === null) return null;
      if (found.value.holder !== grant.holder || found.value.token !== grant.token) return null;
      const next = { ...found.value, expiresAt };
      if (await this.#writeLease(next, found.etag, at)) return toGrant(next);
    }
    throw racing(`renew lease ${grant.name}`);
  }

  async releaseLease(grant: LeaseGrant): Promise<void> {
    // Expire it rather than delete it: the token must keep growing for fencing to work. The
    // next holder can take it at once (a clean shutdown hands over without waiting the TTL).
    const released: LeaseEntity = {
      name: grant.name,
      holder: grant.holder,
      token: grant.token,
      expiresAt: iso(0),
    };
    if (await this.#rewriteHeld(grant, released, 0)) return;
    for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
      const found = await readLease(this.#leases, grant.name);
      if (found === null) return;
      if (found.value.holder !== grant.holder || found.value.token !== grant.token) return;
      if (await this.#writeLease({ ...found.value, expiresAt: iso(0) }, found.etag, 0)) return;
    }
    throw racing(`release lease ${grant.name}`);
  }
}
