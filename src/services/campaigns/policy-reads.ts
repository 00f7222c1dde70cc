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
