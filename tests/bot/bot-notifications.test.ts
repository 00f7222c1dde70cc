import { afterEach, describe, expect, test } from 'vitest';
import { botCardRenderer, createBotNotifications, type AdaptiveCard } from '../../src/bot/index.ts';
import type { Acknowledgement } from '../../src/domain/acknowledgement.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import type {
  ConversationRef,
  CreateConversationOutcome,
  Messenger,
  OutgoingActivity,
  SendOutcome,
} from '../../src/ports/messenger.ts';
import type { StoredConversation } from '../../src/ports/work-store.ts';
import { BotWorld, people } from './bot-harness.ts';
import { config, previousDocument } from './card-fixtures.ts';
import { executeData } from './card-walk.ts';
import { cardProblems } from './validate-card.ts';

/** A Messenger that records sends and answers from a script (then "ok"). */
class ScriptedMessenger implements Messenger {
  readonly installed: string[] = [];
  readonly sent: { ref: ConversationRef; activity: OutgoingActivity }[] = [];
  readonly script: SendOutcome[] = [];
  /** What a member lookup answers per person (nobody by default: the connector gave no id). */
  readonly members = new Map<string, string>();
  readonly lookedUp: string[] = [];
  #sequence = 0;

  /** Everything but the attacker's host (the real policy is ConnectorMessenger's, tested there). */
  trusts(serviceUrl: string): boolean {
    return !serviceUrl.startsWith('https://attacker.example');
  }
  ensureInstalled(userId: string): Promise<void> {
    this.installed.push(userId);
    return Promise.resolve();
  }
  createConversation(userId: string): Promise<CreateConversationOutcome> {
    return Promise.resolve({
      kind: 'ok',
      ref: { userId, conversationId: `a:${userId}`, serviceUrl: 'http://connector', tenantId: 't' },
    });
  }
  teamsUserId(ref: ConversationRef): Promise<string | undefined> {
    this.lookedUp.push(ref.userId);
    return Promise.resolve(this.members.get(ref.userId));
  }
  sendActivity(ref: ConversationRef, activity: OutgoingActivity): Promise<SendOutcome> {
    const next = this.script.shift();
    if (next !== undefined && next.kind !== 'ok') return Promise.resolve(next);
    this.sent.push({ ref, activity });
    this.#sequence += 1;
    return Promise.resolve({ kind: 'ok', id: `m-${this.#sequence}` });
  }
  updateActivity(): Promise<SendOutcome> {
    return Promise.resolve({ kind: 'ok', id: '' });
  }
}

class MapWorkStore {
  readonly conversations = new Map<string, StoredConversation>();
  getConversation(userId: string): Promise<StoredConversation | null> {
    return Promise.resolve(this.conversations.get(userId) ?? null);
  }
  /** As the port says (tests/contract/conversation-refs.contract.ts): a known MRI is kept. */
  putConversation(conversation: StoredConversation): Promise<void> {
    const known = this.conversations.get(conversation.userId)?.userMri;
    this.conversations.set(
      conversation.userId,
      conversation.userMri === undefined && known !== undefined
        ? { ...conversation, userMri: known }
        : conversation,
    );
    return Promise.resolve();
  }
}

let world: BotWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

