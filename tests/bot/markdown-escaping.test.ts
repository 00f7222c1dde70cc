import { describe, expect, test } from 'vitest';
import { botCardRenderer } from '../../src/bot/index.ts';
import {
  adminDigestCard,
  approvalRequestCard,
  approvalResultCard,
  errorCard,
  escapeMarkdown,
  md,
  policyChangeLines,
  reminderCard,
  signedReceiptCard,
  signPromptCard,
  statusCard,
  text,
} from '../../src/bot/cards/index.ts';
import { contentHash } from '../../src/domain/content-hash.ts';
import { diffDocuments, summariseDiff } from '../../src/domain/policy-diff.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { Policy, PolicyVersion } from '../../src/domain/policy.ts';
import { acknowledgement, config, currentDocument, signer } from './card-fixtures.ts';
import { cardProblems } from './validate-card.ts';

/** What a member of staff could type, or an imported Word document could hold. */
const LINK = '[Approve securely here](https://evil.example/login)';
const JS_LINK = '[x](javascript:alert(1))';
const SCRIPT = '<script>alert(1)</script>';
const BOLD = '**bold**';
const HOSTILE = [LINK, JS_LINK, SCRIPT, BOLD];

const hostileDocument: PolicyDocument = {
  ...currentDocument,
  title: `Staff AUP ${LINK} ${BOLD}`,
  declaration: `- ${LINK}\n1. ${JS_LINK}\n# Heading ${SCRIPT}\n> quote ~~struck~~ \`code\` | table |`,
  sections: [
    {
      heading: `Section ${JS_LINK}`,
      clauses: [
        { number: '1', text: `Clause ${LINK} ${SCRIPT}`, items: [`item ${BOLD}`] },
        { text: `Unnumbered ${JS_LINK}`, items: [] },
      ],
    },
  ],
  consents: [{ key: 'photo', text: `Consent ${LINK} _italic_ ${BOLD}` }],
  approval: {
    statement: `I approve ${LINK}`,
    approverName: `Head ${BOLD}`,
    approverRole: 'Headteacher',
  },
};

const hostileAck = {
  ...acknowledgement,
  displayName: `Mallory ${JS_LINK}`,
  upn: 'mallory@example.sch.uk',
  typedName: `Mallory ${BOLD} ${SCRIPT}`,
  statedRole: `Teacher. ${LINK}`,
  consents: { photo: true },
};
const hostileRecipient = { ...signer, displayName: `Mallory ${LINK}` };
const hostilePolicy = { key: 'staff-aup', title: hostileDocument.title };
const hostileVersion = {
  number: 4,
  label: `Spring ${LINK}`,
  contentHash: contentHash(hostileDocument),
  document: hostileDocument,
};
const hostileDiff = diffDocuments(
  { ...hostileDocument, sections: [], consents: [], declaration: 'Old' },
  hostileDocument,
);

