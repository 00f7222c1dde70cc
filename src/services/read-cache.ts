import type { Policy, PolicyVersion } from '../domain/policy.ts';
import type { Clock } from '../ports/clock.ts';
import type { Directory } from '../ports/directory.ts';
import type { RecordStore, Tagged } from '../ports/record-store.ts';

interface Entry<T> {
  value: Promise<T>;
  expires: number;
  /** The policy generation the read began in: a change since makes it stale. */
  generation: number;
}

/**
 * Policy writes made anywhere in this instance. Every school's service (and the trust's own
 * writes) share one, so a master published or withdrawn by the trust lead, or a school's copy
 * changed through another school's service, is seen by every school's cache at once, not after
 * its TTL. A counter rather than a list of caches to clear: nothing to unsubscribe when a
 * school's services are composed anew.
 */
export class PolicyChanges {
  #generation = 0;

  get generation(): number {
    return this.#generation;
  }

  changed(): void {
    this.#generation += 1;
  }
}

/** A small time-boxed memo of promises; a failed read is forgotten at once. */
class TtlCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #changes: PolicyChanges | undefined;

  constructor(clock: Clock, ttlMs: number, maxEntries: number, changes?: PolicyChanges) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
    this.#changes = changes;
  }

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.#clock.now().getTime();
    const generation = this.#changes?.generation ?? 0;
    const hit = this.#entries.get(key);
    if (hit && hit.expires > now && hit.generation === generation) return hit.value;
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    const value = load();
    this.#entries.set(key, { value, expires: now + this.#ttlMs, generation });
    value.catch(() => this.#entries.delete(key));
    return value;
  }

  clear(): void {
    this.#entries.clear();
  }
}

export interface ReadCacheOptions {
  /** How long policies and versions are reused (publishing here clears them at once). */
  policyTtlMs?: number;
  /** How long a person's group memberships are reused. */
  membershipTtlMs?: number;
  /** Policy writes shared with the instance's other caches (default: this cache's own). */
  policyChanges?: PolicyChanges;
}

const POLICY_WRITES = [
  'putPolicy',
  'createVersion',
  'publishVersion',
  'withdrawVersion',
  'updateDraft',
] as const satisfies readonly (keyof RecordStore)[];

/**
 * The store with every policy write counted in `changes` when it settles (success or not: a
 * write that failed may still have landed), for writers that read nothing through a cache, such
 * as the trust's own calls over the whole site.
 */
export function reportingPolicyChanges<R extends RecordStore>(
  records: R,
  changes: PolicyChanges,
): R {
  return new Proxy(records, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = (value as (...a: unknown[]) => unknown).bind(target);
      if (!(POLICY_WRITES as readonly PropertyKey[]).includes(property)) return method;
      return (...args: unknown[]) =>
        (method(...args) as Promise<unknown>).finally(() => changes.changed());
    },
  });
}

/**
 * Policies, versions and group memberships change rarely but every signature needs them, so
 * each instance keeps them briefly: a signature then costs the person's own records and the
 * write, not six Graph requests. Writes through this instance clear the policy cache at once
 * (through any cache sharing its PolicyChanges: every school's service in a trust);
 * another instance's publish is seen within policyTtlMs (the sign use case still refuses a
 * content hash that is not the current one it knows).
 */
export function withReadCache(
  records: RecordStore,
  directory: Directory,
  clock: Clock,
  options: ReadCacheOptions = {},
): { records: RecordStore; directory: Directory } {
  const policyTtl = options.policyTtlMs ?? 30_000;
  const changes = options.policyChanges ?? new PolicyChanges();
  const policies = new TtlCache<Tagged<Policy> | null>(clock, policyTtl, 1_000, changes);
  const versions = new TtlCache<Tagged<PolicyVersion>[]>(clock, policyTtl, 1_000, changes);
  const policyLists = new TtlCache<Policy[]>(clock, policyTtl, 100, changes);
  const memberships = new TtlCache<string[]>(clock, options.membershipTtlMs ?? 300_000, 50_000);
  const clear = <T>(result: Promise<T>): Promise<T> =>
    result.finally(() => {
      changes.changed();
      policies.clear();
      versions.clear();
      policyLists.clear();
    });

  const overrides: Partial<RecordStore> = {
    listPolicies: (schoolId?: string) =>
      policyLists.get(schoolId ?? '*', () => records.listPolicies(schoolId)),
    getPolicy: (key: string) => policies.get(key, () => records.getPolicy(key)),
    listVersions: (key: string) => versions.get(key, () => records.listVersions(key)),
    putPolicy: (...args) => clear(records.putPolicy(...args)),
    createVersion: (...args) => clear(records.createVersion(...args)),
    publishVersion: (...args) => clear(records.publishVersion(...args)),
    withdrawVersion: (...args) => clear(records.withdrawVersion(...args)),
    updateDraft: (...args) => clear(records.updateDraft(...args)),
  };
  // Everything else goes straight to the store (bound, so adapters' private fields still work).
  const cachedRecords = new Proxy(records, {
    get(target, property, receiver) {
      const own = overrides[property as keyof RecordStore];
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });

  const cachedDirectory: Directory = {
    getPerson: (id) => directory.getPerson(id),
    listGroupMembers: (groupId) => directory.listGroupMembers(groupId),
    listMemberships: (personId) =>
      memberships.get(personId, () => directory.listMemberships(personId)),
    // The group picker wants the directory as it is while the admin types: never cached.
    searchGroups: (search) => directory.searchGroups(search),
  };
  return { records: cachedRecords, directory: cachedDirectory };
}
