import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  close,
  createHttpServer,
  HSTS_HEADER,
  listen,
  type HttpServerOptions,
  type RequestHandler,
} from '../../src/server/http-server.ts';
import { createStaticHandler } from '../../src/server/static-files.ts';

// The HTTP surface of the service as a tenant runs it: HSTS in production, 404 (never 500) for
// paths no file can have, and Node's timeouts and connection cap so slow or idle clients cannot
// hold the server.

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

let tabDir: string;
const servers: Server[] = [];
const errors: unknown[] = [];

beforeAll(() => {
  tabDir = mkdtempSync(join(tmpdir(), 'countersign-hardening-'));
  writeFileSync(join(tabDir, 'index.html'), '<!doctype html><title>tab</title>');
  mkdirSync(join(tabDir, 'assets'));
  writeFileSync(join(tabDir, 'assets', 'app-1a2b3c.js'), 'console.log(1);');
});

afterAll(() => rmSync(tabDir, { recursive: true, force: true }));

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => close(s)));
  errors.length = 0;
});

/** A handler like the API's: answers /api/hello, with its own headers through writeHead. */
const hello: RequestHandler = (req, res) => {
  if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/api/hello') {
    return Promise.resolve(false);
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end('{"hello":"world"}');
  return Promise.resolve(true);
};

async function start(
  handlers: readonly RequestHandler[],
  options?: HttpServerOptions,
): Promise<{ server: Server; port: number }> {
  const server = createHttpServer(handlers, (error) => errors.push(error), options);
  servers.push(server);
  return { server, port: await listen(server, 0, '127.0.0.1') };
}

/** A GET with the request target sent exactly as given (fetch would normalise it). */
function get(port: number, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** What a raw TCP client receives until the server closes, and how long that took. */
function rawExchange(
  port: number,
  drive: (socket: Socket) => void,
): Promise<{ text: string; ms: number; reset: boolean }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let text = '';
    let reset = false;
    const socket = connect(port, '127.0.0.1', () => drive(socket));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A client still writing when the server closes may see a reset instead of the 408
      // (the kernel drops unread data): the connection was still cut, which is the point.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') reset = true;
      else reject(error);
    });
    socket.on('close', () => resolve({ text, ms: performance.now() - started, reset }));
  });
}

describe('Strict-Transport-Security', () => {
  it('is on every response in production: handlers, files, the health check, 404s', async () => {
    const { port } = await start([hello, createStaticHandler(tabDir)], { hsts: true });
    for (const path of ['/api/hello', '/', '/assets/app-1a2b3c.js', '/healthz', '/missing.js']) {
      const reply = await get(port, path);
      expect(reply.headers['strict-transport-security'], path).toBe(
        'max-age=31536000; includeSubDomains',
      );
    }
    expect(HSTS_HEADER).toBe('max-age=31536000; includeSubDomains');
    // The handler's own headers are kept alongside it.
    const api = await get(port, '/api/hello');
    expect(api.headers['cache-control']).toBe('no-store');
    expect(api.body).toBe('{"hello":"world"}');
  });

  it('is absent locally (plain http://localhost), which is the default', async () => {
    for (const options of [undefined, { hsts: false }]) {
      const { port } = await start([hello, createStaticHandler(tabDir)], options);
      for (const path of ['/api/hello', '/', '/healthz']) {
        const reply = await get(port, path);
        expect(reply.status, path).toBe(200);
        expect(reply.headers['strict-transport-security'], path).toBeUndefined();
      }
    }
  });
});

describe('who may frame the tab', () => {
  it("allows exactly the hosts of Teams' tab requirements, Outlook's outlook.office365.com included", async () => {
    const { port } = await start([createStaticHandler(tabDir)]);
    const csp = String((await get(port, '/')).headers['content-security-policy']);
    const ancestors = /frame-ancestors ([^;]+)/.exec(csp)?.[1]?.split(' ');
    expect(ancestors).toEqual([
      "'self'",
      'https://*.cloud.microsoft',
      'https://teams.microsoft.com',
      'https://*.teams.microsoft.com',
      'https://*.microsoft365.com',
      'https://*.office.com',
      'https://outlook.office.com',
      'https://outlook.office365.com',
      'https://outlook-sdf.office.com',
      'https://outlook-sdf.office365.com',
    ]);
  });
});

describe('paths no file can have', () => {
  it.each([
    ['a NUL byte', '/%00'],
    ['a NUL byte before an extension', '/index.html%00.js'],
    ['a truncated UTF-8 sequence', '/%E0%A4%A'],
    ['a lone 0xFF byte', '/%ff'],
    ['a path through a file (ENOTDIR)', '/index.html/x.js'],
    ['an over-long name (ENAMETOOLONG)', `/${'a'.repeat(300)}.js`],
  ])('%s (%s) is a plain 404, not a 500 or the tab', async (_name, path) => {
    const { port } = await start([hello, createStaticHandler(tabDir)], { hsts: true });
    const reply = await get(port, path);
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(reply.body).toBe('Not found');
    expect(errors).toEqual([]);
  });

  it('answers a request target URL cannot parse with 400 before any handler sees it', async () => {
    const seen: string[] = [];
    // Like the bot adapter: parses req.url without a guard, which used to turn into a 500.
    const unguarded: RequestHandler = (req) => {
      seen.push(new URL(req.url ?? '/', 'http://localhost').pathname);
      return Promise.resolve(false);
    };
    const { port } = await start([unguarded, createStaticHandler(tabDir)], { hsts: true });
    for (const path of ['//', '//[', '//%', '//x:99999/a']) {
      const reply = await get(port, path);
      expect(reply.status, path).toBe(400);
      expect(reply.body).toBe('Bad request');
      expect(reply.headers['strict-transport-security']).toBe(HSTS_HEADER);
    }
    expect(seen).toEqual([]);
    expect(errors).toEqual([]);
    // An ordinary path still reaches the handlers.
    expect((await get(port, '/')).status).toBe(200);
    expect(seen).toEqual(['/']);
  });
});

