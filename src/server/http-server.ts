import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A handler answers and returns true, or returns false to let the next one try. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * One node:http server for the whole service: the API, the bot endpoint, the tab's files and
 * a health check, tried in order.
 */
export function createHttpServer(
  handlers: readonly RequestHandler[],
  onError: (error: unknown, req: IncomingMessage) => void,
): Server {
  return createServer((req, res) => {
    void (async () => {
      try {
        if (req.url === '/healthz') {
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
          return;
        }
        for (const handle of handlers) {
          if (await handle(req, res)) return;
        }
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
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
  });
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
