import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorMessenger } from '../../../src/adapters/teams-connector/connector-messenger.ts';
import { parseRetryAfter } from '../../../src/domain/retry.ts';
import {
  startConnectorEmulator,
  type ConnectorEmulator,
} from '../../../src/dev/connector-emulator/connector-emulator.ts';

let emulator: ConnectorEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function messenger(url: string, installed: string[] = []) {
  return new ConnectorMessenger({
    serviceUrl: url,
    tenantId: 'tenant-1',
    botId: 'bot-1',
    getToken: () => Promise.resolve('token'),
    installApp: (userId) => {
      installed.push(userId);
      return Promise.resolve();
    },
  });
}

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3_000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 GMT', 1_000)).toBe(4_000);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});

describe('ConnectorMessenger: every form of "not in the roster" is not-installed', () => {
  /** A messenger whose connector answers every call with this status and body. */
  function answering(status: number, body: unknown) {
    return new ConnectorMessenger({
      serviceUrl: 'https://smba.trafficmanager.net/uk/',
      tenantId: 'tenant-1',
      botId: 'bot-1',
      getToken: () => Promise.resolve('token'),
      installApp: () => Promise.resolve(),
      fetch: () =>
        Promise.resolve(
          new Response(JSON.stringify(body), {
            status,
            headers: { 'Content-Type': 'application/json' },
          }),
        ),
    });
  }
  const ref = {
    userId: 'u1',
    conversationId: 'a:1',
    serviceUrl: 'https://smba.trafficmanager.net/uk/',
    tenantId: 'tenant-1',
  };
  const error = (code: string, message: string) => ({ error: { code, message } });

  it.each([
    // "Status codes from bot conversational APIs"; bot-docs#1527's body on a create.
    [403, error('BotNotInConversationRoster', 'The bot is not part of the conversation roster.')],
    [
      403,
      error('BotNotInConversationRoster', 'The bot isn\u2019t part of the conversation roster.'),
    ],
    // The targeted messages page's Teams SDK table: the same code with 404.
    [404, error('BotNotInConversationRoster', 'Bot is not a member of the conversation.')],
    // company-communicator#744 shows only the message; another code beside it (inferred).
    [403, error('Forbidden', 'The bot is not part of the conversation roster.')],
  ] as const)('%i %j → not-installed, on create and on send', async (status, body) => {
    const m = answering(status, body);
    const reason = `${String(status)} ${body.error.code}: ${body.error.message}`;
    expect(await m.createConversation('u1')).toEqual({ kind: 'not-installed', status, reason });
    expect(await m.sendActivity(ref, { type: 'message' })).toEqual({
      kind: 'not-installed',
      status,
      reason,
    });
  });

  it('other 403s and 404s keep their own kinds (no install changes a block; a lost chat is not-found)', async () => {
    expect(
      await answering(
        403,
        error('ConversationBlockedByUser', 'User blocked the conversation with the bot.'),
      ).createConversation('u1'),
    ).toMatchObject({ kind: 'forbidden', code: 'ConversationBlockedByUser' });
    expect(
      await answering(
        403,
        error('BotDisabledByAdmin', 'The tenant admin disabled this bot'),
      ).sendActivity(ref, { type: 'message' }),
    ).toMatchObject({ kind: 'forbidden', code: 'BotDisabledByAdmin' });
    expect(
      await answering(404, error('ConversationNotFound', 'Conversation not found.')).sendActivity(
        ref,
        {
          type: 'message',
        },
      ),
    ).toMatchObject({ kind: 'not-found', status: 404 });
    // A 403 with no error body: forbidden, without a code (the sender installs on it when creating).
    expect(await answering(403, {}).createConversation('u1')).toMatchObject({
      kind: 'forbidden',
      status: 403,
    });
    expect(await answering(403, {}).createConversation('u1')).not.toHaveProperty('code');
  });
});

