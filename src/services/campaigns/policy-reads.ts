import { CountersignError } from '../../domain/errors.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Directory } from '../../ports/directory.ts';
import type { RecordStore } from '../../ports/record-store.ts';
import { withReadCache, type ReadCacheOptions } from '../read-cache.ts';

/** The policy and versions a campaign's cards need, or a not-found error. */
export interface PolicyReads {
  policy(key: string): Promise<Policy>;
  version(key: string, number: number): Promise<PolicyVersion>;
}

/** Cards' reads that a launch can hand what it read (the trust's sender's: primedPolicyReads). */
export interface PrimedPolicyReads extends PolicyReads {
  /** A policy and its versions as a launch just read them, used for the next `forMs`. */
  prime(policy: Policy, versions: readonly PolicyVersion[]): void;
}

/**
 * How long a launch's reads serve its cards: a trust-wide launch's 30 jobs are sent one after
 * another over about 4 minutes at 50 cards a second (12,500 people), and each job's first card
 * would otherwise read its policy and versions again (4 RU a job; bench:trust). A job's version
 * is its own whatever happens (its text is fixed by its content hash); only a policy's title
 * changed within these minutes shows on its cards late.
 */
export const PRIMED_FOR_MS = 300_000;

/** `reads`, answered first from what a launch primed (until it is PRIMED_FOR_MS old). */
export function primedPolicyReads(reads: PolicyReads, clock: Clock): PrimedPolicyReads {
  const primed = new Map<
    string,
    { policy: Policy; versions: readonly PolicyVersion[]; until: number }
  >();
  const fresh = (key: string) => {
    const entry = primed.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > clock.now().getTime()) return entry;
    primed.delete(key);
    return undefined;
  };
  return {
    prime(policy, versions) {
      primed.set(policy.key, {
        policy,
        versions: [...versions],
        until: clock.now().getTime() + PRIMED_FOR_MS,
      });
    },
    policy: (key) => {
      const entry = fresh(key);
      return entry === undefined ? reads.policy(key) : Promise.resolve(entry.policy);
    },
    version: (key, number) => {
      const found = fresh(key)?.versions.find((v) => v.number === number);
      return found === undefined ? reads.version(key, number) : Promise.resolve(found);
    },
  };
}

/**
 * Cards per job need the policy and its versions: read once per job and reused briefly
 * (read-cache.ts: 30 s by default), not read per person, nor kept for ever.
 */
export function cachedPolicyReads(
  records: RecordStore,
  directory: Directory,
  clock: Clock,
  options: ReadCacheOptions = {},
): PolicyReads {
  const cached = withReadCache(records, directory, clock, options).records;
  return {
    async policy(key) {
      const tagged = await cached.getPolicy(key);
      if (tagged === null) throw new CountersignError('not-found', `No policy ${key}.`, { key });
      return tagged.value;
    },
    async version(key, number) {
      const found = (await cached.listVersions(key)).find((t) => t.value.number === number);
      if (found === undefined) {
        throw new CountersignError('not-found', `No version ${number} of ${key}.`, {
          key,
          number,
        });
      }
      return found.value;
    },
  };
}