describe('timeouts and the connection cap', () => {
  it('sets production limits on the node:http server by default', () => {
    const server = createHttpServer([], () => undefined);
    expect(server.requestTimeout).toBe(30_000);
    expect(server.headersTimeout).toBe(20_000);
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.maxConnections).toBe(1_000);
    // Node checks the timeouts only when it sweeps its connections: every second, not 30 s.
    expect(
      (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval,
    ).toBe(1_000);
    // Requests per connection are not capped (the proxy in front owns the connections).
    expect(server.maxRequestsPerSocket).toBe(0);
  });

  it('takes its limits from the options and refuses nonsense', () => {
    const server = createHttpServer([], () => undefined, {
      requestTimeoutMs: 10_000,
      headersTimeoutMs: 15_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 50,
    });
    expect(server.requestTimeout).toBe(10_000);
    // Headers cannot be given longer than the whole request.
    expect(server.headersTimeout).toBe(10_000);
    expect(server.keepAliveTimeout).toBe(5_000);
    expect(server.maxConnections).toBe(50);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createHttpServer([], () => undefined, { maxConnections: bad })).toThrow(
        RangeError,
      );
      expect(() => createHttpServer([], () => undefined, { requestTimeoutMs: bad })).toThrow(
        /requestTimeoutMs/,
      );
    }
  });

  it('cuts a request whose body trickles in past requestTimeout with a 408', async () => {
    const completed: string[] = [];
    const upload: RequestHandler = async (req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      for await (const chunk of req as AsyncIterable<Buffer>) body += chunk.toString();
      completed.push(body);
      res.writeHead(200).end('stored');
      return true;
    };
    const { port } = await start([upload], { requestTimeoutMs: 300, headersTimeoutMs: 200 });
    let timer: NodeJS.Timeout | undefined;
    const { text, ms } = await rawExchange(port, (socket) => {
      socket.write(
        'POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n',
      );
      // One byte every 40 ms: 100 bytes would take 4 s.
      timer = setInterval(() => {
        if (!socket.destroyed) socket.write('a');
      }, 40);
    });
    clearInterval(timer);
    expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1_500);
    expect(completed).toEqual([]);
  });

  it('closes a connection that sends nothing, or its headers too slowly, at headersTimeout', async () => {
    const { port } = await start([hello], { requestTimeoutMs: 1_000, headersTimeoutMs: 200 });
    const silent = await rawExchange(port, () => undefined);
    expect(silent.ms).toBeGreaterThanOrEqual(190);
    expect(silent.ms).toBeLessThan(1_000);
    expect(silent.text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);

    let timer: NodeJS.Timeout | undefined;
    const header = 'GET /api/hello HTTP/1.1\r\nHost: x\r\nX-Padding: ' + 'p'.repeat(200);
    const slowHeaders = await rawExchange(port, (socket) => {
      let i = 0;
      timer = setInterval(() => {
        if (!socket.destroyed && i < header.length) socket.write(header[i++] ?? '');
      }, 10);
    });
    clearInterval(timer);
    if (!slowHeaders.reset || slowHeaders.text !== '') {
      expect(slowHeaders.text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    }
    expect(slowHeaders.ms).toBeLessThan(1_000);
  });

  it('does not limit how long a handler takes once the request has arrived', async () => {
    const slow: RequestHandler = async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('done');
      return true;
    };
    const { port } = await start([slow], { requestTimeoutMs: 200, headersTimeoutMs: 100 });
    const reply = await get(port, '/report');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('done');
  });

  it('closes connections beyond maxConnections as soon as they are accepted', async () => {
    const { server, port } = await start([hello], { maxConnections: 2 });
    let accepted = 0;
    server.on('connection', () => (accepted += 1));
    const held = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<Socket>((resolve, reject) => {
            const socket = connect(port, '127.0.0.1', () => resolve(socket));
            socket.on('error', reject);
          }),
      ),
    );
    for (let i = 0; i < 50 && accepted < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(accepted).toBe(2);

    // The third is accepted by the kernel and closed by Node unanswered (a reset or an EOF).
    const dropped = await rawExchange(port, (socket) =>
      socket.write('GET /api/hello HTTP/1.1\r\nHost: x\r\n\r\n'),
    ).catch((error: NodeJS.ErrnoException) => ({ text: '', ms: 0, code: error.code }));
    expect(dropped.text).toBe('');
    expect(accepted).toBe(2);

    // A freed slot is usable again.
    held[0]?.destroy();
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
      );
    for (let i = 0; i < 50 && (await connections()) >= 2; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await get(port, '/api/hello')).status).toBe(200);
    held[1]?.destroy();
  });
});
