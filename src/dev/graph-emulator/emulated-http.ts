import { randomUUID } from 'node:crypto';

/**
 * One request as the emulator's handlers see it, whether it came over HTTP or from inside a
 * `$batch`: the path is relative to `/v1.0/` and already split from its query string.
 */
export interface EmulatedRequest {
  method: string;
  /** Path segments after `/v1.0/`, percent-decoded. */
  segments: string[];
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: unknown;
  /** The body's bytes as sent (a file's content); absent inside a `$batch`. */
  raw?: Buffer;
}

export interface EmulatedResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON body; undefined for 201/204 responses without one. */
  body?: unknown;
}

/** What a handled request costs against SharePoint's resource-unit budget. */
export interface Handled {
  response: EmulatedResponse;
  resourceUnits: number;
}

export const JSON_CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** A Graph error body: `{ error: { code, message, innerError } }` as documented. */
export function graphError(
  status: number,
  code: string,
  message: string,
  extraHeaders: Record<string, string> = {},
): EmulatedResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'Content-Type': JSON_CONTENT_TYPE, 'request-id': requestId, ...extraHeaders },
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    },
  };
}

export function jsonResponse(
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): EmulatedResponse {
  return {
    status,
    headers: { 'Content-Type': JSON_CONTENT_TYPE, 'request-id': randomUUID(), ...extraHeaders },
    body,
  };
}

export function emptyResponse(status: number): EmulatedResponse {
  return { status, headers: { 'request-id': randomUUID() } };
}

/** Thrown inside handlers to answer with a Graph error; caught by the router. */
export class GraphHttpError extends Error {
  readonly response: EmulatedResponse;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'GraphHttpError';
    this.response = graphError(status, code, message);
  }
}

/** Reads an OData query option with or without its `$` (Graph accepts both for SharePoint). */
export function queryOption(query: URLSearchParams, name: string): string | undefined {
  return query.get(`$${name}`) ?? query.get(name) ?? undefined;
}
