import { afterEach, describe, expect, it } from 'vitest';
import {
  startConnectorEmulator,
  type ConnectorEmulator,
} from '../../../src/dev/connector-emulator/connector-emulator.ts';
import { SlidingWindows } from '../../../src/dev/connector-emulator/sliding-windows.ts';

let emulator: ConnectorEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function call(method: string, path: string, body?: unknown, token = 'Bearer t') {
  const response = await fetch(`${emulator?.url ?? ''}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('SlidingWindows', () => {
  it('admits up to the limit in any window and says how long to wait', () => {
    const w = new SlidingWindows([{ limit: 3, windowMs: 1_000 }]);
    for (const t of [0, 100, 200]) {
      expect(w.waitMs(t)).toBe(0);
      w.record(t);
    }
    expect(w.waitMs(999)).toBe(1);
    expect(w.waitMs(1_000)).toBe(0);
    expect(w.countWithin(1_000, 1_000)).toBe(2);
  });
});

describe('Bot Connector emulator', () => {
  it('creates a 1:1 conversation, sends and updates activities, and records them', async () => {
    emulator = await startConnectorEmulator({ tenantId: 'tenant-1', recordBodies: true });
    const created = await call('POST', 'v3/conversations', {
      bot: { id: 'bot' },
      isGroup: false,
      members: [{ id: 'user-1' }],
      channelData: { tenant: { id: 'tenant-1' } },
    });
    expect(created.status).toBe(201);
    const conversationId = String(created.body['id']);
    expect(conversationId).toBe(emulator.conversationIdFor('user-1'));
    const path = `v3/conversations/${encodeURIComponent(conversationId)}/activities`;
    const sent = await call('POST', path, { type: 'message', text: 'hello' });
    expect(sent.status).toBe(201);
    const updated = await call('PUT', `${path}/${encodeURIComponent(String(sent.body['id']))}`, {
      type: 'message',
      text: 'replaced',
    });
    expect(updated.status).toBe(200);
    expect(emulator.delivered().map((d) => [d.userId, d.kind])).toEqual([
      ['user-1', 'create'],
      ['user-1', 'update'],
    ]);
    expect(emulator.sendsPerUser().get('user-1')).toBe(1);
    expect(emulator.counters()).toMatchObject({ conversationsCreated: 1, activitiesSent: 1 });
  });

  it('answers 429 with Retry-After past 50 a second, and counts it', async () => {
    let now = 0;
    emulator = await startConnectorEmulator({ now: () => now });
    const path = `v3/conversations/${encodeURIComponent(emulator.conversationIdFor('u'))}/activities`;
    // 50 sends to 50 people within one second: fine; the 51st in that second is refused.
    for (let i = 0; i < 50; i += 1) {
      now = i * 10;
      const p = `v3/conversations/${encodeURIComponent(emulator.conversationIdFor(`u${i}`))}/activities`;
      expect((await call('POST', p, { type: 'message' })).status).toBe(201);
    }
    now = 999;
    const refused = await call('POST', path, { type: 'message' });
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('1');
    now = 1_000;
    expect((await call('POST', path, { type: 'message' })).status).toBe(201);
    expect(emulator.counters()).toMatchObject({ throttled: 1, maxTenantPerSecond: 50 });
    expect(emulator.throttles()).toEqual([{ at: 999, waitMs: 1, scope: 'tenant' }]);
  });

  it('enforces the per-conversation windows (7 a second)', async () => {
    let now = 0;
    emulator = await startConnectorEmulator({ now: () => now });
    const path = `v3/conversations/${encodeURIComponent(emulator.conversationIdFor('u'))}/activities`;
    for (let i = 0; i < 7; i += 1) {
      now = i;
      expect((await call('POST', path, { type: 'message' })).status).toBe(201);
    }
    const refused = await call('POST', path, { type: 'message' });
    expect(refused.status).toBe(429);
    expect(emulator.throttles()[0]?.scope).toBe('conversation');
  });

  it('403 for blocked or uninstalled people, 404 for unknown conversations, 401 without a token', async () => {
    emulator = await startConnectorEmulator();
    emulator.blockUsers(['blocked']);
    emulator.uninstallApp(['absent']);
    const create = (id: string) => call('POST', 'v3/conversations', { members: [{ id }] });
    expect((await create('blocked')).status).toBe(403);
    expect((await create('absent')).status).toBe(403);
    emulator.installApp('absent');
    expect((await create('absent')).status).toBe(201);
    const blockedPath = `v3/conversations/${encodeURIComponent(emulator.conversationIdFor('blocked'))}/activities`;
    expect((await call('POST', blockedPath, { type: 'message' })).status).toBe(403);
    expect(
      (await call('POST', 'v3/conversations/nope/activities', { type: 'message' })).status,
    ).toBe(404);
    expect((await call('POST', 'v3/conversations', { members: [{ id: 'x' }] }, '')).status).toBe(
      401,
    );
    emulator.failNext(1, 503);
    expect((await create('x')).status).toBe(503);
    expect((await create('x')).status).toBe(201);
    expect(emulator.counters()).toMatchObject({
      forbidden: 3,
      notFound: 1,
      unauthorized: 1,
      injectedFailures: 1,
    });
  });
});
