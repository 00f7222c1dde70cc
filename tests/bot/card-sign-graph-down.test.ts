import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { AdaptiveCard } from '../../src/bot/index.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { withSignGraphBudget } from '../../src/server/request-observer.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { emulatorGraphAdapters } from '../support/emulator-graph.ts';
import { BotWorld, people, school } from './bot-harness.ts';
import { currentDocument } from './card-fixtures.ts';
import { executeData } from './card-walk.ts';
import { cardProblems } from './validate-card.ts';

/**
 * A Sign from a card while Graph fails (issue 13, item 2): the bot over the real Graph adapters
 * and the Graph emulator, composed with the sign's Graph budget as the service composes it
 * (withSignGraphBudget). Graph's own exchange timeout is set far beyond the test's, so the card
 * can only answer while Graph holds every request because the budget cut the exchange off.
 */

const typed = {
  declarationAccepted: 'true',
  typedName: 'Sam Okafor',
  statedRole: 'Year 4 class teacher',
};

function answeredCard(response: { status: number; body: unknown }): AdaptiveCard {
  expect(response.status).toBe(200);
  const body = response.body as { statusCode: number; value: AdaptiveCard };
  expect(body.statusCode).toBe(200);
  expect(cardProblems(body.value)).toEqual([]);
  return body.value;
}

const headingOf = (card: AdaptiveCard): string =>
  (card.body[0] as { text?: string } | undefined)?.text ?? '';

describe('a card Sign while Microsoft 365 is failing', () => {
  let emulator: GraphEmulator;
  let graph: GraphAdapters;
  let world: BotWorld;

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    graph = emulatorGraphAdapters(emulator, {
      // Longer than the test runs: only the sign's budget can end an exchange Graph holds.
      timeoutMs: 600_000,
      // One attempt per call: the failure that shows Graph failing stays below the circuit's 5.
      retry: { maxAttempts: 1 },
    });
    await provisionSite(graph.gateway, graph.records.site);
    const directory = new MemoryDirectory({
      people: Object.values(people).map((p) => ({
        id: p.id,
        userPrincipalName: p.upn,
        displayName: p.name,
      })),
      groups: [{ id: 'g-staff', members: [people.staff.id, people.other.id, people.head.id] }],
    });
    world = new BotWorld({
      service: createCountersignService({
        records: graph.records,
        directory,
        clock: systemClock,
        sealKey: 'test-seal-key-with-at-least-32-bytes!!',
        evidence: memoryEvidenceKeys(),
        school,
      }),
    });
    await world.publish('Autumn 2026', currentDocument);
    await world.start({ signBudget: withSignGraphBudget });
  });
  afterAll(async () => {
    await world.stop();
    await emulator.close();
  });

  test('answers at the budget with a try-again card, stores nothing, and signs once Graph is back', async () => {
    const prompt = answeredCard(
      await world.invoke(people.staff, {
        action: 'showPrompt',
        policyKey: 'staff-aup',
        userId: people.staff.id,
      }),
    );
    const sign = { ...executeData(prompt, 'sign'), ...typed };

    // Graph starts failing (a dropped connection), then holds every request for a minute.
    emulator.setFaults({ rateReset: 1, resetPhase: 'before' });
    await expect(graph.records.getPolicy('staff-aup')).rejects.toMatchObject({
      code: 'unavailable',
    });
    expect(graph.gateway.circuit).toMatchObject({ kind: 'closed', failures: 1 });
    emulator.setFaults({ latencyMs: 60_000 });

    const card = answeredCard(await world.invoke(people.staff, sign));
    expect(headingOf(card)).toBe('Your signature may not have been saved');
    expect(JSON.stringify(card)).toContain('if it is not, sign again');
    expect(world.logger.lines.map((l) => l.msg[0])).toContain(
      'sign failed with its outcome unknown',
    );

    // Graph answers again: nothing was stored by the Sign cut off; the same Sign is taken, once.
    emulator.setFaults({});
    expect(await graph.records.listAcknowledgements({ policyKey: 'staff-aup' })).toEqual([]);
    const receipt = answeredCard(await world.invoke(people.staff, sign));
    expect(headingOf(receipt)).toContain('Signed: ');
    const stored = await graph.records.listAcknowledgements({ policyKey: 'staff-aup' });
    expect(stored.map((a) => [a.userId, a.channel])).toEqual([[people.staff.id, 'card']]);
  }, 30_000);
});
