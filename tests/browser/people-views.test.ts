import { readFile } from 'node:fs/promises';
import type { Download, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { MyPolicyView } from '../../src/services/countersign-service.ts';
import { pdfText } from '../cli/evidence-pack-fixture.ts';
import { openTab } from './browser-harness.ts';
import { useLocalStackInChromium } from './local-stack-in-chromium.ts';

/**
 * Seeing everyone (issue 11) as the DSL does it, in Chromium against the local stack: a teacher
 * has signed and a campaign has gone to the rest; the DSL sorts the people table from the
 * keyboard (aria-sort follows), exports the CSV, downloads the policy's evidence pack, opens the
 * teacher's page (signature, what was sent to her) and downloads her evidence pack. The PDFs are
 * read back with pdf.js.
 */
const { stack, needBrowser, devUser, apiAs } = useLocalStackInChromium();

async function send(user: string, method: string, path: string, body: unknown): Promise<unknown> {
  const url = stack().url;
  const tokenResponse = await fetch(`${url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  const { accessToken } = (await tokenResponse.json()) as { accessToken: string };
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.ok, `${method} ${path} as ${user}: ${response.status}`).toBe(true);
  return response.json();
}

async function downloaded(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFile(path);
}

/** The names in the table's rows, top to bottom (each row's header holds the name's button). */
async function names(table: Locator): Promise<string[]> {
  return table.locator('tbody th[scope="row"] button').allInnerTexts();
}

async function sortState(page: Page, column: string): Promise<string | null> {
  return page.getByRole('columnheader', { name: column }).getAttribute('aria-sort');
}

/** A PDF's text as one line of words (a table cell wraps over lines). */
async function pdfWords(bytes: Buffer): Promise<string> {
  return (await pdfText(new Uint8Array(bytes))).join(' ').replace(/\s+/g, ' ');
}

describe('seeing everyone, in Chromium', () => {
  it('the DSL sorts people by keyboard, exports the CSV, opens a person, and downloads both evidence packs', async (ctx) => {
    const session = needBrowser(ctx);
    const teacher = devUser('staff');
    const governor = devUser('governor');
    const [mine] = await apiAs<MyPolicyView[]>('staff', '/api/me/policies');
    if (mine === undefined) throw new Error('the teacher has no policy');
    const policyKey = mine.policy.key;
    const typedName = `${teacher.displayName} (as typed)`;
    await send('staff', 'POST', `/api/me/policies/${policyKey}/sign`, {
      versionNumber: mine.version.number,
      contentHash: mine.version.contentHash,
      declarationAccepted: true,
      typedName,
      statedRole: 'Class teacher',
      consents: {},
    });
    // A campaign to everyone who has not signed; the teacher's row says she was not sent it.
    await send('dsl', 'POST', '/api/admin/campaigns', {
      policyKey,
      versionNumber: mine.version.number,
      deadline: new Date(Date.now() + 21 * 86_400_000).toISOString(),
    });
    const sentTo = async (user: string) =>
      (
        await apiAs<{ deliveries: { state: string }[] }>(
          'dsl',
          `/api/admin/people/${devUser(user).id}/deliveries?policyKey=${policyKey}`,
        )
      ).deliveries[0]?.state;
    for (let i = 0; i < 200 && (await sentTo('governor')) !== 'sent'; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await sentTo('governor')).toBe('sent');
    // The scheduled work's signed checkpoint (every 5 minutes in a running service): now.
    await stack().campaigns.runScheduled();

    const { page, errors } = await openTab(session, stack().url, { user: 'dsl', view: 'admin' });
    await page.getByRole('button', { name: 'People' }).click();
    const table = page.getByRole('table').filter({ hasText: 'Showing' });
    await table.locator('tbody tr').first().waitFor();

    // Sorting from the keyboard: Enter on the Name header's button reverses it, Space on
    // Status sorts by status; aria-sort says which column sorts and which way.
    expect(await sortState(page, 'Name')).toBe('ascending');
    const ascending = await names(table);
    const collator = new Intl.Collator('en-GB');
    expect(ascending).toEqual([...ascending].sort(collator.compare));
    const sortButton = (column: string) =>
      page.getByRole('button', { name: new RegExp(`^${column}`) });
    await sortButton('Name').focus();
    await page.keyboard.press('Enter');
    await page.locator('th[aria-sort="descending"]', { hasText: 'Name' }).waitFor();
    await expect.poll(async () => (await names(table))[0]).not.toBe(ascending[0]);
    const descending = await names(table);
    expect(descending).toEqual([...descending].sort(collator.compare).reverse());
    expect(await sortState(page, 'Status')).toBe('none');
    await sortButton('Status').focus();
    await page.keyboard.press('Space');
    await page.locator('th[aria-sort="ascending"]', { hasText: 'Status' }).waitFor();
    expect(await sortState(page, 'Name')).toBe('none');

    // The CSV: the columns an inspector asks for, the teacher's signature in words.
    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = (await downloaded(csvDownload)).toString('utf8');
    const [header, ...lines] = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(header).toBe(
      'Name,UPN,Audience,Policy title,Version label,Status,Signed at (school time),Typed name,Entra name,Role,Consents,Approval,Approver,Permissions,Rejection reason',
    );
    const teacherLine = lines.find((l) => l.startsWith(`${teacher.displayName},`));
    expect(teacherLine).toContain(typedName);
    expect(teacherLine).toContain('Class teacher');
    expect(teacherLine).toMatch(/\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} (GMT|BST)/);
    expect(teacherLine).not.toMatch(/\d{4}-\d{2}-\d{2}T/);

    // The policy's evidence pack: the register of the current version, with the checkpoint.
    const [packDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Evidence pack (PDF)' }).click(),
    ]);
    expect(packDownload.suggestedFilename()).toMatch(
      new RegExp(`^evidence-${policyKey}-v${mine.version.number}-\\d{4}-\\d{2}-\\d{2}\\.pdf$`),
    );
    const register = await pdfWords(await downloaded(packDownload));
    expect(register).toContain(`Register: ${mine.policy.title}`);
    expect(register).toContain(teacher.displayName);
    expect(register).toContain(typedName);
    expect(register).toContain(governor.displayName); // who has not signed
    expect(register).toMatch(/All signed records this PDF rests on hold: 1 signature\(s\)/);
    expect(register).toMatch(/Signed checkpoint: checkpoint:\d+, taken /);

    // The teacher's page: her signature, and what was (not) sent to her.
    await page.getByRole('searchbox', { name: 'Name or email' }).fill(teacher.displayName);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: `Open ${teacher.displayName}` }).click();
    await page.getByRole('heading', { name: teacher.displayName, level: 2 }).waitFor();
    const person = page.getByRole('region', { name: teacher.displayName });
    await person.getByText(typedName).waitFor();
    const sent = page.getByRole('table', { name: /Cards sent to this person/ });
    await sent.waitFor();
    expect(await sent.innerText()).toMatch(
      /Campaign: the card asking them to sign.*Not sent: already signed, waiting for approval/s,
    );

    const [personDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Evidence pack for ${teacher.displayName} (PDF)` }).click(),
    ]);
    const dossier = await pdfWords(await downloaded(personDownload));
    expect(dossier).toContain(`${teacher.displayName}: ${mine.policy.title}`);
    expect(dossier).toContain(`Typed name ${typedName}`);
    expect(dossier).not.toContain(governor.displayName);
    expect(dossier).toMatch(/Signed checkpoint: checkpoint:\d+, taken /);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);
});
