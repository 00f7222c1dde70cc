import { audienceContentHash } from './content-hash.ts';
import type { AudienceKey } from './policy-document.ts';
import type { PolicyVersion } from './policy.ts';

/** How one audience set sees a version: the hash its readers compare (status.ts). */
export type AudienceViewHash = (
  version: PolicyVersion,
  audiences: readonly AudienceKey[],
) => string;

/**
 * audienceContentHash, remembered across calls: a report of 20,000 people in two audience sets
 * needs the hash of each version for each set once, not once per person (it was 89 % of the
 * report's CPU). Keyed by content: the version's own content hash (the hash of its whole
 * document, stored with it) and the audience set, so a draft edited in place or a version read
 * again is never confused with what it was. Bounded: at `maxEntries` it starts again.
 */
export class AudienceHashes {
  readonly #hashes = new Map<string, string>();
  readonly #maxEntries: number;
  readonly #hash: typeof audienceContentHash;

  constructor(maxEntries = 4_096, hash: typeof audienceContentHash = audienceContentHash) {
    this.#maxEntries = maxEntries;
    this.#hash = hash;
  }

  readonly of: AudienceViewHash = (version, audiences) => {
    const set = [...new Set(audiences)].sort().join('\u0000');
    const key = `${version.policyKey}\u0000${version.number}\u0000${version.contentHash}\u0000${set}`;
    let hash = this.#hashes.get(key);
    if (hash === undefined) {
      hash = this.#hash(version.document, audiences);
      if (this.#hashes.size >= this.#maxEntries) this.#hashes.clear();
      this.#hashes.set(key, hash);
    }
    return hash;
  };
}
