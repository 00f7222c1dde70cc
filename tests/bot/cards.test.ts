import * as AC from 'adaptivecards';
import { describe, expect, test } from 'vitest';
import {
  adminDigestCard,
  approvalRequestCard,
  approvalResultCard,
  approvalsNotReachedLine,
  errorCard,
  helpCard,
  isUserMri,
  DECLARATION_TOGGLE_TITLE,
  MAX_REFRESH_USERS,
  POLICY_TEXT_ID,
  policyChangeLines,
  reminderCard,
  signedReceiptCard,
  signPromptCard,
  statusCard,
  withRefreshUsers,
  type AdaptiveCard,
} from '../../src/bot/cards/index.ts';
import { cardActionSchema } from '../../src/bot/card-actions.ts';
import {
  acknowledgement,
  config,
  diff,
  diffSummary,
  headteacher,
  overduePeople,
  policy,
  signer,
  version,
} from './card-fixtures.ts';
import { cardProblems } from './validate-card.ts';

const changeLines = policyChangeLines(diff);

/** The card as a Teams-like client parses it (the adaptivecards library). */
function parseCard(json: unknown): AC.AdaptiveCard {
  const card = new AC.AdaptiveCard();
  card.hostConfig = new AC.HostConfig({ supportsInteractivity: true });
  card.parse(json, new AC.SerializationContext(AC.Versions.v1_5));
  return card;
}

/** Teams user MRIs, as activities' `from.id` carry them (75: more than a refresh may name). */
const approverMris = Array.from(
  { length: 75 },
  (_, i) => `29:1bSnHZ7Js2STWrgk6ScE-${String(i).padStart(3, '0')}`,
);

