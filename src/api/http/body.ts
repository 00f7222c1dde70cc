import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { readBodyAtMost } from '../../http/read-body.ts';
import { problem, ProblemError, validationProblem } from './problem.ts';

/**
 * Reads a request body into memory (src/http/read-body.ts), refusing it (413) as soon as it
 * passes `maxBytes`, declared or streamed.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const body = await readBodyAtMost(req, maxBytes);
  if (body === undefined) throw tooLarge(maxBytes);
  return new Uint8Array(body);
}

function tooLarge(maxBytes: number): ProblemError {
  // The rest of the body is not read: close the connection rather than drain it.
  return new ProblemError(
    problem('too-large', `The request body is larger than the limit of ${formatBytes(maxBytes)}.`, {
      maxBytes,
    }),
    { connection: 'close' },
  );
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KB`;
  return `${n} bytes`;
}

/** The media type without parameters, lower-cased ("application/json; charset=utf-8" → …). */
export function mediaType(req: IncomingMessage): string | undefined {
  const raw = req.headers['content-type'];
  if (raw === undefined) return undefined;
  return raw.split(';')[0]?.trim().toLowerCase();
}

/** Reads, parses and validates a JSON body; types come from the schema. */
export async function readJson<S extends z.ZodType>(
  req: IncomingMessage,
  schema: S,
  maxBytes: number,
): Promise<z.infer<S>> {
  const type = mediaType(req);
  if (type !== 'application/json' && !(type?.endsWith('+json') ?? false)) {
    throw new ProblemError(
      problem('unsupported-input', 'Send the request body as application/json.', {
        accepted: ['application/json'],
      }),
    );
  }
  const bytes = await readBody(req, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ProblemError(
      problem('bad-request', `The request body is not valid JSON: ${(error as Error).message}`),
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ProblemError(validationProblem(parsed.error, 'request body'));
  return parsed.data;
}
