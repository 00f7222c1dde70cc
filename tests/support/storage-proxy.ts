import { createServer, request as httpRequest, Agent, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP proxy in front of Azurite: it counts the storage requests that pass (a transaction is
 * one request, as Azure Storage bills it) and can cut every connection and refuse new ones, as
 * a network outage would, while Azurite keeps every write it already accepted (a restarted
 * Azurite loses its last seconds of writes, which real Azure Storage does not).
 */
export interface StorageProxy {
  /** The connection string with the table or blob endpoint moved to the proxy. */
  connectionString: string;
  /** Requests forwarded so far. */
  requests(): number;
  /** Drops every open connection and refuses new ones until `restore()`. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

const ENDPOINT = /(TableEndpoint|BlobEndpoint)=http:\/\/127\.0\.0\.1:(\d+)\//;

export async function startStorageProxy(connectionString: string): Promise<StorageProxy> {
  const found = ENDPOINT.exec(connectionString);
  if (found?.[2] === undefined) throw new Error('the connection string names no local endpoint');
  const targetPort = Number(found[2]);
  const agent = new Agent({ keepAlive: true });
  let forwarded = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    forwarded += 1;
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: targetPort,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.destroy();
    });
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
    });
  return {
    connectionString: connectionString.replace(
      ENDPOINT,
      (_all, endpoint: string) => `${endpoint}=http://127.0.0.1:${port}/`,
    ),
    requests: () => forwarded,
    cut: stop,
    async restore() {
      if (!server.listening) await listen(port);
    },
    async close() {
      await stop();
      agent.destroy();
    },
  };
}
