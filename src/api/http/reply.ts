import type { ServerResponse } from 'node:http';

/** A JSON body; `T` is what the route's contract says it answers with (contract/responses.ts). */
export interface JsonReply<T = unknown> {
  status: number;
  json: T;
  headers?: Record<string, string>;
}
export interface TextReply {
  status: number;
  text: string;
  contentType: string;
  headers?: Record<string, string>;
}
/** Bytes of a file (the evidence PDFs). */
export interface BytesReply {
  status: number;
  bytes: Uint8Array;
  contentType: string;
  headers?: Record<string, string>;
}
export interface EmptyReply {
  status: 202 | 204;
  headers?: Record<string, string>;
}

/** What a route handler returns; the dispatcher writes it. */
export type Reply = JsonReply | TextReply | BytesReply | EmptyReply;

export function json<T>(json: T, status = 200): JsonReply<T> {
  return { status, json };
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  res.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if ('json' in reply) {
    const body = JSON.stringify(reply.json);
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  } else if ('text' in reply) {
    res.setHeader('content-type', reply.contentType);
    res.setHeader('content-length', Buffer.byteLength(reply.text));
    res.end(reply.text);
  } else if ('bytes' in reply) {
    res.setHeader('content-type', reply.contentType);
    res.setHeader('content-length', reply.bytes.byteLength);
    res.end(reply.bytes);
  } else {
    res.end();
  }
}
