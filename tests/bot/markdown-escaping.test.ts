import { describe, expect, test } from 'vitest';
import { botCardRenderer } from '../../src/bot/index.ts';
import {
  adminDigestCard,
  approvalRequestCard,
  approvalResultCard,
  errorCard,
  escapeMarkdown,
  linkedText,
  md,
  policyChangeLines,
  reminderCard,
  signedReceiptCard,
  signPromptCard,
  statusCard,
  text,
  withoutMarkdownGuards,
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

const WJ = '\u2060';
const HS = '\u200A';

/** What a reader sees: the guards are invisible (a word joiner) or nearly so (a hair space). */
const shown = withoutMarkdownGuards;

/** Our own https links ("[address](address)", made by linkedText) taken out, the rest returned. */
function withoutOwnLinks(value: string): string {
  return value.replace(/\[([^\]]*)\]\((https:\/\/[^)\s]+)\)/g, (all, label: string, url: string) =>
    shown(label) === url ? '' : all,
  );
}

/**
 * Markdown a CommonMark renderer (and Teams' subset of it) would act on in a field, once our own
 * links and the template's own "**" are set aside. Emphasis: a run of *, _ or ~ that touches a
 * non-space character on either side (the hair spaces are whitespace to CommonMark), unless it is
 * an underscore inside a word.
 */