/** Every card the bot can send, filled with realistic (long, many-changes) data. */
const cards: Record<string, AdaptiveCard> = {
  'sign prompt': signPromptCard(
    {
      recipient: signer,
      policy,
      version,
      deadline: '2026-03-20T17:00:00.000Z',
      reason: 'material-change',
      changes: { fromVersionLabel: 'Autumn 2025', summary: diffSummary, lines: changeLines },
    },
    config,
  ),
  'sign prompt with an error': signPromptCard(
    {
      recipient: signer,
      policy,
      version,
      reason: 'never-signed',
      prefill: { statedRole: 'Teaching assistant', consents: { photo: true } },
      error: 'Type your full name to sign.',
      notice: 'A newer version was published since this card was sent: this is the current one.',
    },
    config,
  ),
  'signed receipt': signedReceiptCard(
    {
      policy,
      version,
      acknowledgement,
      consentTexts: Object.fromEntries(version.document.consents.map((c) => [c.key, c.text])),
    },
    config,
  ),
  'approval request': approvalRequestCard(
    {
      acknowledgement,
      policy,
      version,
      statement: version.document.approval?.statement,
    },
    config,
  ),
  'approval request with an error': approvalRequestCard(
    {
      acknowledgement,
      policy,
      version,
      prefill: { additionalPermissions: ['Remote access'], comment: '' },
      error: 'Give a reason when you reject.',
    },
    config,
  ),
  'approval request (typed name differs)': approvalRequestCard(
    {
      // Signed from this account, typing a colleague's name.
      acknowledgement: { ...acknowledgement, typedName: 'Emma Bonnin-Ashworth' },
      policy,
      version,
    },
    config,
  ),
  'approval result (approved)': approvalResultCard(
    {
      approval: {
        decision: 'approved',
        approverName: headteacher.displayName,
        decidedAt: '2026-03-06T08:45:00.000Z',
        additionalPermissions: ['Remote access', 'Finance systems'],
        comment:
          'Finance access for the school fund audit only; review at the end of the summer term.',
      },
      acknowledgement,
      policy,
      version,
    },
    config,
  ),
  'approval result (rejected)': approvalResultCard(
    {
      approval: {
        decision: 'rejected',
        approverName: headteacher.displayName,
        decidedAt: '2026-07-06T08:45:00.000Z',
        additionalPermissions: [],
        comment: 'DBS check not yet returned.',
      },
      acknowledgement,
      policy,
      version,
    },
    config,
  ),
  reminder: reminderCard(
    {
      recipient: signer,
      policy,
      version,
      deadline: '2026-03-20T17:00:00.000Z',
      reminderNumber: 2,
      overdue: false,
      changesSummary: diffSummary,
    },
    config,
  ),
  'reminder (overdue)': reminderCard(
    { recipient: signer, policy, version, reminderNumber: 3, overdue: true },
    config,
  ),
  'admin digest': adminDigestCard(
    {
      policy,
      version,
      deadline: '2026-03-20T17:00:00.000Z',
      counts: { signed: 4_211, 'awaiting-approval': 37, overdue: 140, due: 12, rejected: 2 },
      overdue: overduePeople,
    },
    config,
  ),
  // The alert that a campaign's delivery records were lost (issue 13, item 1).
  'admin digest: delivery records lost': adminDigestCard(
    {
      policy,
      version,
      deadline: '2026-03-20T17:00:00.000Z',
      counts: {},
      overdue: [],
      alert: 'delivery-records-lost',
      deliveryRecordsLost: [
        {
          title: policy.title,
          versionNumber: 4,
          reason: 'store-replaced',
          sentBeforeLoss: 1_253,
          failedBeforeLoss: 3,
        },
      ],
    },
    config,
  ),
  // Three signatures wait for an approver their card could not reach (issue 13).
  'admin digest: approvals not reached': adminDigestCard(
    {
      policy,
      version,
      deadline: '2026-03-20T17:00:00.000Z',
      counts: { signed: 4_211, 'awaiting-approval': 37 },
      overdue: [],
      approvalsNotReached: 3,
    },
    config,
  ),
  // With the latest checkpoint's signed copy: 16 shard heads and per-shard counts of three lists.
  'admin digest with checkpoint': adminDigestCard(
    {
      policy,
      version,
      deadline: '2026-03-20T17:00:00.000Z',
      counts: { signed: 4_211, overdue: 140 },
      overdue: overduePeople,
      checkpoint: [
        'Latest checkpoint: checkpoint:4120, taken 20 March 2026, 17:00 GMT (a signed copy kept outside the site).',
        'Counts: 4211 acknowledgements, 39 approval decisions, 4 versions, 20120 audit events; rows signed by 20 March 2026, 16:50 GMT.',
        `Heads (shard seq hash): ${Array.from({ length: 16 }, (_, shard) => `${shard} ${1_000 + shard} ${'a'.repeat(64)}`).join(', ')}.`,
        `Record SHA-256: ${'f'.repeat(64)}`,
        `Signature (ES256, key kv-evidence-signing-1), hex: ${'e'.repeat(128)}`,
      ],
    },
    config,
  ),
  status: statusCard(
    {
      person: signer,
      policies: [
        {
          policy,
          version,
          status: {
            kind: 'due',
            reason: 'material-change',
            versionNumber: 4,
            lastSignedVersion: 3,
            deadline: '2026-03-20T17:00:00.000Z',
          },
          changesSummary: diffSummary,
        },
        {
          policy: { key: 'governor-aup', title: 'Governor Acceptable Use Policy' },
          version: { number: 2, label: '2025-26' },
          status: {
            kind: 'signed',
            versionNumber: 2,
            signedAt: '2025-09-03T09:12:00.000Z',
            validUntil: '2026-09-01T00:00:00.000Z',
          },
        },
        {
          policy: { key: 'volunteer-aup', title: 'Volunteer Acceptable Use Policy' },
          version: { number: 1, label: 'Summer 2025' },
          status: {
            kind: 'overdue',
            reason: 'never-signed',
            versionNumber: 1,
            deadline: '2025-07-18T16:00:00.000Z',
          },
        },
        {
          policy: { key: 'remote-access', title: 'Remote Access Agreement' },
          version: { number: 1, label: 'v1' },
          status: { kind: 'awaiting-approval', versionNumber: 1, signedAt: '2026-01-10T10:00:00Z' },
        },
      ],
    },
    config,
  ),
  'status (nothing to sign)': statusCard({ person: signer, policies: [] }, config),
  help: helpCard(config),
  error: errorCard({
    title: 'This card is not for you',
    message: 'It was sent to someone else. Your own cards are in your chat with Countersign.',
    code: 'forbidden',
  }),
};

/** The Action.Execute buttons a person sees (the refresh action is not one). */
function executeButtons(card: AdaptiveCard): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record['type'] === 'Action.Execute') found.push(record);
    for (const [key, value] of Object.entries(record)) {
      if (key !== 'refresh' && key !== 'fallback') visit(value);
    }
  };
  visit(card);
  return found;
}

