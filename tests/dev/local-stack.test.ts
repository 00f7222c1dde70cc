import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConnectorEmulator } from '../../src/dev/connector-emulator/connector-emulator.ts';
import { demoPlaygroundPeople } from '../../src/dev/demo/demo-playground-people.ts';
import { LOCAL_APP_ID, startLocalStack, type LocalStack } from '../../src/dev/local-stack.ts';

// The whole local run (emulator, provisioning, demo AUP, API with dev sign-in, bot endpoint)
// through HTTP, as the tab and the Playground use it.
let stack: LocalStack;

async function token(user: string): Promise<string> {
  const res = await fetch(`${stack.url}/dev/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function api(user: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${stack.url}${path}`, {
    ...init,
    headers: {
      Authorization: `Bearer ${await token(user)}`,
      'Content-Type': 'application/json',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
});

afterAll(async () => {
  await stack.close();
});

describe('local stack', () => {
  it('answers the health check and the tab config', async () => {
    expect(await (await fetch(`${stack.url}/healthz`)).text()).toBe('ok');
    expect(await (await fetch(`${stack.url}/config.json`)).json()).toEqual({
      mode: 'dev',
      timeZone: 'Europe/London',
    });
  });

  it('refuses the API without a token', async () => {
    const res = await fetch(`${stack.url}/api/me/policies`);
    expect(res.status).toBe(401);
  });

  it('a member of staff sees the demo AUP due, signs it, and the headteacher approves', async () => {
    const mine = await api('staff', '/api/me/policies');
    expect(mine.status).toBe(200);
    const [view] = mine.body as {
      policy: { key: string };
      version: { number: number; contentHash: string; document: { consents: { key: string }[] } };
      status: { kind: string };
    }[];
    expect(view?.status.kind).toBe('due');
    const signed = await api('staff', `/api/me/policies/${view!.policy.key}/sign`, {
      method: 'POST',
      body: JSON.stringify({
        versionNumber: view!.version.number,
        contentHash: view!.version.contentHash,
        declarationAccepted: true,
        typedName: stack.devUsers[0]!.displayName,
        statedRole: 'Class teacher',
        consents: Object.fromEntries(view!.version.document.consents.map((c) => [c.key, true])),
      }),
    });
    expect(signed.status).toBe(201);
    const ackId = (signed.body as { acknowledgement: { id: string } }).acknowledgement.id;

    const again = await api('staff', '/api/me/policies');
    expect((again.body as { status: { kind: string } }[])[0]?.status.kind).toBe(
      'awaiting-approval',
    );

    const pending = await api('head', '/api/approvals');
    expect(pending.status).toBe(200);
    expect(
      (pending.body as { acknowledgement: { id: string } }[]).map((p) => p.acknowledgement.id),
    ).toContain(ackId);
    const decided = await api('head', `/api/approvals/${encodeURIComponent(ackId)}/decision`, {
      method: 'POST',
      body: JSON.stringify({ decision: 'approved', additionalPermissions: [] }),
    });
    expect(decided.status).toBe(200);
    const after = await api('staff', '/api/me/policies');
    expect((after.body as { status: { kind: string } }[])[0]?.status.kind).toBe('signed');

    // The record is in the emulator's SharePoint list, sealed.
    const counts = stack.emulator.counters();
    expect(counts.requests).toBeGreaterThan(0);
  });

  it(
    'the DSL launches a campaign and every person due gets one prompt through the connector',
    { timeout: 120_000 },
    async () => {
      const launched = await api('dsl', '/api/admin/campaigns', {
        method: 'POST',
        body: JSON.stringify({
          policyKey: 'staff-aup',
          versionNumber: 1,
          deadline: '2027-01-31T17:00:00.000Z',
        }),
      });
      expect(launched.status).toBe(201);
      const report = await api('dsl', '/api/admin/people?policyKey=staff-aup&pageSize=500');
      const page = report.body as {
        rows: { id: string; statuses: Record<string, { kind: string }> }[];
      };
      const due = page.rows.filter(
        (r) =>
          r.statuses['staff-aup']?.kind !== 'signed' &&
          r.statuses['staff-aup']?.kind !== 'awaiting-approval',
      );
      // The paced sender settles every delivery of the job before it reports idle.
      await stack.campaigns.sender.untilIdle();
      // Prompts only: the headteacher also had an approval card for the signature made above.
      const sends = new Map<string, number>();
      for (const sent of stack.connector.delivered()) {
        if (sent.kind === 'create' && JSON.stringify(sent.activity).includes('"verb":"sign"')) {
          sends.set(sent.userId, (sends.get(sent.userId) ?? 0) + 1);
        }
      }
      expect(new Set(sends.keys())).toEqual(new Set(due.map((r) => r.id)));
      expect([...sends.values()].every((n) => n === 1)).toBe(true);
    },
  );

  it("'send it to myself' shows in the Agents Playground's chat while it runs, and goes to the connector emulator otherwise", async () => {
    const dsl = stack.devUsers.find((u) => u.key === 'dsl');
    if (dsl === undefined) throw new Error('no DSL among the dev users');
    const { currentUser, tenantId } = demoPlaygroundPeople();
    // The Playground's /_connector, played by a second connector emulator: the same two calls
    // (create the conversation, post the activity), so no Playground binary is needed here.
    const playground = await startConnectorEmulator({ recordBodies: true });
    const sendTest = async () => {
      const answer = await api('dsl', '/api/admin/campaigns/send-test', {
        method: 'POST',
        body: JSON.stringify({ policyKey: 'staff-aup', versionNumber: 1 }),
      });
      expect(answer.status).toBe(202);
      await stack.campaigns.sender.untilIdle();
    };
    const before = stack.connector.delivered().length;
    try {
      stack.playgroundChat.attach({
        connectorUrl: playground.url,
        tenantId,
        botId: LOCAL_APP_ID,
        currentUser,
      });
      await sendTest();
      // The Playground's chat on screen is its current user's: the card goes there, for the DSL.
      const shown = playground.delivered();
      expect(shown.map((d) => [d.userId, d.kind])).toEqual([[currentUser.id, 'create']]);
      expect(JSON.stringify(shown[0]?.activity)).toContain(
        'application/vnd.microsoft.card.adaptive',
      );
      expect(JSON.stringify(shown[0]?.activity)).toContain(dsl.id);
      expect(stack.connector.delivered().slice(before)).toEqual([]);

      // Without the Playground (tests, or it failed to start): the DSL's own 1:1 chat.
      stack.playgroundChat.detach();
      await sendTest();
      expect(
        stack.connector
          .delivered()
          .slice(before)
          .map((d) => d.userId),
      ).toEqual([dsl.id]);
      expect(playground.delivered()).toHaveLength(1);
    } finally {
      stack.playgroundChat.detach();
      await playground.close();
    }
  });

  it('staff cannot reach admin routes', async () => {
    expect((await api('staff', '/api/admin/policies')).status).toBe(403);
    expect((await api('dsl', '/api/admin/policies')).status).toBe(200);
  });
});