function liveMarkdown(field: string): string[] {
  const found: string[] = [];
  const rest = withoutOwnLinks(field);
  if (/\\[!-/:-@[-`{-~]/.test(rest)) found.push('backslash escape');
  if (/\][([]/.test(rest)) found.push('link or image');
  if (/<[A-Za-z/!?]/.test(rest)) found.push('HTML or autolink');
  if (/&#?[A-Za-z0-9]+;/.test(rest)) found.push('entity');
  if (/`/.test(rest)) found.push('code');
  if (/(https?|ftp):|www\./i.test(rest)) found.push('bare address');
  for (const line of rest.split('\n')) {
    if (/^[ \t]*([-+*]|\d{1,9}[.)])([ \t]|$)/.test(line)) found.push(`list: ${line}`);
    if (/^[ \t]*(#|>|\||=+$|-{3,}$)/.test(line)) found.push(`block: ${line}`);
  }
  return found;
}

describe('escapeMarkdown', () => {
  test('breaks links, HTML, autolinks, entities and bare addresses with an invisible word joiner', () => {
    expect(escapeMarkdown(LINK)).toBe(
      `[Approve securely here]${WJ}(https${WJ}://evil.example/login)`,
    );
    expect(escapeMarkdown(SCRIPT)).toBe(`<${WJ}script>alert(1)<${WJ}/script>`);
    expect(escapeMarkdown('&amp; &#42; see http://x.org, www.y.org')).toBe(
      `&${WJ}amp; &${WJ}#42; see http${WJ}://x.org, www${WJ}.y.org`,
    );
  });

  test('emphasis and strike runs flank nothing: hair spaces where they touch text; code is no code', () => {
    expect(escapeMarkdown(BOLD)).toBe(`${HS}**${HS}bold${HS}**${HS}`);
    expect(escapeMarkdown('a_b ~c~ `d`')).toBe(`a_b ~${HS}c${HS}~ ˋdˋ`);
    expect(escapeMarkdown('Name: ____Jane Smith____')).toBe(
      `Name: ____${HS}Jane Smith${HS}____${HS}`,
    );
  });

  test('neutralises list markers, rules, headings, quotes and tables at the start of any line', () => {
    expect(escapeMarkdown('- one\n+ two\n  1. three\n2) four\n---\n===\n# h\n> q\n| t |')).toBe(
      [`- one`, `+ two`, `  1. three`, `2) four`, `---`, `===`, '# h', '> q', '| t |']
        .map((line) => `${WJ}${line}`)
        .join('\n'),
    );
  });

  test('never shows a backslash it did not get, and ordinary text is left exactly as it is', () => {
    for (const plain of [
      "Siobhan O'Brien-Ní Bhriain",
      'Anne-Marie Featherstonehaugh-Okonkwo-Wainwright',
      'Year 6 class teacher, SENCo & DSL.',
      'Mr (Acting) Head (This point for staff and governors)',
      'Since 2026. A year.',
      'St Bartholomew’s C of E Primary',
      'mallory@example.sch.uk',
      'a_snake_case_name',
    ]) {
      expect(escapeMarkdown(plain)).toBe(plain);
    }
    for (const value of [
      ...HOSTILE,
      'Mr (Acting) Head',
      '- 1. # x',
      'C:\\Users\\staff *',
      '-5°C',
    ]) {
      const escaped = escapeMarkdown(value);
      expect(escaped.split('\\').length, escaped).toBe(value.split('\\').length);
      expect(shown(escaped)).toBe(value);
      expect(liveMarkdown(escaped), escaped).toEqual([]);
    }
  });

  test('md`…` keeps the template’s own Markdown and escapes every value', () => {
    const value = md`**${'Clause 4'}:** ${LINK} (${3})`;
    expect(value.source).toBe(
      `**Clause 4:** [Approve securely here]${WJ}(https${WJ}://evil.example/login) (3)`,
    );
    expect(md`${md`**${BOLD}**`} after`.source).toBe(`**${HS}**${HS}bold${HS}**${HS}** after`);
    expect(text(value).text).toBe(value.source);
    expect(text(BOLD).text).toBe(escapeMarkdown(BOLD));
  });
});

describe('linkedText', () => {
  test('https addresses become links to themselves; http, javascript: and disguised links do not', () => {
    const source = linkedText(
      'Read https://example.org/aup. Not http://bad.example, javascript:alert(1) or [x](https://evil.example/a).',
    ).source;
    expect(source).toContain(`[https${WJ}://example.org/aup](https://example.org/aup). Not`);
    expect(source).toContain(`http${WJ}://bad.example`);
    expect(source).toContain('javascript:alert(1)');
    // A link that hides its address shows the address instead, and links there.
    expect(source).toContain(`[x]${WJ}([https${WJ}://evil.example/a](https://evil.example/a)).`);
    expect(liveMarkdown(source)).toEqual([]);
    expect([...source.matchAll(/\]\((.*?)\)/g)].map((m) => m[1])).toEqual([
      'https://example.org/aup',
      'https://evil.example/a',
    ]);
  });
});

describe('cards filled with hostile data', () => {
  for (const [name, card] of Object.entries(hostileCards())) {
    describe(name, () => {
      test('parses and validates with no errors or warnings in the adaptivecards library', () => {
        expect(cardProblems(card)).toEqual([]);
      });

      test('no Markdown field holds a backslash escape, or link, HTML, code, list or heading syntax from data', () => {
        const fields = markdownFields(card);
        expect(fields.length).toBeGreaterThan(0);
        for (const field of fields) {
          expect(liveMarkdown(field), field).toEqual([]);
          // The only emphasis left is the template's own **…**, never the data's.
          expect(field, field).not.toContain('**bold**');
        }
      });

      test('the hostile text is still there and reads as typed, with no backslash added', () => {
        const rendered = markdownFields(card).map(shown).join('\n');
        expect(HOSTILE.some((h) => rendered.includes(h))).toBe(true);
        expect(rendered).not.toContain('\\');
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
    expect(role).toBe(`Teacher. [Approve securely here]${WJ}(https${WJ}://evil.example/login)`);
    // The choice's value stays as offered: the bot matches decisions against it.
    expect(JSON.stringify(card)).toContain(`"value":"Admin ${LINK.replace(/"/g, '\\"')}"`);
  });

  test('the typed-name warning escapes both names like the rest of the card', () => {
    const card = hostileCards()['approval request'];
    const warning = markdownFields(card).find((f) => f.startsWith('⚠'));
    expect(shown(warning ?? '')).toBe(
      '⚠ Typed name differs from the account name: “Mallory **bold** <script>alert(1)</script>” was typed from Mallory [x](javascript:alert(1))’s account. Check that Mallory [x](javascript:alert(1)) signed this themselves before approving.',
    );
    expect(liveMarkdown(warning ?? '')).toEqual([]);
  });
});
