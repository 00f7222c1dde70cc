import * as z from 'zod/mini';

const problemSchema = z.looseObject({
  type: z.optional(z.string()),
  title: z.optional(z.string()),
  status: z.optional(z.number()),
  code: z.optional(z.string()),
  detail: z.optional(z.string()),
});

/** A non-2xx answer from the API, with the problem+json `code` kept for the views to branch on. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The whole problem body, e.g. `current` on a 409 conflict. */
  readonly problem: Record<string, unknown>;
  constructor(status: number, code: string, message: string, problem: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.problem = problem;
  }
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
  if (parsed.success) {
    const p = parsed.data;
    return new ApiError(
      response.status,
      p.code ?? `http-${response.status}`,
      p.detail ?? p.title ?? `The service answered ${response.status}.`,
      p,
    );
  }
  return new ApiError(
    response.status,
    `http-${response.status}`,
    `The service answered ${response.status} ${response.statusText}.`,
    {},
  );
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
        return `${error.message} (${error.code})`;
    }
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
