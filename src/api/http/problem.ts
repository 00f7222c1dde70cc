import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { CountersignError } from '../../domain/errors.ts';
import type { ErrorCode } from '../../domain/errors.ts';

/**
 * Every error the API returns is RFC 9457 problem details with a stable `code`. The mapping from
 * codes to statuses lives here and nowhere else.
 */
export type ProblemCode =
  | ErrorCode
  /** The request is malformed (unparsable JSON, missing header): 400. */
  | 'bad-request'
  /** The path exists, the method does not: 405 with Allow. */
  | 'method-not-allowed'
  /** Anything unexpected: 500, with no detail leaked. */
  | 'internal';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  /** `urn:uuid:<request id>`: the request id in the logs, for a person to quote (RFC 9457 §3.1.5). */
  instance?: string;
  /** Extension members (e.g. `current` for an outdated signature, `issues` for validation). */
  [extension: string]: unknown;
}

const STATUS: Readonly<Record<ProblemCode, { status: number; title: string }>> = {
  'bad-request': { status: 400, title: 'Bad request' },
  unauthenticated: { status: 401, title: 'Not signed in' },
  forbidden: { status: 403, title: 'Not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  'precondition-failed': { status: 412, title: 'Precondition failed' },
  'too-large': { status: 413, title: 'Too large' },
  'unsupported-input': { status: 415, title: 'Unsupported input' },
  validation: { status: 422, title: 'Invalid request' },
  throttled: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  upstream: { status: 502, title: 'Upstream service failed' },
  unavailable: { status: 503, title: 'Temporarily unavailable' },
};

export function statusOf(code: ProblemCode): number {
  return STATUS[code].status;
}

export function problem(
  code: ProblemCode,
  detail: string,
  extensions: Record<string, unknown> = {},
): Problem {
  const { status, title } = STATUS[code];
  return { ...extensions, type: `urn:countersign:problem:${code}`, title, status, code, detail };
}

/** A thrown error that already knows its problem (raised by the API layer itself). */
export class ProblemError extends Error {
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;
  constructor(p: Problem, headers: Record<string, string> = {}) {
    super(p.detail);
    this.name = 'ProblemError';
    this.problem = p;
    this.headers = headers;
  }
}

/** Client-facing facts the service put in CountersignError details: only for 4xx, never 5xx. */
function safeDetails(error: CountersignError): Record<string, unknown> {
  const status = statusOf(error.code);
  if (status >= 500 || fromGraph(error) || Object.keys(error.details).length === 0) return {};
  return { details: error.details };
}

/**
 * An error mapped from a Graph answer (graphErrorToCountersign puts Graph's code in details).
 * Its message names the request (site id, list GUID, item) and Graph's own words: for the log,
 * not for the person, who gets a plain sentence for the code instead.
 */
function fromGraph(error: CountersignError): boolean {
  return 'graphCode' in error.details;
}

/** Retry-After of a 503 whose cause named no time (Graph did not answer at all). */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

const PLAIN_UPSTREAM: Partial<Record<ProblemCode, string>> = {
  throttled: 'Microsoft 365 is busy just now; try again in a moment.',
  unavailable: 'SharePoint did not answer just now; try again in a moment. Nothing was lost.',
  upstream: 'SharePoint answered with an error; it has been logged for the school\u2019s IT lead.',
  'not-found': 'That record is not in the school\u2019s SharePoint site.',
  conflict: 'That record was changed or created at the same moment; reload and try again.',
  'precondition-failed': 'That record was changed since you loaded it; reload and try again.',
  validation: 'SharePoint refused the change; it has been logged for the school\u2019s IT lead.',
};

function detailOf(error: CountersignError): string {
  if (!fromGraph(error)) return error.message;
  return (
    PLAIN_UPSTREAM[error.code] ??
    'A Microsoft 365 service answered with an error; it has been logged.'
  );
}

/**
 * Maps anything thrown while handling a request to a problem. Unexpected errors become a bare
 * 500 and are reported through `onUnexpected` (never swallowed).
 */
export function toProblem(
  error: unknown,
  onUnexpected: (error: unknown) => void,
): { problem: Problem; headers: Record<string, string> } {
  if (error instanceof ProblemError)
    return { problem: error.problem, headers: { ...error.headers } };
  if (error instanceof z.ZodError) {
    return { problem: validationProblem(error), headers: {} };
  }
  if (error instanceof CountersignError) {
    const headers: Record<string, string> = {};
    if (error.code === 'unauthenticated') {
      // RFC 6750: no token at all gets a bare challenge, not invalid_token.
      const missing = error.details['reason'] === 'missing-token';
      headers['www-authenticate'] = bearerChallenge(missing ? undefined : error.message);
    }
    const retryAfter = error.details['retryAfterSeconds'];
    if (
      (error.code === 'throttled' || error.code === 'unavailable') &&
      typeof retryAfter === 'number'
    ) {
      headers['retry-after'] = String(Math.max(0, Math.ceil(retryAfter)));
    } else if (error.code === 'unavailable') {
      // Every 503 says when to come back (RFC 9110 §10.2.3), so the tab and the connector retry
      // after a pause rather than at once or never: Graph named no time, so a short one.
      headers['retry-after'] = String(DEFAULT_RETRY_AFTER_SECONDS);
    }
    // Logged whole (Graph's errors name the request): every 5xx, and a write SharePoint refused.
    if (statusOf(error.code) >= 500 || (fromGraph(error) && error.code === 'validation')) {
      onUnexpected(error);
    }
    return { problem: problem(error.code, detailOf(error), safeDetails(error)), headers };
  }
  onUnexpected(error);
  return {
    problem: problem('internal', 'Something went wrong on our side; it has been logged.'),
    headers: {},
  };
}

export function validationProblem(error: z.ZodError, where = 'request'): Problem {
  const issues = error.issues.map((i) => ({
    path: i.path.map(String).join('.'),
    message: i.message,
  }));
  const first = issues[0];
  const detail =
    first === undefined
      ? `The ${where} is not valid.`
      : `The ${where} is not valid: ${first.path === '' ? '' : `${first.path}: `}${first.message}`;
  return problem('validation', detail, { issues });
}

/** RFC 6750 challenge; the description is quoted-string safe. */
export function bearerChallenge(description?: string): string {
  if (description === undefined) return 'Bearer realm="countersign"';
  // Header values are Latin-1 and the quoted-string grammar is stricter still: keep to ASCII.
  const safe = description.replaceAll('…', '...').replace(/[^\x20-\x7e]|["\\]/g, ' ');
  return `Bearer realm="countersign", error="invalid_token", error_description="${safe}"`;
}

export function sendProblem(
  res: ServerResponse,
  p: Problem,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(p);
  res.statusCode = p.status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (p.status === 401 && !res.hasHeader('www-authenticate')) {
    res.setHeader('www-authenticate', bearerChallenge());
  }
  res.setHeader('content-type', 'application/problem+json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}
