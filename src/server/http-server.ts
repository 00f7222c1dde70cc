import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { problemInstance, requestIdOf } from '../http/request-id.ts';
import type { Readiness } from './readiness.ts';

/** A handler answers and returns true, or returns false to let the next one try. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface HttpServerOptions {
  /**
   * Production only (served over HTTPS): Strict-Transport-Security on every response. Off
   * locally, where the service is plain http://localhost and a pinned HSTS entry would break it.
   */
  hsts?: boolean;
  /** The whole request, headers and body, must arrive within this. Default 30 s. */
  requestTimeoutMs?: number;
  /** The request line and headers must arrive within this (at most requestTimeoutMs). Default 20 s. */
  headersTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. Default 65 s. */
  keepAliveTimeoutMs?: number;
  /** Connections beyond this are closed as soon as they are accepted. Default 1,000. */
  maxConnections?: number;
  /**
   * Requests handled at once (health checks aside). One more is refused at once, 503 with
   * Retry-After, rather than queued behind the others until everyone times out. Default 64.
   */
  maxInFlight?: number;
  /**
   * A handler that has not answered in this long gets a 503 with Retry-After sent for it (its
   * work may still finish, and keeps its place in maxInFlight until it does). Default 20 s.
   */
  handlerTimeoutMs?: number;
  /** GET /readyz: whether this instance can serve (absent: ready whenever it answers). */
  readiness?: () => Promise<Readiness>;
  /**
   * Wraps the handling of every request let through the cap (src/server/request-observer.ts:
   * its request id, span and log scope). Default: handle it as is.
   */
  observe?: RequestObserver;
}

/** Runs `handle` (which answers the request) inside whatever the observer keeps per request. */
export type RequestObserver = (
  req: IncomingMessage,
  res: ServerResponse,
  handle: () => Promise<void>,
) => Promise<void>;

export const HSTS_HEADER = 'max-age=31536000; includeSubDomains';

export const HTTP_SERVER_DEFAULTS = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 20_000,
  // Node 24's default is 5 s. Outlive the usual 60 s idle timeout of the proxy in front, so
  // it never reuses a connection Node has just closed (which it reports as a 502).
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1_000,
  maxInFlight: 64,
  handlerTimeoutMs: 20_000,
} as const;

