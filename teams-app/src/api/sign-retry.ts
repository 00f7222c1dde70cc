import { ApiError } from './api-error.ts';

/**
 * When a signature was not taken because something on the way was down or busy, the tab tries
 * again by itself (issue 13, item 2). Signing is idempotent (one row per person and version, by
 * a unique key), so sending the same signature again never stores it twice: if the first try
 * did land after all, the next one is answered with that signature.
 */

/** How many tries in all before the tab stops and asks the person to press Sign later. */
export const MAX_SIGN_ATTEMPTS = 20;

/** Used when an answer named no Retry-After, or no answer came at all. */
const DEFAULT_WAIT_SECONDS = 5;
/** Never wait longer than this between tries, whatever Retry-After says. */
const LONGEST_WAIT_SECONDS = 60;

export interface RetryPlan {
  /** Seconds to wait before the next try: the answer's Retry-After, within bounds. */
  waitSeconds: number;
  /** Why, in words for the person. */
  reason: string;
}

/**
 * Whether a failed sign is worth trying again by itself, and when: a 503 (Graph down, the
 * circuit open, the service at its in-flight cap or timed out), a 429, a gateway timeout, or no
 * answer at all (fetch rejects with a TypeError). Anything else (refused, invalid, outdated)
 * needs the person, not a retry.
 */
export function signRetryPlan(error: unknown): RetryPlan | null {
  if (error instanceof ApiError) {
    const wait = Math.min(
      LONGEST_WAIT_SECONDS,
      Math.max(1, error.retryAfterSeconds ?? DEFAULT_WAIT_SECONDS),
    );
    switch (error.status) {
      case 429:
        return { waitSeconds: wait, reason: 'Microsoft 365 is busy just now.' };
      case 503:
      case 504:
        return {
          waitSeconds: wait,
          reason: 'The school’s records in Microsoft 365 could not be reached just now.',
        };
      default:
        return null;
    }
  }
  if (error instanceof TypeError) {
    return { waitSeconds: DEFAULT_WAIT_SECONDS, reason: 'Countersign could not be reached.' };
  }
  return null;
}
