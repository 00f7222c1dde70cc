import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';

/**
 * Each request's id: made once, the first time anything asks (the server, the API, the bot),
 * so the problem a person sees (`instance`), the `x-request-id` header and every log entry of
 * the request name the same id. Made here, never taken from the client: a caller could reuse
 * one to muddle the logs.
 */
const ids = new WeakMap<IncomingMessage, string>();

export function requestIdOf(req: IncomingMessage): string {
  let id = ids.get(req);
  if (id === undefined) {
    id = randomUUID();
    ids.set(req, id);
  }
  return id;
}

/** The id as RFC 9457's `instance`: a URI reference naming this occurrence of the problem. */
export function problemInstance(requestId: string): string {
  return `urn:uuid:${requestId}`;
}