/** Every card the bot (or a campaign) sends, filled with hostile data. */
function hostileCards(): Record<string, unknown> {
  const policy: Policy = {
    key: 'staff-aup',
    schoolId: 'school',
    title: hostileDocument.title,
    audiences: ['staff'],
    renewal: { kind: 'fixed-date', month: 9, day: 1 },
    approvalMode: 'first-signature',
  };
  const versionOf = (number: number, document: PolicyDocument): PolicyVersion => ({
    policyKey: 'staff-aup',
    number,
    label: `Label ${JS_LINK}`,
    status: 'published',
    changeKind: 'material',
    publishedAt: '2026-02-01T09:00:00.000Z',
    document,
    contentHash: contentHash(document),
  });
  const renderer = botCardRenderer(config);
  const older = versionOf(3, { ...hostileDocument, sections: [], declaration: 'Old' });
  const current = versionOf(4, hostileDocument);
  const campaignPrompt = renderer.prompt({
    kind: 'prompt',
    recipient: hostileRecipient,
    policy,
    version: current,
    lastSignedVersion: older,
    deadline: '2026-03-20T17:00:00.000Z',
  });
  const campaignReminder = renderer.prompt({
    kind: 'reminder',
    recipient: hostileRecipient,
    policy,
    version: current,
    lastSignedVersion: older,
  });
  const campaignDigest = renderer.digest({
    campaignId: 'c1',
    recipient: hostileRecipient,
    policy,
    version: current,
    deadline: '2026-03-20T17:00:00.000Z',
    counts: { overdue: 2 },
    overdue: [{ displayName: `Eve ${LINK}` }, { displayName: `- ${SCRIPT}` }],
    overdueTotal: 2,
    delivery: { queued: 0, inFlight: 0, sent: 1, failed: 1, skipped: 0, total: 2 },
    reasons: { [`403 ${LINK}`]: 1 },
  });
  return {
    'sign prompt': signPromptCard(
      {
        recipient: hostileRecipient,
        policy: hostilePolicy,
        version: hostileVersion,
        reason: 'material-change',
        changes: {
          fromVersionLabel: `Autumn ${LINK}`,
          summary: summariseDiff(hostileDiff),
          lines: policyChangeLines(hostileDiff),
        },
        notice: `Notice ${LINK}`,
        error: `Error ${SCRIPT}`,
      },
      config,
    ),
    'signed receipt': signedReceiptCard(
      {
        policy: hostilePolicy,
        version: hostileVersion,
        acknowledgement: hostileAck,
        consentTexts: { photo: `Photo ${LINK}` },
      },
      config,
    ),
    'approval request': approvalRequestCard(
      {
        acknowledgement: hostileAck,
        policy: hostilePolicy,
        version: hostileVersion,
        statement: `Statement ${LINK}`,
        approverIds: ['head'],
        permissionChoices: [`Admin ${LINK}`, `Finance ${BOLD}`],
        error: `Error ${JS_LINK}`,
      },
      config,
    ),
    'approval result': approvalResultCard(
      {
        approval: {
          decision: 'rejected',
          approverName: `Head ${LINK}`,
          decidedAt: '2026-03-06T08:45:00.000Z',
          additionalPermissions: [`Remote ${BOLD}`],
          comment: `See ${LINK}`,
        },
        acknowledgement: hostileAck,
        policy: hostilePolicy,
        version: hostileVersion,
      },
      config,
    ),
    reminder: reminderCard(
      {
        recipient: hostileRecipient,
        policy: hostilePolicy,
        version: hostileVersion,
        deadline: '2026-03-20T17:00:00.000Z',
        reminderNumber: 1,
        overdue: true,
        changesSummary: `Summary ${LINK}`,
      },
      config,
    ),
    'admin digest': adminDigestCard(
      {
        policy: hostilePolicy,
        version: hostileVersion,
        deadline: '2026-03-20T17:00:00.000Z',
        counts: { overdue: 1 },
        overdue: [{ displayName: `Eve ${JS_LINK}` }],
        delivery: { sent: 0, failed: 1, skipped: 0 },
        reasons: { [`404 ${LINK}`]: 1 },
      },
      config,
    ),
    status: statusCard(
      {
        person: hostileRecipient,
        policies: [
          {
            policy: hostilePolicy,
            version: hostileVersion,
            status: {
              kind: 'rejected',
              versionNumber: 4,
              signedAt: '2026-03-05T14:07:31.000Z',
              comment: `Because ${LINK}`,
            },
            changesSummary: `Summary ${BOLD}`,
          },
          {
            policy: hostilePolicy,
            version: hostileVersion,
            status: {
              kind: 'due',
              reason: 'never-signed',
              versionNumber: 4,
              deadline: '2026-03-20T17:00:00.000Z',
            },
          },
        ],
      },
      config,
    ),
    error: errorCard({ title: `Title ${LINK}`, message: `Message ${SCRIPT}`, code: 'conflict' }),
    'campaign prompt': campaignPrompt.attachments?.[0]?.content,
    'campaign reminder': campaignReminder.attachments?.[0]?.content,
    'campaign digest': campaignDigest.attachments?.[0]?.content,
  };
}

/** Every string Teams runs through Markdown: TextBlock text, Fact title and value, check labels. */
function markdownFields(card: unknown): string[] {
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record['type'] === 'TextBlock' && typeof record['text'] === 'string') {
      found.push(record['text']);
    }
    if (record['type'] === 'FactSet' && Array.isArray(record['facts'])) {
      for (const fact of record['facts'] as { title: string; value: string }[]) {
        found.push(fact.title, fact.value);
      }
    }
    if (record['type'] === 'Input.Toggle' && typeof record['title'] === 'string') {
      found.push(record['title']);
    }
    if (record['type'] === 'Input.ChoiceSet' && Array.isArray(record['choices'])) {
      for (const choice of record['choices'] as { title: string }[]) found.push(choice.title);
    }
    Object.values(record).forEach(visit);
  };
  visit(card);
  return found;
}

/** The characters of `value` not escaped by a backslash (CommonMark's rule: odd run = escaped). */
function unescapedChars(value: string): string[] {
  const out: string[] = [];
  let backslashes = 0;
  for (const ch of value) {
    if (ch === '\\') {
      backslashes += 1;
      continue;
    }
    if (backslashes % 2 === 0) out.push(ch);
    backslashes = 0;
  }
  if (backslashes % 2 === 1) out.push('\\');
  return out;
}

