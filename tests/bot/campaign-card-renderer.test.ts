import { describe, expect, test } from 'vitest';
import { botCardRenderer } from '../../src/bot/index.ts';
import { contentHash } from '../../src/domain/content-hash.ts';
import type { Policy, PolicyVersion } from '../../src/domain/policy.ts';
import type { OutgoingActivity } from '../../src/ports/messenger.ts';
import { statusCard } from '../../src/bot/cards/index.ts';
import {
  acknowledgement,
  config,
  currentDocument,
  overduePeople,
  previousDocument,
  signer,
} from './card-fixtures.ts';
import { cardProblems } from './validate-card.ts';

const policy: Policy = {
  key: 'staff-aup',
  schoolId: 'st-barts',
  title: currentDocument.title,
  audiences: ['staff'],
  renewal: { kind: 'fixed-date', month: 9, day: 1 },
  approvalMode: 'first-signature',
};

const version = (number: number, label: string, document = currentDocument): PolicyVersion => ({
  policyKey: 'staff-aup',
  number,
  label,
  status: 'published',
  changeKind: 'material',
  publishedAt: '2026-02-01T09:00:00.000Z',
  document,
  contentHash: contentHash(document),
});

const v3 = version(3, 'Autumn 2025', previousDocument);
const v4 = version(4, 'Spring 2026');
const renderer = botCardRenderer(config);