/** Retry-After of a request refused because the instance is full: a moment is enough. */
const BUSY_RETRY_AFTER_SECONDS = 1;
/** Retry-After of a request that ran out of time: whatever it did may still be finishing. */
const TIMEOUT_RETRY_AFTER_SECONDS = 5;

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive whole number, not ${value}.`);
  }
  return value;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
}

/** A 503 problem (the API's shape, src/api/http/problem.ts) with its Retry-After. */
function unavailable(res: ServerResponse, detail: string, retryAfterSeconds: number): void {
  res
    .writeHead(503, {
      'Content-Type': 'application/problem+json',
      'Cache-Control': 'no-store',
      'Retry-After': String(retryAfterSeconds),
    })
    .end(
      JSON.stringify({
        type: 'urn:countersign:problem:unavailable',
        title: 'Temporarily unavailable',
        status: 503,
        code: 'unavailable',
        detail,
      }),
    );
}

/**
 * One node:http server for the whole service: the API, the bot endpoint, the tab's files and
 * a health check, tried in order.
 *
 * Slow clients cannot hold it: headers must arrive within headersTimeoutMs and the whole
 * request within requestTimeoutMs (Node answers 408 and closes), which bounds what a trickled
 * body or a silent connection costs. A handler that takes longer than handlerTimeoutMs has a
 * 503 sent for it, and at most maxInFlight requests are handled at once: the next is refused at
 * once (503, Retry-After) instead of waiting behind them. /healthz and /readyz are answered
 * before that cap, so a saturated instance still says it is alive. There is no cap on requests
 * per connection (maxRequestsPerSocket): behind App Service's front end the connections are the
 * proxy's own, and recycling them only adds handshakes.
 */
export function createHttpServer(
  handlers: readonly RequestHandler[],
  onError: (error: unknown, req: IncomingMessage) => void,
  options: HttpServerOptions = {},
): Server {
  const requestTimeout = positiveInteger(
    options.requestTimeoutMs ?? HTTP_SERVER_DEFAULTS.requestTimeoutMs,
    'requestTimeoutMs',
  );
  const headersTimeout = Math.min(
    positiveInteger(
      options.headersTimeoutMs ?? HTTP_SERVER_DEFAULTS.headersTimeoutMs,
      'headersTimeoutMs',
    ),
    requestTimeout,
  );
  const maxInFlight = positiveInteger(
    options.maxInFlight ?? HTTP_SERVER_DEFAULTS.maxInFlight,
    'maxInFlight',
  );
  const handlerTimeout = positiveInteger(
    options.handlerTimeoutMs ?? HTTP_SERVER_DEFAULTS.handlerTimeoutMs,
    'handlerTimeoutMs',
  );
  let inFlight = 0;
  const observe: RequestObserver = options.observe ?? ((_req, _res, handle) => handle());
  const server = createServer(
    {
      requestTimeout,
      headersTimeout,
      keepAliveTimeout: positiveInteger(
        options.keepAliveTimeoutMs ?? HTTP_SERVER_DEFAULTS.keepAliveTimeoutMs,
        'keepAliveTimeoutMs',
      ),
      // Node enforces both timeouts only when it sweeps its connections (every 30 s by
      // default), so a 30 s limit could let a request run to nearly 60 s: sweep every second
      // (a tenth of the limit when it is shorter, as in tests).
      connectionsCheckingInterval: Math.max(
        10,
        Math.min(1_000, Math.floor(Math.min(headersTimeout, requestTimeout) / 10)),
      ),
    },
    (req, res) => {
      if (options.hsts === true) res.setHeader('Strict-Transport-Security', HSTS_HEADER);
      // Every handler parses req.url; a target WHATWG URL refuses ("//", "//[") is a bad
      // request here, once, not an exception (a 500) in whichever handler parses it first.
      if (!URL.canParse(req.url ?? '/', 'http://localhost')) {
        plain(res, 400, 'Bad request');
        return;
      }
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      // Health first, outside the cap: answered even when every slot is taken.
      if (path === '/healthz') {
        plain(res, 200, 'ok');
        return;
      }
      if (path === '/readyz') {
        answerReadiness(res, options.readiness, (error) => onError(error, req));
        return;
      }
      if (inFlight >= maxInFlight) {
        unavailable(
          res,
          'Countersign is busy just now; try again in a moment.',
          BUSY_RETRY_AFTER_SECONDS,
        );
        return;
      }
      inFlight += 1;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        onError(new Error(`no answer within ${handlerTimeout} ms`), req);
        if (!res.headersSent) {
          unavailable(
            res,
            'Countersign took too long to answer. What you asked may still be done: check before trying again.',
            TIMEOUT_RETRY_AFTER_SECONDS,
          );
        }
      }, handlerTimeout);
      observe(req, res, async () => {
        try {
          for (const handle of handlers) {
            if (await handle(req, res)) return;
          }
          plain(res, 404, 'Not found');
        } catch (error) {
          // After a timeout the answer has gone: what the handler does next (writing to an
          // ended response) is the timeout, already reported, unless it failed for itself.
          if (!(timedOut && res.writableEnded)) onError(error, req);
          if (!res.headersSent) {
            res.writeHead(500, { 'Content-Type': 'application/problem+json' }).end(
              JSON.stringify({
                type: 'about:blank',
                title: 'Internal Server Error',
                status: 500,
                code: 'internal',
                instance: problemInstance(requestIdOf(req)),
              }),
            );
          } else if (!res.writableEnded) {
            res.destroy();
          }
        } finally {
          clearTimeout(timer);
          inFlight -= 1;
        }
      }).catch((error: unknown) => onError(error, req));
    },
  );
  server.maxConnections = positiveInteger(
    options.maxConnections ?? HTTP_SERVER_DEFAULTS.maxConnections,
    'maxConnections',
  );
  return server;
}

/** 200 with the checks when ready, 503 naming what is not; never cached by a proxy. */
function answerReadiness(
  res: ServerResponse,
  readiness: (() => Promise<Readiness>) | undefined,
  onError: (error: unknown) => void,
): void {
  const send = (status: number, body: unknown): void => {
    res
      .writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        ...(status === 503 ? { 'Retry-After': String(TIMEOUT_RETRY_AFTER_SECONDS) } : {}),
      })
      .end(JSON.stringify(body));
  };
  if (readiness === undefined) {
    send(200, { ready: true, checks: {} });
    return;
  }
  readiness().then(
    (answer) => send(answer.ready ? 200 : 503, answer),
    (error: unknown) => {
      onError(error);
      send(503, { ready: false, checks: {}, detail: 'the readiness check itself failed' });
    },
  );
}

export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');
  return address.port;
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
}
