import { afterEach, describe, expect, it } from 'vitest';
import { teamsAppInstaller } from '../../src/adapters/graph/teams-app-installer.ts';
import { openSqliteWorkStore } from '../../src/adapters/sqlite/sqlite-work-store.ts';
import { ConnectorMessenger } from '../../src/adapters/teams-connector/connector-messenger.ts';
import {
  startConnectorEmulator,
  type ConnectorEmulator,
} from '../../src/dev/connector-emulator/connector-emulator.ts';
import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import type { Messenger } from '../../src/ports/messenger.ts';
import { createCampaignSender } from '../../src/services/campaigns/campaign-sender.ts';
import { EMULATOR_AUTHORIZATION, emulatorGateway } from '../support/emulator-graph.ts';
import { promptJob, renderSimple, seedJob, TENANT, VirtualTiming, type Rig } from './fixtures.ts';

/**
 * Issue 12, item 3: an install through Graph lands later. The Graph emulator answers the install
 * 201 at once and makes Teams reach the person only `landsAfterMs` later; the connector emulator
 * asks it, so the 1:1 create-conversation is refused 403 (not installed) until then, as Teams
 * refuses it. The sender records "installing" and retries until the install lands.
 */
const APP = 'countersign-manifest-id';
const LANDS_AFTER_MS = 30_000;
const people = [DEMO_SCHOOL.staff[3]?.id ?? '', DEMO_SCHOOL.staff[4]?.id ?? ''];

let graph: GraphEmulator | undefined;
let connector: ConnectorEmulator | undefined;
afterEach(async () => {
  await connector?.close();
  await graph?.close();
  connector = undefined;
  graph = undefined;
});

describe('an app install that lands later', () => {
  it('Graph: the install is 201 at once; its chat is 404 and Teams cannot reach the person until it lands', async () => {
    let now = Date.UTC(2026, 8, 1);
    graph = await startGraphEmulator({
      permissions: { catalog: [APP] },
      teamsInstall: { landsAfterMs: LANDS_AFTER_MS, now: () => now },
    });
    const person = people[0] ?? '';
    await teamsAppInstaller(emulatorGateway(graph), APP)(person);
    const installs = (await (
      await fetch(`${graph.url}/users/${person}/teamwork/installedApps`, {
        headers: EMULATOR_AUTHORIZATION,
      })
    ).json()) as { value: { id: string }[] };
    const chat = `${graph.url}/users/${person}/teamwork/installedApps/${installs.value[0]?.id ?? ''}/chat`;
    expect(graph.teamsAppReachable(person, APP)).toBe(false);
    expect((await fetch(chat, { headers: EMULATOR_AUTHORIZATION })).status).toBe(404);
    now += LANDS_AFTER_MS - 1;
    expect(graph.teamsAppReachable(person, APP)).toBe(false);
    now += 1;
    expect(graph.teamsAppReachable(person, APP)).toBe(true);
    expect((await fetch(chat, { headers: EMULATOR_AUTHORIZATION })).status).toBe(200);
  });

  async function rig(timing: VirtualTiming): Promise<Rig> {
    graph = await startGraphEmulator({
      permissions: { catalog: [APP] },
      teamsInstall: { landsAfterMs: LANDS_AFTER_MS, now: () => timing.now() },
    });
    const reachable = graph.teamsAppReachable.bind(graph);
    connector = await startConnectorEmulator({
      tenantId: TENANT,
      now: () => timing.now(),
      appInstalled: (userId) => reachable(userId, APP),
    });
    const inner = new ConnectorMessenger({
      serviceUrl: connector.url,
      tenantId: TENANT,
      botId: 'bot-1',
      getToken: () => Promise.resolve('test-token'),
      // The production installer, through Graph (the emulator, strict, the app in its catalog).
      installApp: teamsAppInstaller(emulatorGateway(graph), APP),
    });
    const messenger: Messenger = {
      ensureInstalled: (userId) => timing.track(() => inner.ensureInstalled(userId)),
      trusts: (serviceUrl) => inner.trusts(serviceUrl),
      createConversation: (userId) => timing.track(() => inner.createConversation(userId)),
      teamsUserId: (ref) => timing.track(() => inner.teamsUserId(ref)),
      sendActivity: (ref, activity) => timing.track(() => inner.sendActivity(ref, activity)),
      updateActivity: (ref, id, activity) =>
        timing.track(() => inner.updateActivity(ref, id, activity)),
    };
    const work = openSqliteWorkStore({ path: ':memory:' });
    return { emulator: connector, work, messenger, close: () => work.close() };
  }

  function sender(r: Rig, timing: VirtualTiming, installWaitMs?: number) {
    const errors: unknown[] = [];
    const s = createCampaignSender(
      {
        queue: r.work,
        leases: r.work,
        conversations: r.work,
        messenger: r.messenger,
        render: renderSimple,
        timing,
        holderId: 'me',
        onError: (e) => errors.push(e),
      },
      { idlePollMs: 20, ...(installWaitMs === undefined ? {} : { installWaitMs }) },
    );
    return { s, errors };
  }

  it('the sender installs through Graph, waits while Teams refuses (403), and messages each person once it lands', async () => {
    const timing = new VirtualTiming();
    const r = await rig(timing);
    await seedJob(r, promptJob('c1'), people, { storeConversations: false });
    const started = timing.now();
    const { s, errors } = sender(r, timing);
    s.start();
    await s.untilIdle();
    await s.stop();
    expect(errors).toEqual([]);
    expect(s.stats()).toMatchObject({ installs: 2, failed: 0, sent: 2 });
    expect(s.stats().installing).toBeGreaterThanOrEqual(2);
    // Refused before the install and again while it landed; each person messaged once, after it.
    expect(r.emulator.counters().forbidden).toBeGreaterThanOrEqual(4);
    for (const person of people) expect(r.emulator.sendsPerUser().get(person)).toBe(1);
    expect(timing.now() - started).toBeGreaterThanOrEqual(LANDS_AFTER_MS);
    for (const person of people) {
      expect(await r.work.getDelivery('c1', person)).toMatchObject({ state: 'sent' });
    }
    await r.close();
  });

  it('gives up once the install wait is over when the install has not landed', async () => {
    const timing = new VirtualTiming();
    const r = await rig(timing);
    const person = people[0] ?? '';
    await seedJob(r, promptJob('c1'), [person], { storeConversations: false });
    const { s } = sender(r, timing, LANDS_AFTER_MS / 3);
    s.start();
    await s.untilIdle();
    await s.stop();
    const row = await r.work.getDelivery('c1', person);
    await r.close();
    expect(s.stats()).toMatchObject({ installs: 1, failed: 1, sent: 0 });
    expect(row?.state).toBe('failed');
    expect(row?.reason).toMatch(/^403 BotNotInConversationRoster: .*still not reachable\)$/);
  });
});
