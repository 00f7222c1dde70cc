import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiHandler } from '../../../src/api/create-api-handler.ts';

export interface TestServer {
  url: string;
  /** Swap the handler between cases (fresh fakes) without restarting the server. */
  use(handler: ApiHandler): void;
  close(): Promise<void>;
}

/** Mounts an API handler the way the server does; what it declines gets a plain 418. */
export async function startApiServer(initial: ApiHandler): Promise<TestServer> {
  let handler = initial;
  const server = createServer((req, res) => {
    handler(req, res).then(
      (handled) => {
        if (!handled) {
          res.statusCode = 418;
          res.end('not the API');
        }
      },
      (error: unknown) => {
        res.statusCode = 599;
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    use(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
