import { createHash } from 'node:crypto';

/**
 * The id of a school's campaign for one policy version. Every launch of that version derives the
 * same id until the campaign ends (cancelled or completed; then the generation moves on), so two
 * launches at once — a double click, two admins, a client retry — meet in `createJob` and
 * `createCampaign`, which refuse a second one, instead of each minting its own campaign.
 *
 * Readable first (policy, version, generation), then a short hash of all four so that schools
 * sharing a store never collide. URL-safe: it is a path segment of the API.
 */
export function campaignIdFor(
  schoolId: string,
  policyKey: string,
  versionNumber: number,
  generation: number,
): string {
  const hash = createHash('sha256')
    .update(`${schoolId}\u0000${policyKey}\u0000${versionNumber}\u0000${generation}`)
    .digest('hex')
    .slice(0, 12);
  return `${policyKey}-v${versionNumber}-${generation + 1}-${hash}`;
}