function setup() {
  const messenger = new ScriptedMessenger();
  const workStore = new MapWorkStore();
  const waits: number[] = [];
  const w = new BotWorld();
  const notifications = createBotNotifications({
    workStore,
    messenger,
    clock: w.clock,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  return { messenger, workStore, waits, w, notifications };
}

const cardIn = (activity: OutgoingActivity | undefined): unknown =>
  activity?.attachments?.[0]?.content;

describe('bot notifications over the Messenger', () => {
  test('a card signature that needs approval is queued for the headteacher; her decision on its card reaches the signer', async () => {
    const { messenger, workStore, w, notifications } = setup();
    world = w;
    const number = await w.publish('Autumn 2025', previousDocument);
    await w.start({ notifications });

    // The signer talks to the bot first: their conversation is remembered.
    await w.message(people.staff, 'status');
    expect(workStore.conversations.get(people.staff.id)?.conversationId).toBe(
      `a:personal-${people.staff.id}`,
    );

    const prompt = (
      (await w.invoke(people.staff, {
        action: 'showPrompt',
        policyKey: 'staff-aup',
        userId: people.staff.id,
      })) as { body: { value: unknown } }
    ).body.value;
    await w.invoke(people.staff, {
      ...executeData(prompt, 'sign'),
      declarationAccepted: 'true',
      typedName: 'Sam Okafor',
      statedRole: 'Teacher',
    });

    // The service queued the request (approval-requests.ts): nothing sent in the sign itself.
    const queued = w.notified.filter((n) => n.kind === 'approvalNeeded');
    expect(queued).toHaveLength(1);
    expect(messenger.sent.filter((s) => s.ref.userId === people.head.id)).toEqual([]);
    // The card the campaign sender draws for it (tests/campaigns/approval-requests.test.ts
    // sends it through the connector emulator): the head approves on it.
    const { acknowledgement } = queued[0]?.input as { acknowledgement: Acknowledgement };
    const policy = (await w.records.getPolicy('staff-aup'))?.value;
    const version = (await w.records.listVersions('staff-aup')).find(
      (v) => v.value.number === number,
    )?.value;
    if (policy === undefined || version === undefined) throw new Error('published');
    const request = botCardRenderer(config).approvalRequest({
      recipient: { userId: people.head.id, displayName: people.head.name },
      acknowledgement,
      policy,
      version,
    });
    expect(request.summary).toBe(`Approval needed: ${people.staff.name}`);
    expect(cardProblems(cardIn(request))).toEqual([]);
    await w.invoke(people.head, executeData(cardIn(request), 'approve'));
    const result = messenger.sent.find((s) => s.ref.userId === people.staff.id);
    expect(result?.ref.conversationId).toBe(`a:personal-${people.staff.id}`);
    expect(result?.activity.summary).toBe('Approved: staff-aup version 1');
    expect(JSON.stringify(cardIn(result?.activity))).toContain(`Approved: ${people.staff.name}`);
  });

  test('a card to someone the bot has never seen keeps its refresh and names nobody in it', async () => {
    const { messenger, notifications } = setup();
    const card: AdaptiveCard = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [],
      refresh: { action: { type: 'Action.Execute', verb: 'refresh' } },
    };
    await notifications.sendPrivately('u1', 'Your status', card);
    const first = cardIn(messenger.sent[0]?.activity) as {
      refresh?: { userIds?: string[]; action?: unknown };
    };
    expect(first.refresh?.action).toEqual({ type: 'Action.Execute', verb: 'refresh' });
    expect(first.refresh?.userIds).toBeUndefined();
    // The one member lookup for the new conversation was made, and gave nothing.
    expect(messenger.lookedUp).toEqual(['u1']);
  });

  test("a new conversation's member lookup names the person by Teams user id, learned once and kept", async () => {
    const { messenger, notifications, workStore } = setup();
    messenger.members.set('u1', '29:1-mri-of-u1');
    const card: AdaptiveCard = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [],
      refresh: { action: { type: 'Action.Execute', verb: 'refresh' } },
    };
    await notifications.sendPrivately('u1', 'Your status', card);
    await notifications.sendPrivately('u1', 'Your status again', card);
    const userIds = messenger.sent.map(
      (s) => (cardIn(s.activity) as { refresh?: { userIds?: string[] } }).refresh?.userIds,
    );
    expect(userIds).toEqual([['29:1-mri-of-u1'], ['29:1-mri-of-u1']]);
    expect(workStore.conversations.get('u1')?.userMri).toBe('29:1-mri-of-u1');
    // The second card used the stored conversation: no second create, no second lookup.
    expect(messenger.lookedUp).toEqual(['u1']);
  });

  test('a stored conversation outside Teams is ignored: a new one is created and replaces it', async () => {
    const { messenger, notifications, workStore } = setup();
    await workStore.putConversation({
      userId: 'u1',
      conversationId: 'a:chosen-by-attacker',
      serviceUrl: 'https://attacker.example/',
      tenantId: 't',
      updatedAt: '2026-03-05T00:00:00Z',
    });
    await notifications.sendPrivately('u1', 'Your status', {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [],
    });
    expect(messenger.sent.map((s) => s.ref)).toEqual([
      { userId: 'u1', conversationId: 'a:u1', serviceUrl: 'http://connector', tenantId: 't' },
    ]);
    expect(workStore.conversations.get('u1')?.serviceUrl).toBe('http://connector');
  });

  test('429 waits Retry-After and tries again; a blocked app is an upstream error', async () => {
    const { messenger, waits, notifications, workStore } = setup();
    await workStore.putConversation({
      userId: 'u1',
      conversationId: 'a:u1',
      serviceUrl: 'http://connector',
      tenantId: 't',
      updatedAt: '2026-03-05T00:00:00Z',
    });
    const ack = {
      id: 'staff-aup:v1:u1',
      policyKey: 'staff-aup',
      versionNumber: 1,
      userId: 'u1',
      displayName: 'U One',
    };
    messenger.script.push(
      { kind: 'throttled', retryAfterMs: 2_500 },
      { kind: 'transient', reason: '503' },
    );
    await notifications.approvalDecided({
      approval: {
        acknowledgementId: ack.id,
        userId: 'u1',
        decision: 'rejected',
        additionalPermissions: [],
      },
      acknowledgement: {
        ...ack,
        contentHash: 'a'.repeat(64),
        upn: 'u1@x',
        typedName: 'U One',
        statedRole: 'TA',
        signedAt: '2026-03-05T00:00:00Z',
        channel: 'card',
        consents: {},
        approvalState: 'rejected',
        seal: 'b'.repeat(64),
      },
      card: { type: 'AdaptiveCard', version: '1.5', body: [] },
    });
    expect(waits).toEqual([2_500, 2_000]);
    expect(messenger.sent).toHaveLength(1);

    messenger.script.push({ kind: 'forbidden', status: 403, reason: '403 blocked' });
    await expect(
      notifications.approvalDecided({
        approval: {
          acknowledgementId: ack.id,
          userId: 'u1',
          decision: 'approved',
          additionalPermissions: [],
        },
        acknowledgement: {
          ...ack,
          contentHash: 'a'.repeat(64),
          upn: 'u1@x',
          typedName: 'U One',
          statedRole: 'TA',
          signedAt: '2026-03-05T00:00:00Z',
          channel: 'card',
          consents: {},
          approvalState: 'approved',
          seal: 'b'.repeat(64),
        },
        card: { type: 'AdaptiveCard', version: '1.5', body: [] },
      }),
    ).rejects.toThrow(CountersignError);
  });
});
