import { graphError, type EmulatedResponse } from './emulated-http.ts';

/**
 * The answer to a throttled request: SharePoint (through Graph) says `activityLimitReached`,
 * the rest of Graph `TooManyRequests`; 503 is `serviceNotAvailable`. Both carry Retry-After.
 */
export function throttledResponse(
  status: 429 | 503,
  sharePoint: boolean,
  retryAfterSeconds: number,
): EmulatedResponse {
  const headers = { 'Retry-After': String(retryAfterSeconds) };
  if (status === 503) {
    return graphError(
      503,
      'serviceNotAvailable',
      'The service is temporarily unavailable. Please retry after the time in the Retry-After header.',
      headers,
    );
  }
  return sharePoint
    ? graphError(
        429,
        'activityLimitReached',
        'The request has been throttled. Please retry after the time in the Retry-After header.',
        headers,
      )
    : graphError(429, 'TooManyRequests', 'Too many requests. Please try again later.', headers);
}
