import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import { startLocalStack, type LocalStack } from '../../src/dev/local-stack.ts';

/**
 * Graph goes away during signing and a campaign, and comes back (issue 13, item 2; the 45 s
 * version with its timings is `npm run bench:outage`). Here the outage is the Graph emulator
 * dropping every connection before handling it for as long as it takes two signs to be refused
 * and the campaign to meet it: outcomes only, never times. Nothing lost, nothing stored or sent
 * twice, and everything recovers without restarting the service.
 */
let stack: LocalStack;

async function api(user: string, path: string, body?: unknown) {
  const tokenRes = await fetch(`${stack.url}/dev/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  const { accessToken } = (await tokenRes.json()) as { accessToken: string };
  const res = await fetch(`${stack.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

interface View {
  policy: { key: string };
  version: { number: number; contentHash: string };
}

const signBody = (view: View, name: string) => ({
  versionNumber: view.version.number,
  contentHash: view.version.contentHash,
  declarationAccepted: true,
  typedName: name,
  statedRole: 'Teacher',
  consents: {},
});

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
});

afterAll(async () => {
  await stack.close();
});

describe('a Graph outage during signing and a campaign', () => {
  it('refuses signs with Retry-After while Graph is down, then takes each once; the campaign reaches everyone once', async () => {
    const [view] = (await api('staff', '/api/me/policies')).body as View[];
    if (view === undefined) throw new Error('no policy to sign');
    const [governorView] = (await api('governor', '/api/me/policies')).body as View[];
    if (governorView === undefined) throw new Error('no policy for the governor');

    // The campaign starts, then Graph goes away.
    const launched = await api('dsl', '/api/admin/campaigns', {
      policyKey: view.policy.key,
      versionNumber: view.version.number,
      deadline: new Date(Date.now() + 14 * 86_400_000).toISOString(),
    });
    expect(launched.status).toBe(201);
    const campaignId = (launched.body as { id: string }).id;
    stack.emulator.setFaults({ rateReset: 1, resetPhase: 'before' });

    const refused = [
      await api('staff', `/api/me/policies/${view.policy.key}/sign`, signBody(view, 'Staff')),
      await api('governor', `/api/me/policies/${governorView.policy.key}/sign`, {
        ...signBody(governorView, 'Governor'),
      }),
    ];
    for (const answer of refused) {
      expect(answer.status).toBe(503);
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
    }
    // The sender meets the outage too (give it a moment of real time to try).
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    // Graph is back. The people press Sign again, as the tab does by itself.
    stack.emulator.setFaults({});
    const signAgain = async (user: string, v: View, name: string) => {
      for (let attempt = 0; attempt < 30; attempt++) {
        const answer = await api(user, `/api/me/policies/${v.policy.key}/sign`, signBody(v, name));
        if (answer.status !== 503) return answer.status;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      return 503;
    };
    expect(await signAgain('staff', view, 'Staff')).toBe(201);
    expect(await signAgain('governor', governorView, 'Governor')).toBe(201);

    // Exactly one signature each.
    const history = async (user: string) =>
      ((await api(user, '/api/me/history')).body as unknown[]).length;
    expect(await history('staff')).toBe(1);
    expect(await history('governor')).toBe(1);

    // The campaign finishes by itself: everyone sent the card once, nobody failed or left.
    let delivery: {
      queued: number;
      inFlight: number;
      sent: number;
      failed: number;
      total: number;
    } = { queued: 1, inFlight: 0, sent: 0, failed: 0, total: 0 };
    for (let waited = 0; waited < 120 && delivery.queued + delivery.inFlight > 0; waited++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const campaigns = (await api('dsl', '/api/admin/campaigns')).body as {
        id: string;
        delivery: typeof delivery;
      }[];
      delivery = campaigns.find((c) => c.id === campaignId)?.delivery ?? delivery;
    }
    expect(delivery.failed).toBe(0);
    expect(delivery.queued + delivery.inFlight).toBe(0);
    expect(delivery.sent).toBeGreaterThan(0);
    // Nobody had the campaign's card twice. The approvers also get the approval requests the
    // two signatures raised, so they are counted without those.
    const approvers = new Set<string>(DEMO_SCHOOL.school.approverIds);
    const twice = [...stack.connector.sendsPerUser()].filter(
      ([userId, n]) => n - (approvers.has(userId) ? 2 : 0) > 1,
    );
    expect(twice).toEqual([]);
    expect(stack.connector.sendsPerUser().size).toBe(delivery.sent);
  }, 180_000);
});
