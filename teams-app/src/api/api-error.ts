import * as z from 'zod/mini';

const problemSchema = z.looseObject({
  type: z.optional(z.string()),
  title: z.optional(z.string()),
  status: z.optional(z.number()),
  code: z.optional(z.string()),
  detail: z.optional(z.string()),
  instance: z.optional(z.string()),
});

/** A non-2xx answer from the API, with the problem+json `code` kept for the views to branch on. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The whole problem body, e.g. `current` on a 409 conflict. */
  readonly problem: Record<string, unknown>;
  /**
   * The service's id for this request (the problem's `instance`, else the x-request-id header):
   * the same id is on every log line written while serving it, so a person can quote it.
   */
  readonly requestId: string | undefined;
  /** Retry-After in seconds, when the answer named one (503 and 429). */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    status: number,
    code: string,
    message: string,
    problem: Record<string, unknown>,
    meta: { requestId?: string | undefined; retryAfterSeconds?: number | undefined } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.problem = problem;
    this.requestId = meta.requestId;
    this.retryAfterSeconds = meta.retryAfterSeconds;
  }
}

/** Retry-After is either seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function requestIdOf(instance: string | undefined, header: string | null): string | undefined {
  if (instance !== undefined && instance !== '') return instance.replace(/^urn:uuid:/, '');
  return header ?? undefined;
}

export async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined; // not JSON (a proxy's HTML page): fall back to the status line below
  }
  const parsed = problemSchema.safeParse(body);
  const header = response.headers.get('x-request-id');
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), Date.now());
  if (parsed.success) {
    const p = parsed.data;
    return new ApiError(
      response.status,
      p.code ?? `http-${response.status}`,
      p.detail ?? p.title ?? `The service answered ${response.status}.`,
      p,
      { requestId: requestIdOf(p.instance, header), retryAfterSeconds },
    );
  }
  return new ApiError(
    response.status,
    `http-${response.status}`,
    `The service answered ${response.status} ${response.statusText}.`,
    {},
    { requestId: requestIdOf(undefined, header), retryAfterSeconds },
  );
}

/** What a person quotes to the school's IT lead: the request's id, when the service gave one. */
export function referenceOf(error: unknown): string | undefined {
  return error instanceof ApiError ? error.requestId : undefined;
}

/** A sentence for a person: what went wrong, without stack traces. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.status) {
      case 401:
        return 'You are not signed in, or your sign-in has expired. Reload the tab to sign in again.';
      case 403:
        return 'You do not have permission to do that.';
      default:
        return error.requestId === undefined
          ? `${error.message} (${error.code})`
          : `${error.message} (${error.code}; reference ${error.requestId})`;
    }
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
