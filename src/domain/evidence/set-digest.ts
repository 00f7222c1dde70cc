import { createHash } from 'node:crypto';
import { canonicalJson } from './domain-imports.ts';

/** One row in a checkpoint's set: its id and its record hash. */
export interface SetLeaf {
  id: string;
  hash: string;
}

/**
 * SHA-256 (hex) of the rows as a set: sorted by id then hash, duplicates collapsed, so the order
 * rows were read in does not matter. A sorted list, not a sum of hashes: a sum lets whoever can
 * delete rows search for a subset that cancels out; this cannot be matched without the same rows.
 */
export function setDigest(leaves: readonly SetLeaf[]): string {
  const unique = new Map<string, SetLeaf>();
  for (const leaf of leaves) unique.set(`${leaf.id}\u0000${leaf.hash}`, leaf);
  const sorted = [...unique.values()]
    .map((leaf): [string, string] => [leaf.id, leaf.hash])
    .sort(([a, ah], [b, bh]) => (a < b ? -1 : a > b ? 1 : ah < bh ? -1 : ah > bh ? 1 : 0));
  return createHash('sha256')
    .update(`countersign.evidence/set/v1\n${canonicalJson(sorted)}`, 'utf8')
    .digest('hex');
}