function cardOf(activity: OutgoingActivity): Record<string, unknown> {
  expect(activity.type).toBe('message');
  expect(activity.attachments).toHaveLength(1);
  expect(activity.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
  const card = activity.attachments?.[0]?.content;
  expect(cardProblems(card)).toEqual([]);
  expect(Buffer.byteLength(JSON.stringify(activity))).toBeLessThan(40 * 1024);
  return card as Record<string, unknown>;
}

describe('the campaign sender’s cards are the bot’s cards', () => {
  test('a prompt after a material change lists what changed since the version last signed', () => {
    const activity = renderer.prompt({
      kind: 'prompt',
      recipient: signer,
      policy,
      version: v4,
      lastSignedVersion: v3,
      deadline: '2026-03-20T17:00:00.000Z',
    });
    expect(activity.summary).toBe(`Please sign ${policy.title}`);
    const json = JSON.stringify(cardOf(activity));
    expect(json).toContain(
      'What changed since you signed Autumn 2025:** 10 new clauses, 10 reworded, 5 removed',
    );
    expect(json).toContain(`"userId":"${signer.userId}"`);
    expect(json).toContain(v4.contentHash);
    expect(json).toContain('20 March 2026 at 17:00 GMT');
  });

  test('a first prompt has no changes section', () => {
    const json = JSON.stringify(
      cardOf(renderer.prompt({ kind: 'new-starter', recipient: signer, policy, version: v4 })),
    );
    expect(json).not.toContain('What changed');
    expect(json).toContain('Please read this policy and sign it');
  });

  test('a reminder is the short card whose "Sign now" opens the prompt', () => {
    const card = cardOf(
      renderer.prompt({
        kind: 'reminder',
        recipient: signer,
        policy,
        version: v4,
        lastSignedVersion: v3,
        reminderNumber: 2,
      }),
    );
    const json = JSON.stringify(card);
    expect(json).toContain('Reminder: please sign');
    expect(json).toContain('"verb":"showPrompt"');
  });

  test('a test send says it is a preview', () => {
    const json = JSON.stringify(
      cardOf(renderer.prompt({ kind: 'test', recipient: signer, policy, version: v4 })),
    );
    expect(json).toContain('Preview: this is the card staff will receive.');
  });

  test('the digest counts everyone overdue, names the first few and reports delivery', () => {
    const card = cardOf(
      renderer.digest({
        campaignId: 'c-1',
        recipient: signer,
        policy,
        version: v4,
        deadline: '2026-03-20T17:00:00.000Z',
        counts: { signed: 4_211, overdue: 2_140, 'awaiting-approval': 3 },
        overdue: overduePeople.slice(0, 50),
        overdueTotal: 2_140,
        delivery: { queued: 0, inFlight: 0, sent: 6_330, failed: 21, skipped: 3, total: 6_354 },
        reasons: { '403 blocked the app': 17, '404 no such user': 4, 'already signed': 3 },
      }),
    );
    const json = JSON.stringify(card);
    expect(json).toContain('Overdue (2140)');
    expect(json).toContain('and 2115 more.');
    expect(json).toContain('Could not reach (app blocked or removed): 403 blocked the app');
    expect(card).toMatchSnapshot();
  });
});

describe('in a trust, every card names its school in every action (issue 14)', () => {
  /** Every Action.Execute's data on a card: actions, action sets, fallbacks, refresh. */
  const actionData = (node: unknown): Record<string, unknown>[] => {
    if (Array.isArray(node)) return node.flatMap(actionData);
    if (typeof node !== 'object' || node === null) return [];
    const record = node as Record<string, unknown>;
    const own =
      record['type'] === 'Action.Execute' || record['type'] === 'Action.Submit'
        ? [record['data'] as Record<string, unknown>]
        : [];
    return [...own, ...Object.values(record).flatMap(actionData)];
  };
  // The sender's own school is the deployment's; the job's policy is Kingsmead's.
  const kingsmead = { ...policy, schoolId: 'kingsmead' };
  const ownConfig = { ...config, schoolId: 'deployment-school' };
  const kingsConfig = { ...config, schoolId: 'kingsmead', permissionChoices: ['iPad admin'] };
  const trustRenderer = botCardRenderer(ownConfig, (id) =>
    id === 'kingsmead' ? kingsConfig : undefined,
  );

  test('prompt, reminder, approval request and status: each action carries the school', () => {
    const cards = [
      trustRenderer.prompt({ kind: 'prompt', recipient: signer, policy: kingsmead, version: v4 }),
      trustRenderer.prompt({
        kind: 'reminder',
        recipient: signer,
        policy: kingsmead,
        version: v4,
        reminderNumber: 1,
      }),
      trustRenderer.approvalRequest({
        recipient: signer,
        acknowledgement: { ...acknowledgement, policyKey: 'staff-aup' },
        policy: kingsmead,
        version: v4,
      }),
    ].map(cardOf);
    const status = statusCard(
      {
        person: signer,
        policies: [
          {
            policy: kingsmead,
            version: v4,
            status: { kind: 'due', reason: 'never-signed', versionNumber: 4 },
          },
        ],
      },
      kingsConfig,
    );
    const verbs = new Set<unknown>();
    for (const card of [...cards, status]) {
      const data = actionData(card);
      expect(data.length).toBeGreaterThan(0);
      for (const d of data) {
        expect({ verb: d['action'], school: d['school'] }).toEqual({
          verb: d['action'],
          school: 'kingsmead',
        });
        verbs.add(d['action']);
      }
    }
    expect([...verbs].sort()).toEqual(
      ['approve', 'refreshApproval', 'refreshPrompt', 'reject', 'showPrompt', 'sign'].sort(),
    );
    // Drawn with Kingsmead's settings: its permission choices, not the sender's defaults.
    expect(JSON.stringify(cards[2])).toContain('iPad admin');
    expect(JSON.stringify(cards[2])).not.toContain('Finance systems');
  });

  test('a job of a school the sender has not composed yet still names that school', () => {
    const other = { ...policy, schoolId: 'hazel-lane' };
    const card = cardOf(
      trustRenderer.prompt({ kind: 'prompt', recipient: signer, policy: other, version: v4 }),
    );
    expect(actionData(card).map((d) => d['school'])).toEqual(
      actionData(card).map(() => 'hazel-lane'),
    );
  });

  test('a school of one draws its cards as before, naming no school', () => {
    const card = cardOf(
      renderer.prompt({ kind: 'prompt', recipient: signer, policy, version: v4 }),
    );
    expect(actionData(card).some((d) => 'school' in d)).toBe(false);
  });
});