function actionData(card: unknown): unknown[] {
  const found: unknown[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record['type'] === 'Action.Execute') found.push(record['data']);
    Object.values(record).forEach(visit);
  };
  visit(card);
  return found;
}

describe('cards', () => {
  test('the fixture diff has 25 changed clauses', () => {
    expect(diff.added.length + diff.reworded.length + diff.removed.length).toBe(25);
  });

  for (const [name, card] of Object.entries(cards)) {
    describe(name, () => {
      test('parses and validates with no errors or warnings in the adaptivecards library', () => {
        expect(cardProblems(card)).toEqual([]);
      });

      test('stays under 40 KB serialised', () => {
        expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(40 * 1024);
      });

      test('is Adaptive Card 1.5 and every Action.Execute carries data the bot accepts', () => {
        expect(card.version).toBe('1.5');
        for (const data of actionData(card)) {
          const parsed = cardActionSchema.safeParse(data);
          expect(parsed.success, JSON.stringify(data)).toBe(true);
        }
      });

      test('refresh, where present, names nobody by Entra id: the bot adds MRIs when it answers', () => {
        if (card.refresh !== undefined) {
          expect(card.refresh.userIds).toBeUndefined();
          expect(card.refresh.action?.type).toBe('Action.Execute');
        }
      });

      test('every Action.Execute button falls back to an Action.Submit with the same data', () => {
        for (const button of executeButtons(card)) {
          expect(button['fallback']).toMatchObject({
            type: 'Action.Submit',
            title: button['title'],
            data: button['data'],
          });
        }
      });

      test('matches its snapshot', () => {
        expect(card).toMatchSnapshot();
      });
    });
  }

  test('the sign action carries the policy, version and content hash, and the verb is data.action', () => {
    const sign = cards['sign prompt']?.actions?.[0];
    expect(sign).toMatchObject({
      type: 'Action.Execute',
      verb: 'sign',
      data: {
        action: 'sign',
        policyKey: 'staff-aup',
        versionNumber: 4,
        contentHash: version.contentHash,
        userId: signer.userId,
      },
    });
  });

  test('the prompt links to the My AUP tab by app id', () => {
    expect(JSON.stringify(cards['sign prompt'])).toContain(
      `https://teams.microsoft.com/l/entity/${config.appId}/my-aup`,
    );
  });

  test('the typed name is required, with an error message', () => {
    expect(JSON.stringify(cards['sign prompt'])).toMatch(
      /"id":"typedName","label":"Your full name","placeholder":"[^"]+","isRequired":true,"errorMessage":"Type your full name to sign\."/,
    );
  });

  test('the receipt shows the time in Europe/London and both forms of the hash', () => {
    const json = JSON.stringify(cards['signed receipt']);
    expect(json).toContain('5 March 2026 at 14:07 GMT');
    expect(json).toContain(version.contentHash.slice(0, 12));
    expect(json).toContain(version.contentHash);
  });

  test('British Summer Time shows as BST', () => {
    const card = signedReceiptCard(
      {
        policy,
        version,
        acknowledgement: { ...acknowledgement, signedAt: '2026-07-01T11:00:00Z' },
      },
      config,
    );
    expect(JSON.stringify(card)).toContain('1 July 2026 at 12:00 BST');
  });

  test('the digest says how many approvals reached no approver and where to resend; none, nothing', () => {
    const texts = (name: string) =>
      (cards[name]?.body ?? []).flatMap((element) =>
        element.type === 'TextBlock' && typeof element.text === 'string' ? [element.text] : [],
      );
    expect(texts('admin digest: approvals not reached')).toEqual(
      expect.arrayContaining([
        'Approvals not reached',
        '3 signatures are waiting for an approver the card did not reach: open Admin › Approval requests in Countersign to resend.',
      ]),
    );
    expect(approvalsNotReachedLine(1)).toBe(
      '1 signature is waiting for an approver the card did not reach: open Admin › Approval requests in Countersign to resend.',
    );
    expect(texts('admin digest').join('\n')).not.toContain('Approvals not reached');
  });

  test('the digest names the first 25 overdue and counts the rest', () => {
    const json = JSON.stringify(cards['admin digest']);
    expect(json).toContain(overduePeople[24]?.displayName);
    expect(json).not.toContain(overduePeople[25]?.displayName);
    expect(json).toContain('and 115 more.');
  });

  test('the sign prompt asks for the tab’s confirmation as a required toggle the library enforces', () => {
    const parsed = parseCard(cards['sign prompt']);
    const inputs = parsed.getAllInputs();
    const toggle = inputs.find((i) => i.id === 'declarationAccepted');
    expect(toggle).toBeInstanceOf(AC.ToggleInput);
    expect((toggle as AC.ToggleInput).title).toBe(DECLARATION_TOGGLE_TITLE);
    expect(toggle?.isRequired).toBe(true);
    expect((toggle as AC.ToggleInput).valueOn).toBe('true');
    expect(toggle?.errorMessage).toBe('Tick this to confirm you have read the policy.');
    // Not ticked until the person ticks it (isSet reads the rendered box; none yet: unset).
    expect(toggle?.isSet()).toBe(false);
    // Sign sends every input of the card (associatedInputs defaults to "auto"), the toggle too.
    const sign = parsed.getActionAt(0);
    expect(sign).toBeInstanceOf(AC.ExecuteAction);
    expect(sign?.title).toBe('Sign');
    expect((sign as AC.ExecuteAction).associatedInputs).toBeUndefined();
  });

  test('the sign prompt carries the clauses, collapsed behind a toggle, with https links as links', () => {
    const parsed = parseCard(cards['sign prompt']);
    const policyText = parsed.getElementById(POLICY_TEXT_ID);
    expect(policyText).toBeInstanceOf(AC.Container);
    expect(policyText?.isVisible).toBe(false);
    const json = JSON.stringify(cards['sign prompt']);
    expect(json).toContain('"title":"Show or hide the policy","targetElements":["policy-text"]');
    expect(json).toContain('Read the policy before you sign');
    for (const clause of version.document.sections.flatMap((s) => s.clauses)) {
      expect(json).toContain(clause.text.slice(0, 40));
    }
  });

  test('a policy too long for a card is not cut: the card says to read it in the tab first', () => {
    const long = 'I will keep the school’s data safe and report any breach at once. '.repeat(40);
    const document = {
      ...version.document,
      sections: [
        {
          heading: 'Everything',
          clauses: Array.from({ length: 12 }, (_, i) => ({
            number: String(i + 1),
            text: long,
            items: [],
          })),
        },
      ],
    };
    const card = signPromptCard(
      { recipient: signer, policy, version: { ...version, document } },
      config,
    );
    expect(cardProblems(card)).toEqual([]);
    const json = JSON.stringify(card);
    expect(json).not.toContain(long.slice(0, 60));
    expect(json).toContain(
      'It is too long to show on this card: open it with “Read it in Teams” below, then come back and sign here.',
    );
    expect(json).toContain('"id":"declarationAccepted"');
  });

  test('a policy just under the limit still fits the 40 KB card budget with 30 changes listed', () => {
    const clause = 'x'.repeat(990);
    const document = {
      ...version.document,
      sections: [
        {
          heading: 'Near the limit',
          clauses: Array.from({ length: 20 }, (_, i) => ({
            number: String(i + 1),
            text: clause,
            items: [],
          })),
        },
      ],
    };
    const card = signPromptCard(
      {
        recipient: signer,
        policy,
        version: { ...version, document },
        reason: 'material-change',
        changes: { fromVersionLabel: 'Autumn 2025', summary: diffSummary, lines: changeLines },
      },
      config,
    );
    expect(JSON.stringify(card)).toContain(clause);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(40 * 1024);
  });

  test('a reminder is worded for someone who never signed, or whose signed version changed, and gives the deadline once', () => {
    const deadline = '5 March 2026 at 17:00 GMT';
    const never = JSON.stringify(
      reminderCard(
        {
          recipient: signer,
          policy,
          version,
          reminderNumber: 1,
          overdue: false,
          deadline: '2026-03-05T17:00:00.000Z',
        },
        config,
      ),
    );
    expect(never).toContain(
      `This is a reminder to sign ${policy.title}: you have not signed it yet.`,
    );
    expect(never).toContain('read the policy, tick that you have read it');
    expect(never).not.toContain('what changed');
    expect(never.split(deadline)).toHaveLength(2);

    const changed = JSON.stringify(
      reminderCard(
        {
          recipient: signer,
          policy,
          version,
          reminderNumber: 1,
          overdue: false,
          deadline: '2026-03-05T17:00:00.000Z',
          changesSummary: diffSummary,
        },
        config,
      ),
    );
    expect(changed).toContain(
      `This is a reminder to sign the new version of ${policy.title}: it has changed since you signed it.`,
    );
    expect(changed).toContain('read what changed, tick that you have read it');
    expect(changed.split(deadline)).toHaveLength(2);

    const overdue = JSON.stringify(
      reminderCard(
        { recipient: signer, policy, version, reminderNumber: 3, overdue: true },
        config,
      ),
    );
    expect(overdue).toContain(
      `The deadline to sign ${policy.title} has passed, and you have not signed it yet. Please sign it today.`,
    );
  });

  test('every signature shows the typed name beside the account it was signed from', () => {
    // As written: no backslash before the brackets (some Teams clients showed "\\(").
    const line = `Typed: ${acknowledgement.typedName} · Account: ${signer.displayName} (${signer.upn})`;
    for (const name of [
      'signed receipt',
      'approval request',
      'approval result (approved)',
      'approval result (rejected)',
    ]) {
      const facts = cards[name]?.body.flatMap((element) =>
        element.type === 'FactSet' ? element.facts : [],
      );
      expect(facts, name).toContainEqual({ title: 'Signed as', value: line });
    }
  });

  test('the approver is warned when the typed name is not the account’s, and only then', () => {
    const warning =
      /"text":"⚠ Typed name differs from the account name: [^"]+","wrap":true,"color":"Warning"/;
    expect(JSON.stringify(cards['approval request (typed name differs)'])).toMatch(warning);
    expect(JSON.stringify(cards['approval request (typed name differs)'])).toContain(
      `“Emma Bonnin-Ashworth” was typed from ${signer.displayName}’s account`,
    );
    // Title and no middle initial: the same person, so no warning.
    expect(JSON.stringify(cards['approval request'])).not.toContain('Typed name differs');
  });

  test('the approval request offers multi-select additional permissions', () => {
    const card = cards['approval request'];
    expect(JSON.stringify(card)).toContain('"isMultiSelect":true');
  });

  test('withRefreshUsers names at most 60 users by MRI and never by Entra object id', () => {
    const card = cards['approval request'];
    if (card === undefined) throw new Error('the approval request card');
    const entraIds = [headteacher.userId, '8c3b1f4e-2d7a-4c61-9f0e-3a5b6c7d8e9f'];
    const refreshed = withRefreshUsers(card, [...entraIds, ...approverMris]);
    expect(refreshed.refresh?.userIds).toEqual(approverMris.slice(0, MAX_REFRESH_USERS));
    expect(refreshed.refresh?.action).toEqual(card.refresh?.action);
    // Entra ids alone leave the card as drawn: no userIds, so Teams refreshes a 1:1 chat for both.
    expect(withRefreshUsers(card, entraIds)).toBe(card);
    expect(
      isUserMri('29:1bSnHZ7Js2STWrgk6ScEErLk1Lp2zQuD5H2qQ960rtvstKp8tKLl-3r8b6DoW0QxZimu'),
    ).toBe(true);
    expect(isUserMri(headteacher.userId)).toBe(false);
  });
});

describe('the card checker', () => {
  test('finds the faults it is there to find', () => {
    const problems = cardProblems({
      type: 'AdaptiveCard',
      version: '1.5',
      body: [
        { type: 'Input.Text', id: 'name', isRequired: true },
        { type: 'Input.Text', id: 'name' },
        { type: 'TextBlok', text: 'typo' },
        { type: 'TextBlock', text: 'x', wrapp: true },
      ],
      actions: Array.from({ length: 7 }, (_, i) => ({
        type: 'Action.Execute',
        title: `a${i}`,
        verb: 'x',
      })),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Unknown element type "TextBlok"'),
        'validate: Required inputs should have a label',
        'validate: Required inputs should have an error message',
        'validate: Duplicate Id "name".',
        'validate: Maximum number of actions exceeded (6).',
        'unknown or default-valued property: .body[].wrapp',
      ]),
    );
  });
});
