import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { agentsPlaygroundCli } from '../../src/dev/playground/agents-playground.ts';
import { demoPlaygroundPeople } from '../../src/dev/demo/demo-playground-people.ts';
import type { AdaptiveCard } from '../../src/bot/index.ts';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { createBot } from '../../src/bot/bot-app.ts';
import { localBotToken } from '../../src/dev/local-bot-token.ts';
import { recordsDecisionFinder } from '../../src/bot/decision-finder.ts';
import { schoolActorResolver } from '../../src/bot/resolve-actor.ts';
import { schoolRoleSource } from '../../src/services/school-role-source.ts';
import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { seedDemoPolicy } from '../../src/dev/demo/seed-demo-policy.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import { executeData } from './card-walk.ts';
import { RecordingLogger } from './bot-harness.ts';
import { Playground, type PlaygroundMessage } from './playground-process.ts';
import { cardProblems } from './validate-card.ts';
import { failOnCi } from '../support/required-on-ci.ts';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { EMULATOR_AUTHORIZATION, emulatorGraphAdapters } from '../support/emulator-graph.ts';

/**
 * End to end over the Graph emulator: the demo school in the emulator (lists provisioned, demo
 * AUP published), the service over the Graph adapters, the bot on its own server, and the Agents
 * Playground playing the demo school's people. A member of staff asks for their status, signs from
 * the card, and the signature is read back from the SharePoint list over Graph; the headteacher
 * then approves from a card.
 */

const logger = new RecordingLogger();

interface Stack {
  botUrl: string;
  emulator: GraphEmulator;
  service: CountersignService;
  close(): Promise<void>;
}

