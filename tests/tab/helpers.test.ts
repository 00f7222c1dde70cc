// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { readClauseChanges, changeForClause } from '../../teams-app/src/api/clause-changes.ts';
import { processMarkdown } from '../../teams-app/src/views/admin/card-preview.tsx';
import { parseReminderDays } from '../../teams-app/src/views/admin/campaigns-panel.tsx';
import { tidyDocument } from '../../teams-app/src/views/admin/draft-editor.tsx';
import { parsePermissions } from '../../teams-app/src/views/approvals/permissions.ts';
import {
  endOfSchoolDay,
  schoolDatePlusDays,
  schoolTimeZone,
  setSchoolTimeZone,
} from '../../teams-app/src/ui/school-time.ts';
import { formatDate, formatDateTime } from '../../teams-app/src/ui/format.ts';
import { diffDocuments } from '../../src/domain/policy-diff.ts';
import { SEED_DOCUMENT } from './tab-api.ts';

describe('school time', () => {
  afterEach(() => setSchoolTimeZone(undefined));

  it('is Europe/London until the tab config says otherwise', () => {
    expect(schoolTimeZone()).toBe('Europe/London');
  });

  it('ends a deadline day at 23:59:59 London time, in GMT and in BST', () => {
    expect(endOfSchoolDay('2026-01-15')).toBe('2026-01-15T23:59:59.000Z');
    expect(endOfSchoolDay('2026-07-01')).toBe('2026-07-01T22:59:59.000Z');
    // The last Sunday of March: the clocks went forward at 01:00 UTC that morning.
    expect(endOfSchoolDay('2026-03-29')).toBe('2026-03-29T22:59:59.000Z');
    expect(() => endOfSchoolDay('1/7/2026')).toThrow(RangeError);
  });

  it('counts days from the London date, not the UTC one', () => {
    // 23:30 UTC on 30 June is already 1 July in London.
    expect(schoolDatePlusDays(new Date('2026-06-30T23:30:00Z'), 0)).toBe('2026-07-01');
    expect(schoolDatePlusDays(new Date('2026-12-31T12:00:00Z'), 14)).toBe('2027-01-14');
    // Calendar days across the clocks going back: 14 days on is still the 14th day.
    expect(schoolDatePlusDays(new Date('2026-10-20T23:30:00Z'), 14)).toBe('2026-11-04');
  });

  it('shows times in en-GB wording, in London time', () => {
    expect(formatDateTime('2026-07-01T08:05:00Z')).toBe('1 July 2026 at 09:05');
  });

  it('follows the zone the config names: deadlines, today and what is shown', () => {
    setSchoolTimeZone('Australia/Sydney');
    expect(schoolTimeZone()).toBe('Australia/Sydney');
    // Summer time (UTC+11) in January, standard time (UTC+10) in July.
    expect(endOfSchoolDay('2026-01-15')).toBe('2026-01-15T12:59:59.000Z');
    expect(endOfSchoolDay('2026-07-01')).toBe('2026-07-01T13:59:59.000Z');
    // 14:00 UTC on 30 June is already 1 July in Sydney.
    expect(schoolDatePlusDays(new Date('2026-06-30T14:00:00Z'), 0)).toBe('2026-07-01');
    expect(formatDateTime('2026-07-01T08:05:00Z')).toBe('1 July 2026 at 18:05');
    expect(formatDate('2026-06-30T14:30:00Z')).toBe('1 July 2026');

    setSchoolTimeZone('America/New_York');
    // The day the clocks went forward (8 March 2026): 23:59:59 EDT is 03:59:59 UTC next day.
    expect(endOfSchoolDay('2026-03-08')).toBe('2026-03-09T03:59:59.000Z');
    expect(endOfSchoolDay('2026-03-07')).toBe('2026-03-08T04:59:59.000Z');
    expect(endOfSchoolDay('2026-03-07', 'Europe/London')).toBe('2026-03-07T23:59:59.000Z');
  });

  it('refuses a zone the browser does not know, keeping the one it had', () => {
    setSchoolTimeZone('Europe/Dublin');
    expect(() => setSchoolTimeZone('Mars/Olympus_Mons')).toThrow(RangeError);
    expect(schoolTimeZone()).toBe('Europe/Dublin');
  });
});

