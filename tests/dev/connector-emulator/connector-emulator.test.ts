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
  it("answers a conversation's member by Entra object id or Teams user id in the documented shape", async () => {
    const tenantId = '0d3c4c8e-2a55-4d1b-9d1e-111111111111';
    const person = '6b7b3b2a-2c4b-4175-8582-41c9e685c1b5';
    emulator = await startConnectorEmulator({ tenantId, strict: true });
    const created = await call('POST', 'v3/conversations', {
      isGroup: false,
      members: [{ id: person }],
      tenantId,
    });
    expect(created.status).toBe(201);
    const members = `v3/conversations/${encodeURIComponent(String(created.body['id']))}/members`;
    // "Get single member details": the regular user's answer, with the fields the emulator has.
    const expected = { id: `29:${person}`, objectId: person, tenantId, userRole: 'user' };
    expect(await call('GET', `${members}/${person}`)).toMatchObject({
      status: 200,
      body: expected,
    });
    expect((await call('GET', `${members}/${person.toUpperCase()}`)).body).toEqual(expected);
    expect((await call('GET', `${members}/${encodeURIComponent(`29:${person}`)}`)).body).toEqual(
      expected,
    );
    // Anyone else, or a conversation it never made: 404 with the connector's codes.
    expect(await call('GET', `${members}/00000000-0000-4000-8000-000000000000`)).toEqual({
      status: 404,
      retryAfter: null,
      body: {
        error: {
          code: 'MemberNotFoundInConversation',
          message: 'Member not found in conversation.',
        },
      },
    });
    const never = `v3/conversations/${encodeURIComponent(emulator.conversationIdFor('x'))}/members/x`;
    expect((await call('GET', never)).body).toMatchObject({
      error: { code: 'ConversationNotFound' },
    });
    expect((await call('GET', `${members}/${person}`, undefined, '')).status).toBe(401);
    emulator.failMemberLookups(502);
    expect((await call('GET', `${members}/${person}`)).status).toBe(502);
    emulator.failMemberLookups(undefined);
    expect(emulator.counters().membersLookedUp).toBe(3);
  });

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
    // An activity id it never sent, or one sent in another conversation: 404, nothing recorded.
    const unknown = await call('PUT', `${path}/${encodeURIComponent('1:never-sent')}`, {
      type: 'message',
      text: 'replaced',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      error: {
        code: 'ActivityNotFoundInConversation',
        message: 'Message does not exist in the thread.',
      },
    });
    const other = `v3/conversations/${encodeURIComponent(emulator.conversationIdFor('user-2'))}/activities`;
    const elsewhere = await call('PUT', `${other}/${encodeURIComponent(String(sent.body['id']))}`, {
      type: 'message',
      text: 'replaced',
    });
    expect(elsewhere.status).toBe(404);
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

describe('Bot Connector emulator: someone without the app', () => {
  const roster = {
    error: {
      code: 'BotNotInConversationRoster',
      message: 'The bot is not part of the conversation roster.',
    },
  };

  it.each([403, 404] as const)(
    'answers %i BotNotInConversationRoster on create and on a send over a chat made before the app was removed',
    async (status) => {
      emulator = await startConnectorEmulator(status === 404 ? { notInRosterStatus: 404 } : {});
      const create = (id: string) => call('POST', 'v3/conversations', { members: [{ id }] });
      expect(await create('kept')).toMatchObject({ status: 201 });
      emulator.uninstallApp(['absent', 'kept']);
      expect(await create('absent')).toEqual({ status, retryAfter: null, body: roster });
      const path = `v3/conversations/${encodeURIComponent(emulator.conversationIdFor('kept'))}/activities`;
      expect(await call('POST', path, { type: 'message' })).toEqual({
        status,
        retryAfter: null,
        body: roster,
      });
      emulator.installApp('kept');
      expect((await call('POST', path, { type: 'message' })).status).toBe(201);
      expect(emulator.counters()).toMatchObject(
        status === 404 ? { notFound: 2, forbidden: 0 } : { forbidden: 2, notFound: 0 },
      );
    },
  );
});

describe('Bot Connector emulator, strict and limited as documented', () => {
  const ENTRA_ID = '7faf8ab2-3d56-4244-b585-20c8a42ed2b8';
  const MRI = '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ';

  it('strict: a create needs the tenant id and a member id Teams documents', async () => {
    emulator = await startConnectorEmulator({ strict: true });
    const tenant = { channelData: { tenant: { id: 'tenant-1' } } };
    const noTenant = await call('POST', 'v3/conversations', { members: [{ id: ENTRA_ID }] });
    expect([noTenant.status, (noTenant.body['error'] as { code: string }).code]).toEqual([
      400,
      'BadArgument',
    ]);
    for (const id of ['user-1', 'someone@school.example', `8:orgid:${ENTRA_ID}`]) {
      const refused = await call('POST', 'v3/conversations', { members: [{ id }], ...tenant });
      expect(refused.status, id).toBe(400);
    }
    for (const id of [ENTRA_ID, MRI]) {
      const created = await call('POST', 'v3/conversations', { members: [{ id }], ...tenant });
      expect(created.status, id).toBe(201);
    }
    // tenantId at the top level is the other documented place.
    const topLevel = await call('POST', 'v3/conversations', {
      members: [{ id: ENTRA_ID }],
      tenantId: 'tenant-1',
    });
    expect(topLevel.status).toBe(201);
  });

  it('an activity over the size limit (UTF-16) is 413 MessageSizeTooBig; one under it is sent', async () => {
    emulator = await startConnectorEmulator({ maxActivityBytes: 2_000 });
    const path = `v3/conversations/${encodeURIComponent(emulator.conversationIdFor('u'))}/activities`;
    // 980 characters of text: about 1,960 bytes in UTF-16 with the envelope, over 2,000.
    const big = await call('POST', path, { type: 'message', text: 'x'.repeat(980) });
    expect([big.status, (big.body['error'] as { code: string }).code]).toEqual([
      413,
      'MessageSizeTooBig',
    ]);
    expect((await call('POST', path, { type: 'message', text: 'x'.repeat(900) })).status).toBe(201);
    expect(emulator.counters().activitiesSent).toBe(1);
  });

  it('answers an occasional 412 or 502 when configured, repeatably', async () => {
    const statuses = async (): Promise<number[]> => {
      emulator = await startConnectorEmulator({ transientFailures: { rate: 0.3, seed: 7 } });
      const path = `v3/conversations/${encodeURIComponent(emulator.conversationIdFor('u'))}/activities`;
      const seen: number[] = [];
      for (let i = 0; i < 5; i++) seen.push((await call('POST', path, { type: 'message' })).status);
      await emulator.close();
      emulator = undefined;
      return seen;
    };
    // Five sends stay under the conversation's 7 a second; each is 201, 412 or 502.
    const first = await statuses();
    expect(first.every((s) => [201, 412, 502].includes(s))).toBe(true);
    expect(first.some((s) => s !== 201)).toBe(true);
    expect(await statuses()).toEqual(first);
  });

  it('takes its tenant ceiling from a setting', async () => {
    emulator = await startConnectorEmulator({ tenantRequestsPerSecond: 3, now: () => 0 });
    const create = (i: number) =>
      call('POST', 'v3/conversations', { members: [{ id: `user-${i}` }], tenantId: 't' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await create(i)).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
  });
});
