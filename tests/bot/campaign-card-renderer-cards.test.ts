import { describe, expect, it } from 'vitest';
import { botCardRenderer } from '../../src/bot/campaign-card-renderer.ts';
import { contentHash } from '../../src/domain/content-hash.ts';
import type { PolicyVersion } from '../../src/domain/policy.ts';
import type { OutgoingActivity } from '../../src/ports/messenger.ts';
import { cardProblems } from './validate-card.ts';
import { doc, policy } from '../campaigns/world.ts';

function version(number: number, extra: string): PolicyVersion {
  const document = doc(extra);
  return {
    policyKey: policy.key,
    number,
    label: `Version ${number}`,
    status: 'published',
    changeKind: 'material',
    publishedAt: '2026-01-01T00:00:00.000Z',
    document,
    contentHash: contentHash(document),
  };
}

/** Parses the card with the adaptivecards library, as the bot's own card tests do. */
function parse(activity: OutgoingActivity): { errors: string[]; bytes: number } {
  return {
    errors: cardProblems(activity.attachments?.[0]?.content),
    bytes: Buffer.byteLength(JSON.stringify(activity)),
  };
}

describe('campaign cards drawn by the bot', () => {
  const render = botCardRenderer({
    appId: '00000000-0000-0000-0000-000000000001',
    timeZone: 'Europe/London',
  });
  const v1 = version(1, '');
  const v2 = version(2, ' Including personal devices.');
  const recipient = { userId: 's-1', displayName: 'Ana Okafor' };

  it('renders the prompt, what changed, a reminder and the digest as valid cards', () => {
    const activities = [
      render.prompt({
        kind: 'prompt',
        recipient,
        policy,
        version: v2,
        deadline: '2026-03-25T17:00:00.000Z',
      }),
      render.prompt({ kind: 'prompt', recipient, policy, version: v2, lastSignedVersion: v1 }),
      render.prompt({
        kind: 'reminder',
        recipient,
        policy,
        version: v2,
        reminderNumber: 2,
        deadline: '2026-03-25T17:00:00.000Z',
      }),
      render.prompt({ kind: 'renewal', recipient, policy, version: v2 }),
      render.digest({
        campaignId: 'c1',
        recipient,
        policy,
        version: v2,
        deadline: '2026-03-25T17:00:00.000Z',
        counts: { signed: 40, overdue: 2 },
        overdue: [{ displayName: 'Ben Walsh' }, { displayName: 'Cat Jones' }],
        overdueTotal: 2,
        delivery: { queued: 0, inFlight: 0, sent: 41, failed: 1, skipped: 0, total: 42 },
        reasons: { '403 blocked': 1 },
      }),
    ];
    for (const activity of activities) {
      expect(activity.attachments?.[0]?.contentType).toBe(
        'application/vnd.microsoft.card.adaptive',
      );
      const { errors, bytes } = parse(activity);
      expect(errors).toEqual([]);
      expect(bytes).toBeLessThan(40_000);
    }
    expect(JSON.stringify(activities[1])).toContain('personal devices');
  });
});
