import { EMULATOR_AUTHORIZATION } from '../../support/emulator-graph.ts';

/**
 * A tiny fetch helper for the emulator tests: plain fetch, JSON in and out, as Countersign's app
 * (the emulator's dev app token; a test passes its own Authorization to be someone else).
 */
export interface JsonReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonReply> {
  const response = await fetch(path.startsWith('http') ? path : `${baseUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...EMULATOR_AUTHORIZATION, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

export function errorCode(reply: JsonReply): string | undefined {
  const error = reply.body.error as { code?: string } | undefined;
  return error?.code;
}

export function values(reply: JsonReply): Record<string, unknown>[] {
  return reply.body.value as Record<string, unknown>[];
}