describe('ConnectorMessenger against the emulator', () => {
  it('creates the conversation, sends, updates; maps 403, 404 and 429', async () => {
    let now = 0;
    emulator = await startConnectorEmulator({
      tenantId: 'tenant-1',
      now: () => now,
      recordBodies: true,
    });
    const installed: string[] = [];
    const m = messenger(emulator.url, installed);
    await m.ensureInstalled('u1');
    expect(installed).toEqual(['u1']);
    const created = await m.createConversation('u1');
    if (created.kind !== 'ok') throw new Error(created.kind);
    expect(created.ref).toEqual({
      userId: 'u1',
      conversationId: emulator.conversationIdFor('u1'),
      serviceUrl: emulator.url,
      tenantId: 'tenant-1',
    });
    const sent = await m.sendActivity(created.ref, { type: 'message', text: 'hi' });
    expect(sent.kind).toBe('ok');
    if (sent.kind !== 'ok') return;
    expect(
      (await m.updateActivity(created.ref, sent.id, { type: 'message', text: 'bye' })).kind,
    ).toBe('ok');
    expect(emulator.delivered()[1]?.activity).toMatchObject({ id: sent.id, text: 'bye' });

    emulator.blockUsers(['u2']);
    const blocked = await m.createConversation('u2');
    expect(blocked).toEqual({
      kind: 'forbidden',
      status: 403,
      reason: '403 ConversationBlockedByUser: User blocked the conversation with the bot.',
      code: 'ConversationBlockedByUser',
    });
    const missing = await m.sendActivity(
      { ...created.ref, conversationId: 'gone' },
      { type: 'message' },
    );
    expect(missing.kind).toBe('not-found');

    // Eight in one second to one conversation: the eighth is throttled, with Retry-After.
    now = 10_000;
    const outcomes = [];
    for (let i = 0; i < 8; i += 1)
      outcomes.push(await m.sendActivity(created.ref, { type: 'message' }));
    expect(outcomes.at(-1)).toEqual({ kind: 'throttled', retryAfterMs: 1_000 });

    emulator.failNext(1, 502);
    now = 20_000;
    expect((await m.sendActivity(created.ref, { type: 'message' })).kind).toBe('transient');
  });

  it('maps 412, 502 and 504 (retryable per "Optimize your bot with rate limiting") to transient', async () => {
    emulator = await startConnectorEmulator({ tenantId: 'tenant-1' });
    const m = messenger(emulator.url);
    const created = await m.createConversation('u1');
    if (created.kind !== 'ok') throw new Error(created.kind);
    for (const status of [412, 502, 504, 500, 503]) {
      emulator.failNext(1, status);
      expect(await m.sendActivity(created.ref, { type: 'message' })).toMatchObject({
        kind: 'transient',
        status,
      });
      emulator.failNext(1, status);
      expect(await m.createConversation('u2')).toMatchObject({ kind: 'transient', status });
    }
    // Other 4xx stay permanent.
    emulator.failNext(1, 400);
    expect(await m.sendActivity(created.ref, { type: 'message' })).toMatchObject({
      kind: 'rejected',
      status: 400,
    });
  });

  it('reports a connection that fails as transient', async () => {
    const m = messenger('http://127.0.0.1:9/');
    const outcome = await m.sendActivity(
      { userId: 'u', conversationId: 'c', serviceUrl: 'http://127.0.0.1:9/', tenantId: 't' },
      { type: 'message' },
    );
    expect(outcome.kind).toBe('transient');
  });
});

describe('ConnectorMessenger sends the bot token to Teams only', () => {
  it('trusts the Teams connector hosts and its own configured connector, nothing else', () => {
    const m = messenger('https://smba.trafficmanager.net/uk/');
    expect(m.trusts('https://smba.trafficmanager.net/emea/')).toBe(true);
    expect(m.trusts('https://smba.infra.gcc.teams.microsoft.com/teams')).toBe(true);
    expect(m.trusts('http://smba.trafficmanager.net/uk/')).toBe(false);
    expect(m.trusts('https://smba.trafficmanager.net.attacker.example/')).toBe(false);
    expect(m.trusts('https://user:pw@smba.trafficmanager.net/uk/')).toBe(false);
    expect(m.trusts('https://attacker.example/')).toBe(false);
    expect(m.trusts('not a url')).toBe(false);
    const local = messenger('http://127.0.0.1:4000/');
    expect(local.trusts('http://127.0.0.1:4000/')).toBe(true);
    expect(local.trusts('http://127.0.0.1:4001/')).toBe(false);
  });

  it('a reference elsewhere is refused without any request leaving', async () => {
    const calls: string[] = [];
    const m = new ConnectorMessenger({
      serviceUrl: 'https://smba.trafficmanager.net/uk/',
      tenantId: 'tenant-1',
      botId: 'bot-1',
      getToken: () => Promise.resolve('bot-token'),
      installApp: () => Promise.resolve(),
      fetch: (input) => {
        calls.push(
          typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
        );
        return Promise.resolve(new Response('{"id":"x"}', { status: 201 }));
      },
    });
    const ref = {
      userId: 'u1',
      conversationId: 'a:1',
      serviceUrl: 'https://attacker.example/',
      tenantId: 'tenant-1',
    };
    const sent = await m.sendActivity(ref, { type: 'message', text: 'hi' });
    expect(sent).toMatchObject({ kind: 'rejected', status: 421 });
    expect(await m.updateActivity(ref, 'm1', { type: 'message', text: 'hi' })).toMatchObject({
      kind: 'rejected',
    });
    expect(calls).toEqual([]);
    const good = await m.sendActivity(
      { ...ref, serviceUrl: 'https://smba.trafficmanager.net/uk/' },
      { type: 'message', text: 'hi' },
    );
    expect(good.kind).toBe('ok');
    expect(calls).toEqual(['https://smba.trafficmanager.net/uk/v3/conversations/a%3A1/activities']);
  });
});