describe('form parsing', () => {
  it('reads reminder plans as sorted whole days, refusing anything else', () => {
    expect(parseReminderDays('14, 3 7,3')).toEqual([3, 7, 14]);
    expect(parseReminderDays('')).toEqual([]);
    expect(parseReminderDays('3, soon')).toBeUndefined();
    expect(parseReminderDays('0')).toBeUndefined();
    expect(parseReminderDays('2.5')).toBeUndefined();
  });

  it('reads additional permissions as a list without repeats', () => {
    expect(parsePermissions(' MIS admin, ,Finance system, MIS admin ')).toEqual([
      'MIS admin',
      'Finance system',
    ]);
  });
});

describe('card preview Markdown', () => {
  it('renders bold, italic and line breaks but never markup from the text', () => {
    const result: { didProcess: boolean; outputHtml?: unknown } = { didProcess: false };
    processMarkdown('**Sign** by _Friday_\n<img src=x onerror="alert(1)">', result);
    expect(result.didProcess).toBe(true);
    expect(result.outputHtml).toBe(
      '<strong>Sign</strong> by <em>Friday</em><br>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;',
    );
  });
});

describe('card preview of escaped card text', () => {
  it('shows escaped characters as typed and never as emphasis or links', () => {
    const result: { didProcess: boolean; outputHtml?: unknown } = { didProcess: false };
    processMarkdown(
      '**Version 2 \\(2026\\-27\\)** signed by \\*\\*Ann\\*\\* \\[x\\]\\(https://evil.example\\) \\<b\\>',
      result,
    );
    expect(result.outputHtml).toBe(
      '<strong>Version 2 (2026-27)</strong> signed by **Ann** [x](https://evil.example) &lt;b&gt;',
    );
  });
});

describe('card preview of the bot’s guarded card text', () => {
  it('shows data’s asterisks and links as typed, and the bot’s own https links as links', () => {
    const result: { didProcess: boolean; outputHtml?: unknown } = { didProcess: false };
    processMarkdown(
      '**Clause 4.** Signed by \u200A**\u200AAnn\u200A**\u200A [x]\u2060(https\u2060://evil.example) see [https\u2060://example.org/aup](https://example.org/aup) or [y](http://plain.example)',
      result,
    );
    expect(result.outputHtml).toBe(
      '<strong>Clause 4.</strong> Signed by \u200A**\u200AAnn\u200A**\u200A [x]\u2060(https\u2060://evil.example) see <a href="https://example.org/aup" target="_blank" rel="noopener noreferrer">https\u2060://example.org/aup</a> or [y](http://plain.example)',
    );
  });
});

describe('clause changes from the domain diff', () => {
  it('flattens added, reworded and removed clauses and finds them in the new text', () => {
    const next = structuredClone(SEED_DOCUMENT);
    const clauses = next.sections[1]?.clauses ?? [];
    clauses[1] = { ...clauses[1]!, items: ['This includes other members of staff.'] };
    clauses.push({ number: '4', text: 'I will  lock my screen.', items: [] });
    const changes = readClauseChanges(diffDocuments(SEED_DOCUMENT, next));
    expect(changes.map((c) => c.kind).sort()).toEqual(['added', 'reworded']);
    // White space differences still match the clause on screen.
    expect(changeForClause({ text: 'I will lock my screen.', items: [] }, changes)?.kind).toBe(
      'added',
    );
    expect(changeForClause(clauses[1], changes)?.previousText).toContain(
      'I will change it if it is exposed.',
    );
    expect(changeForClause(clauses[0]!, changes)).toBeUndefined();
  });
});

describe('draft checks before saving', () => {
  it('names a clause whose audience the policy does not have, and keeps its own', () => {
    const document = structuredClone(SEED_DOCUMENT);
    const clause = document.sections[1]?.clauses[0];
    if (clause === undefined) throw new Error('seed has no clause');
    clause.audience = ['governor', 'staff'];
    const { problems } = tidyDocument(document, ['staff', 'governors']);
    expect(problems).toEqual([
      'Clause 1 in “My use of school systems” is for “governor”, not an audience of this policy: untick it.',
    ]);
    expect(tidyDocument(SEED_DOCUMENT, ['staff', 'governors']).problems).toEqual([]);
  });
});
