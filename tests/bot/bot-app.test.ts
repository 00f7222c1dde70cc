import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { localBotFrameworkKeys } from '../../src/bot/auth/bot-framework-keys.ts';
import { createInboundActivityGate } from '../../src/bot/auth/inbound-activity-gate.ts';
import { RefusalTally } from '../../src/bot/bot-app.ts';
import { commandOf, createBot, type CountersignBot } from '../../src/bot/index.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import { TEAMS_SERVICE_URL_POLICY } from '../../src/domain/teams-service-url.ts';
import { BotWorld, RecordingLogger } from './bot-harness.ts';
import { config } from './card-fixtures.ts';

const world = new BotWorld();
const baseDeps = {
  service: world.service,
  resolveActor: () => Promise.reject(new Error('not reached')),
  cards: config,
  logger: new RecordingLogger(),
};

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.close();
    await once(server, 'close');
  }
});

async function serve(bot: CountersignBot): Promise<string> {
  await bot.initialize();
  const server = createServer((req, res) => {
    if (!bot.matches(req)) {
      res.writeHead(404).end('not the bot');
      return;
    }
    void bot.handle(req, res);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createBot', () => {
  test('refuses unauthenticated requests outside dev mode, and needs a client id there', () => {
    expect(() =>
      createBot({ ...baseDeps, devMode: false, clientId: 'app-id', allowUnauthenticated: true }),
    ).toThrow(CountersignError);
    expect(() => createBot({ ...baseDeps, devMode: false })).toThrow(/client id/);
  });

  test('outside dev mode the bot will not run without its inbound gate', () => {
    expect(() =>
      createBot({ ...baseDeps, devMode: false, clientId: 'app-id', tenantId: 'tenant-1' }),
    ).toThrow(/inbound gate/);
  });

  test('in production mode an activity without the Bot Connector’s token gets 401', async () => {
    const inbound = createInboundActivityGate({
      appId: 'app-id',
      tenantId: 'tenant-1',
      keys: localBotFrameworkKeys({ keys: [] }),
      serviceUrls: TEAMS_SERVICE_URL_POLICY,
    });
    const url = await serve(
      createBot({ ...baseDeps, devMode: false, clientId: 'app-id', tenantId: 'tenant-1', inbound }),
    );
    const response = await fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'status' }),
    });
    expect(response.status).toBe(401);
  });

  test('the server routes only POST /api/messages to the bot; bad JSON is a 400', async () => {
    const url = await serve(createBot({ ...baseDeps, devMode: true, allowUnauthenticated: true }));
    expect((await fetch(`${url}/api/other`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${url}/api/messages`)).status).toBe(404);
    const bad = await fetch(`${url}/api/messages?x=1`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
  });
});

describe('commandOf', () => {
  test.each([
    ['status', 'status'],
    ['  Status. ', 'status'],
    ['my status', 'status'],
    ['HELP', 'help'],
    ['?', 'help'],
    ['sign', 'sign'],
    ['Sign it!', 'sign'],
    ['sign the policy please', undefined],
    [undefined, undefined],
  ])('%j → %j', (text, command) => {
    expect(commandOf(text)).toBe(command);
  });
});

describe('RefusalTally', () => {
  test('admits one write an hour per key, carrying the count since the last', () => {
    const tally = new RefusalTally(3_600_000, 2);
    expect(tally.admit('a', 0)).toBe(1);
    expect(tally.admit('a', 1_000)).toBe(0);
    expect(tally.admit('a', 2_000)).toBe(0);
    expect(tally.admit('b', 2_000)).toBe(1);
    expect(tally.admit('a', 3_600_000)).toBe(3);
    // A third key pushes out the oldest (b); b starts afresh.
    expect(tally.admit('c', 3_600_001)).toBe(1);
    expect(tally.admit('b', 3_600_002)).toBe(1);
  });
});
