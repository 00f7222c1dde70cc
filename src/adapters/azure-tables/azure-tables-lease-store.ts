import type { TableClient } from '@azure/data-tables';
import type { LeaseGrant, LeaseStore } from '../../ports/lease-store.ts';
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
 * instances taking an expired lease one wins and the token grows by one.
 */
export class AzureTablesLeaseStore implements LeaseStore {
  readonly #leases: TableClient;

  constructor(leases: TableClient) {
    this.#leases = leases;
  }

  /** Replaces the lease under its etag; false when someone changed it first. */
  async #writeLease(next: LeaseEntity, etag: string): Promise<boolean> {
    try {
      await this.#leases.updateEntity(
        withKeys(LEASES_PARTITION, encodeKey(next.name), next),
        'Replace',
        { etag },
      );
      return true;
    } catch (error) {
      if (isRaceLost(error)) return false;
      throw storageError(error, `update lease ${next.name}`);
    }
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
          await this.#leases.createEntity(withKeys(LEASES_PARTITION, encodeKey(name), first));
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
      if (await this.#writeLease(next, found.etag)) return toGrant(next);
    }
    throw racing(`acquire lease ${name}`);
  }

  async renewLease(grant: LeaseGrant, ttlMs: number, now: Date): Promise<LeaseGrant | null> {
    const expiresAt = iso(now.getTime() + ttlMs);
    for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
      const found = await readLease(this.#leases, grant.name);
      if (found === null) return null;
      if (found.value.holder !== grant.holder || found.value.token !== grant.token) return null;
      const next = { ...found.value, expiresAt };
      if (await this.#writeLease(next, found.etag)) return toGrant(next);
    }
    throw racing(`renew lease ${grant.name}`);
  }

  async releaseLease(grant: LeaseGrant): Promise<void> {
    // Expire it rather than delete it: the token must keep growing for fencing to work.
    for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
      const found = await readLease(this.#leases, grant.name);
      if (found === null) return;
      if (found.value.holder !== grant.holder || found.value.token !== grant.token) return;
      if (await this.#writeLease({ ...found.value, expiresAt: iso(0) }, found.etag)) return;
    }
    throw racing(`release lease ${grant.name}`);
  }
}
