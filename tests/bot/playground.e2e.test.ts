import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AdaptiveCard } from '../../src/bot/index.ts';
import { BotWorld, type Person } from './bot-harness.ts';
import { previousDocument } from './card-fixtures.ts';
import { agentsPlaygroundCli } from '../../src/dev/playground/agents-playground.ts';
import { Playground, type PlaygroundMessage } from './playground-process.ts';
import { executeData } from './card-walk.ts';
import { cardProblems } from './validate-card.ts';
import { failOnCi } from '../support/required-on-ci.ts';

/**
 * End to end through the Microsoft 365 Agents Playground: the Playground plays Teams (it posts
 * activities to the bot with its users' Entra ids, hosts the connector the bot replies to, and
 * streams what the bot sent), the bot runs on its own ephemeral port over the real service and
 * memory stores.
 */

interface PlaygroundConfig {
  config: {
    currentUser: { id: string; name: string; aadObjectId: string; userPrincipleName: string };
    personalChat: { id: string };
  };
}

const cli = agentsPlaygroundCli();
if ('missing' in cli) failOnCi('The Agents Playground suite', cli.missing);

const cardOf = (event: PlaygroundMessage): AdaptiveCard | undefined =>
  event.message.attachments?.find(
    (a) => a.contentType === 'application/vnd.microsoft.card.adaptive',
  )?.content as AdaptiveCard | undefined;

