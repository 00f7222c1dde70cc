import { request, type Server } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TokenVerifier } from '../../src/api/auth/token-verifier.ts';
import { createApiHandler } from '../../src/api/create-api-handler.ts';
import { requestIdOf } from '../../src/http/request-id.ts';
import type { LogFields, Logger } from '../../src/ports/logger.ts';
import { createHttpServer, listen } from '../../src/server/http-server.ts';
import { createFakeService } from './support/fake-service.ts';
import { createTokenFactory, PEOPLE } from './support/tokens.ts';
import type { TokenFactory } from './support/tokens.ts';

// The server's handler timeout (src/server/http-server.ts) answers 503 for a handler that is
// still working; when the handler finishes later its answer must be dropped and logged as late,
// not written a second time (ERR_HTTP_HEADERS_SENT) and logged as a failure.

interface Entry {
  level: string;
  message: string;
  fields: LogFields;
}

/** Keeps every entry; `next(message)` resolves when one with that message arrives. */
function recordingLogger(): {
  log: Logger;
  entries: Entry[];
  next: (message: string) => Promise<Entry>;
} {
  const entries: Entry[] = [];
  const waiting: { message: string; resolve: (entry: Entry) => void }[] = [];
  const at =
    (level: string) =>
    (message: string, fields: LogFields = {}): void => {
      const entry = { level, message, fields };
      entries.push(entry);
      for (const w of waiting.filter((x) => x.message === message)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(entry);
      }
    };
  const log: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => log,
  };
  return {
    log,
    entries,
    next: (message) =>
      new Promise((resolve) => {
        const found = entries.find((e) => e.message === message);
        if (found !== undefined) resolve(found);
        else waiting.push({ message, resolve });
      }),
  };
}

/** A verifier that holds every request until `release()`, then verifies it for real. */
function heldVerifier(real: TokenVerifier): { auth: TokenVerifier; release(): void } {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    auth: { verify: async (authorization) => (await gate, real.verify(authorization)) },
    release: () => release(),
  };
}

let tokens: TokenFactory;
const servers: Server[] = [];

beforeAll(async () => {
  tokens = await createTokenFactory();
});
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function start(auth: TokenVerifier, log: Logger) {
  const serverErrors: unknown[] = [];
  const requestIds: string[] = [];
  const api = createApiHandler({
    service: createFakeService(),
    importPolicy: () => Promise.reject(new Error('not used')),
    auth,
    log,
    onUnexpectedError: (error) => serverErrors.push(error),
  });
  const server = createHttpServer([api], (error) => serverErrors.push(error), {
    // Injected short timeout: the held verifier keeps the handler past it for certain.
    handlerTimeoutMs: 20,
    observe: (req, _res, handle) => {
      requestIds.push(requestIdOf(req));
      return handle();
    },
  });
  servers.push(server);
  const port = await listen(server, 0, '127.0.0.1');
  return { port, serverErrors, requestIds };
}

function get(
  port: number,
  path: string,
  authorization: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { authorization } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('an API answer after the handler timeout', () => {
  it('is dropped and logged once as late, with the request id, not as a failed request', async () => {
    const { log, entries, next } = recordingLogger();
    const held = heldVerifier(tokens.verifier());
    const { port, serverErrors, requestIds } = await start(held.auth, log);
    const token = `Bearer ${await tokens.token(PEOPLE.staff)}`;

    const reply = await get(port, '/api/me', token);
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body)).toMatchObject({ code: 'unavailable' });

    held.release();
    const late = await next('API request answered after the timeout');
    expect(late.level).toBe('warn');
    expect(late.fields).toEqual({
      method: 'GET',
      path: '/api/me',
      requestId: requestIds[0],
      status: 200,
    });
    expect(entries.filter((e) => e.message === 'API request failed')).toEqual([]);
    // The server reported its own timeout, and nothing else (no ERR_HTTP_HEADERS_SENT).
    expect(serverErrors.map(String)).toEqual(['Error: no answer within 20 ms']);
  });

  it('logs a refusal that comes after the timeout as late too, and the next request is served', async () => {
    const { log, entries, next } = recordingLogger();
    const held = heldVerifier(tokens.verifier());
    const { port, serverErrors, requestIds } = await start(held.auth, log);

    const reply = await get(port, '/api/me', 'Bearer not-a-token');
    expect(reply.status).toBe(503);

    held.release();
    const late = await next('API request answered after the timeout');
    expect(late.fields).toEqual({
      method: 'GET',
      path: '/api/me',
      requestId: requestIds[0],
      status: 401,
      code: 'unauthenticated',
    });
    expect(entries.filter((e) => e.message === 'API request failed')).toEqual([]);
    expect(serverErrors.map(String)).toEqual(['Error: no answer within 20 ms']);

    // The gate is open now: the same server answers the next request itself.
    const after = await get(port, '/api/me', `Bearer ${await tokens.token(PEOPLE.staff)}`);
    expect(after.status).toBe(200);
  });
});