/** The parts `npm start` composes (src/dev/local-stack.ts), minus the API, tab and campaigns. */
async function startStack(): Promise<Stack> {
  const emulator = await startGraphEmulator({ dbPath: ':memory:', seed: 'demo', port: 0 });
  const graph = emulatorGraphAdapters(emulator);
  await provisionSite(graph.gateway, graph.records.site);
  const school = DEMO_SCHOOL.school;
  await seedDemoPolicy(graph.records, {
    schoolId: school.id,
    audiences: school.audiences.map((a) => a.key),
    document: DEMO_SCHOOL.aup,
    actorId: DEMO_SCHOOL.dsl.id,
    now: systemClock.now(),
  });
  const service = createCountersignService({
    records: graph.records,
    directory: graph.directory,
    clock: systemClock,
    sealKey: 'playground-e2e-seal-key-not-for-production',
    evidence: memoryEvidenceKeys(),
    school,
  });
  const bot = createBot({
    service,
    resolveActor: schoolActorResolver({
      directory: graph.directory,
      roles: schoolRoleSource(() => Promise.resolve(school)),
    }),
    cards: {
      appId: 'countersign-local',
      timeZone: school.timeZone,
      approverIds: school.approverIds,
    },
    audit: (event) => graph.records.appendAudit([event]),
    findDecision: recordsDecisionFinder(graph.records),
    devMode: true,
    allowUnauthenticated: true,
    clientId: 'countersign-local',
    token: localBotToken('countersign-local'),
    logger,
  });
  await bot.initialize();
  const server: Server = createServer((req, res) => {
    if (!bot.matches(req)) {
      res.writeHead(404).end();
      return;
    }
    bot.handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    botUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`,
    emulator,
    service,
    close: async () => {
      server.close();
      await once(server, 'close');
      await emulator.close();
    },
  };
}

const cli = agentsPlaygroundCli();
if ('missing' in cli) failOnCi('The Agents Playground suite', cli.missing);
const people = demoPlaygroundPeople();
const staff = people.currentUser;
const head = people.users[0];

interface ListItems {
  value: { fields: Record<string, unknown> }[];
}

const cardOf = (event: PlaygroundMessage): AdaptiveCard | undefined =>
  event.message.attachments?.find(
    (a) => a.contentType === 'application/vnd.microsoft.card.adaptive',
  )?.content as AdaptiveCard | undefined;

describe.skipIf('missing' in cli)(
  `Agents Playground over the Graph emulator${'missing' in cli ? ` (skipped: ${cli.missing})` : ''}`,
  () => {
    let stack: Stack;
    let playground: Playground;
    let chatId: string;

    beforeAll(async () => {
      stack = await startStack();
      playground = await Playground.start(stack.botUrl, people);
      const { config } = await playground.json<{ config: { personalChat: { id: string } } }>(
        '/_internal/v1/config',
      );
      chatId = config.personalChat.id;
      await playground.openStream();
    });

    afterAll(async () => {
      await playground?.stop();
      await stack?.close();
    });

    async function invoke(
      from: string,
      conversationId: string,
      replyToId: string,
      data: Record<string, unknown>,
    ): Promise<{ type: string; value: AdaptiveCard }> {
      return playground.json('/_conversation/v1/invoke', {
        method: 'POST',
        body: {
          name: 'adaptiveCard/action',
          from: { id: from },
          conversation: { id: conversationId },
          replyToId,
          value: { action: { type: 'Action.Execute', verb: data['action'], data } },
        },
      });
    }

    test('sign from the card; the acknowledgement is in the SharePoint list', async () => {
      await playground.json(`/_conversation/v1/conversations/${chatId}/messages`, {
        method: 'POST',
        body: { from: { id: staff.id }, text: 'status', textFormat: 'plain' },
      });
      const statusEvent = await playground.next(
        (e) => e.action === 'createMessage' && cardOf(e) !== undefined,
      );
      const status = cardOf(statusEvent);
      expect(cardProblems(status)).toEqual([]);

      const prompt = await invoke(
        staff.id,
        chatId,
        statusEvent.message.messageId,
        executeData(status, 'showPrompt'),
      );
      expect(cardProblems(prompt.value)).toEqual([]);
      const sign = executeData(prompt.value, 'sign');
      const consents = Object.fromEntries(
        JSON.stringify(prompt.value)
          .match(/"id":"consent-[a-z0-9-]+"/g)
          ?.map((m) => [m.slice(6, -1), 'true']) ?? [],
      );
      const receipt = await invoke(staff.id, chatId, statusEvent.message.messageId, {
        ...sign,
        declarationAccepted: 'true',
        typedName: staff.name,
        statedRole: 'Class teacher',
        ...consents,
      });
      expect(receipt.type).toBe('application/vnd.microsoft.card.adaptive');
      expect(JSON.stringify(receipt.value)).toContain(`Thank you, ${staff.name}.`);

      // Read back over Graph, as anyone inspecting the school's site would.
      const response = await fetch(
        `${stack.emulator.url}/sites/${stack.emulator.siteId}/lists/CountersignAcknowledgements/items?$expand=fields`,
        { headers: EMULATOR_AUTHORIZATION },
      );
      expect(response.status).toBe(200);
      const items = (await response.json()) as ListItems;
      const mine = items.value.filter((i) => i.fields['UserId'] === staff.aadObjectId);
      expect(mine).toHaveLength(1);
      expect(mine[0]?.fields).toMatchObject({
        PolicyKey: sign['policyKey'],
        VersionNumber: sign['versionNumber'],
        ContentHash: sign['contentHash'],
      });
    });

    test('the headteacher approves from the approval card', async () => {
      if (head === undefined) throw new Error('no headteacher in the Playground');
      const [pending] = await stack.service.pendingApprovals({
        id: head.aadObjectId,
        upn: head.userPrincipalName,
        displayName: head.name,
        roles: ['Policy.Approver'],
      });
      expect(pending?.acknowledgement.userId).toBe(staff.aadObjectId);
      const { config } = await playground.json<{
        config: { groupChats: { id: string }[] };
      }>('/_internal/v1/config');
      const group = config.groupChats[0];
      if (group === undefined || pending === undefined) throw new Error('nothing to approve');

      // The headteacher asks for status in the group chat; then acts on an approval card.
      await playground.json(`/_conversation/v1/conversations/${group.id}/messages`, {
        method: 'POST',
        body: {
          from: { id: head.id },
          text: '<at>Countersign</at> status',
          textFormat: 'plain',
          mentions: [
            {
              mentioned: { id: '00000000-0000-0000-0000-00000000000011' },
              text: '<at>Countersign</at>',
            },
          ],
        },
      });
      const event = await playground.next(
        (e) => e.action === 'createMessage' && e.actionConversationId === group.id,
      );
      const result = await invoke(head.id, group.id, event.message.messageId, {
        action: 'approve',
        acknowledgementId: pending.acknowledgement.id,
        additionalPermissions: 'Remote access',
      });
      expect(cardProblems(result.value)).toEqual([]);
      expect(JSON.stringify(result.value)).toContain(`Approved: ${staff.name}`);
      expect(JSON.stringify(result.value)).toContain(head.name);
    });

    test('the bot logged no errors on the way', () => {
      expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    });
  },
);
