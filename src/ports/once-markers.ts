/**
 * Things done once (a campaign's digest, a reminder round), so scheduled work that runs on
 * every instance every few minutes does each of them once. Contract:
 * tests/contract/once-markers.contract.ts.
 */
export interface OnceMarkers {
  /** Records that something happened once (a digest, a reminder round); false if already. */
  markOnce(key: string, now: Date): Promise<boolean>;
  /**
   * Whether `markOnce` recorded that key, marking nothing: work that must not be lost to a
   * transient error checks first and marks only once it has succeeded.
   */
  isMarked(key: string): Promise<boolean>;
}
