import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

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
}

export const HSTS_HEADER = 'max-age=31536000; includeSubDomains';

export const HTTP_SERVER_DEFAULTS = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 20_000,
  // Node 24's default is 5 s. Outlive the usual 60 s idle timeout of the proxy in front, so
  // it never reuses a connection Node has just closed (which it reports as a 502).
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1_000,
} as const;

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive whole number, not ${value}.`);
  }
  return value;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
}

/**
 * One node:http server for the whole service: the API, the bot endpoint, the tab's files and
 * a health check, tried in order.
 *
 * Slow clients cannot hold it: headers must arrive within headersTimeoutMs and the whole
 * request within requestTimeoutMs (Node answers 408 and closes), which bounds what a trickled
 * body or a silent connection costs; the time a handler takes to answer is not limited. There
 * is no cap on requests per connection (maxRequestsPerSocket): behind App Service's front end
 * the connections are the proxy's own, and recycling them only adds handshakes.
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
      void (async () => {
        try {
          // Every handler parses req.url; a target WHATWG URL refuses ("//", "//[") is a bad
          // request here, once, not an exception (a 500) in whichever handler parses it first.
          if (!URL.canParse(req.url ?? '/', 'http://localhost')) {
            plain(res, 400, 'Bad request');
            return;
          }
          if (req.url === '/healthz') {
            plain(res, 200, 'ok');
            return;
          }
          for (const handle of handlers) {
            if (await handle(req, res)) return;
          }
          plain(res, 404, 'Not found');
        } catch (error) {
          onError(error, req);
          if (!res.headersSent) {
            res.writeHead(500, { 'Content-Type': 'application/problem+json' }).end(
              JSON.stringify({
                type: 'about:blank',
                title: 'Internal Server Error',
                status: 500,
                code: 'internal',
              }),
            );
          } else {
            res.destroy();
          }
        }
      })();
    },
  );
  server.maxConnections = positiveInteger(
    options.maxConnections ?? HTTP_SERVER_DEFAULTS.maxConnections,
    'maxConnections',
  );
  return server;
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
