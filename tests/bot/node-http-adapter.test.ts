import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeHttpAdapter } from '../../src/bot/node-http-adapter.ts';

// The bot endpoint's body reading on its own (the shared reader, src/http/read-body.ts): the
// production-composition suite (tests/server) proves the endpoint wired in.
let server: Server;
let port: number;
const received: unknown[] = [];

beforeAll(async () => {
  const adapter = new NodeHttpAdapter();
  adapter.registerRoute('POST', '/api/messages', ({ body }) => {
    received.push(body);
    return Promise.resolve({ status: 200, body: { ok: true } });
  });
  server = createServer((req, res) => void adapter.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function post(
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; connection: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { port, host: '127.0.0.1', method: 'POST', path: '/api/messages', headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }),
        );
      },
    );
    // The server may answer and close before a refused body is all written.
    req.on('error', reject);
    req.end(body);
  });
}

describe('the bot endpoint reads an activity', () => {
  it('passes a JSON body to the SDK route', async () => {
    const reply = await post(JSON.stringify({ type: 'message', text: 'hi' }));
    expect(reply.status).toBe(200);
    expect(received.at(-1)).toEqual({ type: 'message', text: 'hi' });
  });

  it('refuses a body that is not JSON (400)', async () => {
    const reply = await post('{ not json');
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text)).toEqual({ error: 'The body is not JSON.' });
  });

  it('refuses more than 1 MB (413) and closes the connection, declared or not', async () => {
    const declared = await post('{}', { 'content-length': String(2 * 1024 * 1024) });
    expect(declared.status).toBe(413);
    expect(declared.connection).toBe('close');
    const streamed = await post(`"${'x'.repeat(1024 * 1024)}"`, {
      'transfer-encoding': 'chunked',
    });
    expect(streamed.status).toBe(413);
    expect(streamed.connection).toBe('close');
    expect(JSON.parse(streamed.text)).toEqual({ error: 'The activity is larger than 1 MB.' });
  });
});