describe.skipIf('missing' in cli)(
  `Agents Playground end to end${'missing' in cli ? ` (skipped: ${cli.missing})` : ''}`,
  () => {
    let world: BotWorld;
    let playground: Playground;
    let me: PlaygroundConfig['config']['currentUser'];
    let chatId: string;

    beforeAll(async () => {
      if (!('path' in cli)) return;
      // The Playground's current user (Alex Wilber) is a member of staff at the test school.
      const alex: Person = {
        id: '00000000-0000-0000-0000-0000000000020',
        upn: 'alexw@example.com',
        name: 'Alex Wilber',
      };
      world = new BotWorld({ staff: [alex] });
      await world.publish('Autumn 2025', previousDocument);
      await world.start();
      playground = await Playground.start(world.botUrl);
      const { config } = await playground.json<PlaygroundConfig>('/_internal/v1/config');
      me = config.currentUser;
      chatId = config.personalChat.id;
      await playground.openStream();
    });

    afterAll(async () => {
      await playground?.stop();
      await world?.stop();
    });

    test('status, then sign from the card: the receipt comes back and the signature is stored', async () => {
      expect(me.aadObjectId).toBe('00000000-0000-0000-0000-0000000000020');

      await playground.json(`/_conversation/v1/conversations/${chatId}/messages`, {
        method: 'POST',
        body: { from: { id: me.id }, text: 'status', textFormat: 'plain' },
      });
      const statusEvent = await playground.next(
        (e) => e.action === 'createMessage' && cardOf(e) !== undefined,
      );
      const status = cardOf(statusEvent);
      expect(cardProblems(status)).toEqual([]);
      expect(JSON.stringify(status)).toContain('Please sign Autumn 2025.');

      // "Sign now" on the status card: the card is replaced by the prompt (the invoke's answer).
      const showPrompt = executeData(status, 'showPrompt');
      expect(showPrompt['userId']).toBe(me.aadObjectId);
      const prompted = await playground.json<{ type: string; value: AdaptiveCard }>(
        '/_conversation/v1/invoke',
        {
          method: 'POST',
          body: {
            name: 'adaptiveCard/action',
            from: { id: me.id },
            conversation: { id: chatId },
            replyToId: statusEvent.message.messageId,
            value: { action: { type: 'Action.Execute', verb: 'showPrompt', data: showPrompt } },
          },
        },
      );
      // The Playground answers with the invoke response's type and value (statusCode dropped).
      expect(prompted.type).toBe('application/vnd.microsoft.card.adaptive');
      const sign = executeData(prompted.value, 'sign');

      // The Playground does not merge input values: put them in the data as a Teams client does.
      const signed = await playground.json<{ type: string; value: AdaptiveCard }>(
        '/_conversation/v1/invoke',
        {
          method: 'POST',
          body: {
            name: 'adaptiveCard/action',
            from: { id: me.id },
            conversation: { id: chatId },
            replyToId: statusEvent.message.messageId,
            value: {
              action: {
                type: 'Action.Execute',
                verb: 'sign',
                data: {
                  ...sign,
                  declarationAccepted: 'true',
                  typedName: 'Alex Wilber',
                  statedRole: 'Business manager',
                  'consent-photo': 'true',
                },
              },
            },
          },
        },
      );
      expect(signed.type).toBe('application/vnd.microsoft.card.adaptive');
      expect(cardProblems(signed.value)).toEqual([]);
      expect(JSON.stringify(signed.value)).toContain('Thank you, Alex Wilber.');

      const acks = await world.records.listAcknowledgements({ userId: me.aadObjectId });
      expect(acks).toHaveLength(1);
      expect(acks[0]).toMatchObject({
        policyKey: 'staff-aup',
        versionNumber: 1,
        contentHash: sign['contentHash'],
        typedName: 'Alex Wilber',
        statedRole: 'Business manager',
        channel: 'card',
        consents: { photo: true, contact: false },
      });
      expect(JSON.stringify(signed.value)).toContain(acks[0]?.contentHash);
    });

    test('a card signed by another member of a chat is refused and audited', async () => {
      const testConfig = await playground.json<{
        config: {
          bot: { id: string; name: string };
          users: { id: string; aadObjectId: string }[];
          groupChats: { id: string; members: string[] }[];
        };
      }>('/_internal/v1/testConfig');
      const group = testConfig.config.groupChats[0];
      const megan = testConfig.config.users.find((u) => u.id === group?.members[0]);
      if (group === undefined || megan === undefined) throw new Error('no group chat to test in');

      // Megan @mentions the bot in the group chat: her status is not shown to the whole chat.
      const bot = testConfig.config.bot;
      await playground.json(`/_conversation/v1/conversations/${group.id}/messages`, {
        method: 'POST',
        body: {
          from: { id: megan.id },
          text: `<at>${bot.name}</at> status`,
          textFormat: 'plain',
          mentions: [{ mentioned: { id: bot.id }, text: `<at>${bot.name}</at>` }],
        },
      });
      const event = await playground.next(
        (e) => e.action === 'createMessage' && e['actionConversationId'] === group.id,
      );
      expect(cardOf(event)).toBeUndefined();
      expect(JSON.stringify(event.message)).toMatch(/only show your status in our private chat/);
      // Someone else in the chat presses a Sign that names Alex (a forwarded or copied card).
      const response = await playground.json<{ type: string; value: AdaptiveCard }>(
        '/_conversation/v1/invoke',
        {
          method: 'POST',
          body: {
            name: 'adaptiveCard/action',
            from: { id: megan.id },
            conversation: { id: group.id },
            replyToId: event.message.messageId,
            value: {
              action: {
                type: 'Action.Execute',
                verb: 'sign',
                data: {
                  action: 'sign',
                  policyKey: 'staff-aup',
                  versionNumber: 1,
                  contentHash: 'f'.repeat(64),
                  userId: me.aadObjectId,
                  typedName: 'Alex Wilber',
                  statedRole: 'Business manager',
                },
              },
            },
          },
        },
      );
      expect(JSON.stringify(response.value)).toContain('This card is not for you');
      const audit = await world.records.listAudit({ type: 'card.identity-mismatch' });
      expect(audit.map((e) => e.actorId)).toEqual([megan.aadObjectId]);
    });

    test('the bot logged no errors on the way', () => {
      expect(world.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    });
  },
);
