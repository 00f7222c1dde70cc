import { describe, expect, it } from 'vitest';
import type { SchoolSettings, SettingsChange } from '../../src/api/contract/responses.ts';
import { openTab, seriousAxeViolations } from './browser-harness.ts';
import { useLocalStackInChromium } from './local-stack-in-chromium.ts';

/**
 * The Admin view's Settings page (issue 14, item 1) as the DSL uses it, in Chromium against the
 * local stack: a group added to an audience with the group picker (Graph $search on the
 * emulator), a holiday and the retention changed, saved, seen in the history; a save over a
 * revision someone else replaced meanwhile says so; axe finds nothing serious in either theme.
 */
const { stack, needBrowser, apiAs } = useLocalStackInChromium();

async function putAsDsl(body: unknown): Promise<number> {
  const url = stack().url;
  const tokenResponse = await fetch(`${url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'dsl' }),
  });
  const { accessToken } = (await tokenResponse.json()) as { accessToken: string };
  const response = await fetch(`${url}/api/admin/settings`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.status;
}

describe('school settings in the tab, in Chromium', () => {
  it('the DSL picks a group, adds a holiday, saves, sees it in the history; a stale save is refused', async (ctx) => {
    const session = needBrowser(ctx);
    const before = await apiAs<SchoolSettings>('dsl', '/api/admin/settings');
    const { page, errors } = await openTab(session, stack().url, { user: 'dsl', view: 'admin' });
    await page.getByRole('button', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'School settings' });
    await form.waitFor();

    // The group picker, from the keyboard: type, arrow down to the option, Enter.
    const firstAudience = before.settings.audiences[0];
    if (firstAudience === undefined) throw new Error('the demo school has no audience');
    const picker = page.getByRole('combobox', { name: `Add a group to ${firstAudience.label}` });
    await picker.focus();
    await page.keyboard.type('volunt');
    await page.getByRole('option', { name: 'Volunteers' }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page
      .getByRole('list', { name: `Groups of ${firstAudience.label}` })
      .getByText('Volunteers')
      .waitFor();

    await page
      .getByRole('textbox', { name: /^Holidays and closures/ })
      .fill('Christmas: 2026-12-19 to 2027-01-04');
    await page.getByRole('spinbutton', { name: /^Keep records for/ }).fill('9');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText(/^Saved: /).waitFor();

    const after = await apiAs<SchoolSettings>('dsl', '/api/admin/settings');
    expect(after.revision).toBe(before.revision + 1);
    expect(after.settings.retentionYears).toBe(9);
    expect(after.settings.holidays).toEqual([
      { name: 'Christmas', from: '2026-12-19', to: '2027-01-04' },
    ]);
    expect(after.settings.audiences[0]?.groupIds.length).toBe(firstAudience.groupIds.length + 1);
    const history = page.getByRole('region', { name: 'History of changes' });
    await history.getByText(`revision ${after.revision} by`).waitFor();
    expect(await history.locator('li').first().innerText()).toMatch(/holidays, retentionYears/);
    const [latest] = await apiAs<SettingsChange[]>('dsl', '/api/admin/settings/history');
    expect(latest?.changed).toEqual(['audiences', 'holidays', 'retentionYears']);

    // Someone else saves meanwhile; this page still holds the revision it read.
    expect(
      await putAsDsl({
        expectedRevision: after.revision,
        settings: { ...after.settings, retentionYears: 10 },
      }),
    ).toBe(200);
    await page.getByRole('spinbutton', { name: /^Keep records for/ }).fill('11');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText(/Someone else saved these settings since you opened them/).waitFor();
    expect(
      (await apiAs<SchoolSettings>('dsl', '/api/admin/settings')).settings.retentionYears,
    ).toBe(10);
    expect(errors).toEqual([]);
    await page.close();

    for (const theme of ['default', 'dark'] as const) {
      const themed = await openTab(session, stack().url, { user: 'dsl', view: 'admin', theme });
      await themed.page.getByRole('button', { name: 'Settings' }).click();
      await themed.page.getByRole('form', { name: 'School settings' }).waitFor();
      expect(await seriousAxeViolations(themed.page), theme).toEqual([]);
      await themed.page.close();
    }
  }, 300_000);
});