/** What CommonMark shows for escaped text: a backslash before punctuation disappears. */
function shown(value: string): string {
  return value.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

describe('escapeMarkdown', () => {
  test('escapes link, emphasis, code, strike, table, quote, heading and HTML syntax', () => {
    expect(escapeMarkdown(LINK)).toBe(
      '\\[Approve securely here\\]\\(https://evil.example/login\\)',
    );
    expect(escapeMarkdown(BOLD)).toBe('\\*\\*bold\\*\\*');
    expect(escapeMarkdown(SCRIPT)).toBe('\\<script\\>alert\\(1\\)\\</script\\>');
    expect(escapeMarkdown('a_b ~c~ `d` e|f # g > h \\ i')).toBe(
      'a\\_b \\~c\\~ \\`d\\` e\\|f \\# g \\> h \\\\ i',
    );
  });

  test('neutralises list markers, rules and heading underlines at the start of any line', () => {
    expect(escapeMarkdown('- one\n+ two\n  1. three\n2) four\n---\n===')).toBe(
      '\\- one\n\\+ two\n  1\\. three\n2\\) four\n\\---\n\\===',
    );
    expect(escapeMarkdown('# Heading')).toBe('\\# Heading');
  });

  test('leaves ordinary text alone: apostrophes, hyphens, full stops, numbers, accents', () => {
    for (const plain of [
      "Siobhan O'Brien-Ní Bhriain",
      'Anne-Marie Featherstonehaugh-Okonkwo-Wainwright',
      'Year 6 class teacher, SENCo & DSL.',
      '-5°C outside',
      'Since 2026. A year.',
      'St Bartholomew’s C of E Primary',
      'mallory@example.sch.uk',
    ]) {
      expect(escapeMarkdown(plain)).toBe(plain);
    }
    // Escaped text reads as typed once rendered.
    for (const value of [...HOSTILE, 'Mr (Acting) Head', '- 1. # x']) {
      expect(shown(escapeMarkdown(value))).toBe(value);
    }
  });

  test('md`…` keeps the template’s own Markdown and escapes every value', () => {
    const value = md`**${'Clause 4'}:** ${LINK} (${3})`;
    expect(value.source).toBe(
      '**Clause 4:** \\[Approve securely here\\]\\(https://evil.example/login\\) (3)',
    );
    expect(md`${md`**${BOLD}**`} after`.source).toBe('**\\*\\*bold\\*\\*** after');
    expect(text(value).text).toBe(value.source);
    expect(text(BOLD).text).toBe('\\*\\*bold\\*\\*');
  });
});

describe('cards filled with hostile data', () => {
  for (const [name, card] of Object.entries(hostileCards())) {
    describe(name, () => {
      test('parses and validates with no errors or warnings in the adaptivecards library', () => {
        expect(cardProblems(card)).toEqual([]);
      });

      test('no Markdown field holds unescaped link, HTML, code, table or heading syntax', () => {
        const fields = markdownFields(card);
        expect(fields.length).toBeGreaterThan(0);
        for (const field of fields) {
          const bare = unescapedChars(field).join('');
          expect(bare, field).not.toMatch(/[[\]<>`|#~\\]/);
          // The only emphasis left is the template's own **…**, never the data's.
          expect(bare, field).not.toContain('**bold**');
          expect(field, field).not.toMatch(/(^|[^\\])\*\*bold/);
          for (const line of field.split('\n'))
            expect(line, field).not.toMatch(/^\s*([-+]|\d+\.)\s/);
        }
      });

      test('the hostile text is still there, escaped, and reads as typed', () => {
        const rendered = markdownFields(card).map(shown).join('\n');
        expect(HOSTILE.some((h) => rendered.includes(h))).toBe(true);
      });

      test('no action opens anything but the Teams tab', () => {
        const urls = JSON.stringify(card).match(/"url":"[^"]*"/g) ?? [];
        for (const url of urls)
          expect(url).toMatch(/^"url":"https:\/\/teams\.microsoft\.com\/l\/entity\//);
      });
    });
  }

  test('the approval request shows the typed role as text, not as a link to the headteacher', () => {
    const card = hostileCards()['approval request'];
    const role = markdownFields(card).find((f) => f.startsWith('Teacher'));
    expect(role).toBe('Teacher. \\[Approve securely here\\]\\(https://evil.example/login\\)');
    // The choice's value stays as offered: the bot matches decisions against it.
    expect(JSON.stringify(card)).toContain(`"value":"Admin ${LINK.replace(/"/g, '\\"')}"`);
  });

  test('the typed-name warning escapes both names like the rest of the card', () => {
    const card = hostileCards()['approval request'];
    const warning = markdownFields(card).find((f) => f.startsWith('⚠'));
    expect(warning).toBe(
      '⚠ Typed name differs from the account name: “Mallory \\*\\*bold\\*\\* \\<script\\>alert\\(1\\)\\</script\\>” was typed from Mallory \\[x\\]\\(javascript:alert\\(1\\)\\)’s account. Check that Mallory \\[x\\]\\(javascript:alert\\(1\\)\\) signed this themselves before approving.',
    );
  });
});
