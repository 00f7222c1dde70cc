import { describe, expect, it } from 'vitest';
import { openTab } from './browser-harness.ts';
import { useLocalStackInChromium } from './local-stack-in-chromium.ts';

/**
 * Signing in the tab while Microsoft 365 is down (issue 13, item 2), in Chromium against the
 * local stack: the Graph emulator drops every connection (the gateway retries for its budget,
 * then its circuit breaker opens and refuses at once), so the API answers 503 with Retry-After.
 * The tab must say plainly that the signature was not taken, with the request id to quote, try
 * again by itself when Retry-After says, and say when it was taken once Graph is back: no
 * restart, one signature stored.
 */
const { stack, needBrowser, devUser, apiAs } = useLocalStackInChromium();

describe('the tab while Microsoft 365 is down', () => {
  it('says the signature was not taken, retries by itself, and says when it was taken', async (ctx) => {
    const session = needBrowser(ctx);
    const staff = devUser('staff');
    const { page, errors } = await openTab(session, stack().url, { user: 'staff' });
    await page.getByRole('heading', { name: 'Sign this version' }).waitFor();
    await page.getByRole('checkbox', { name: /accept the declaration/ }).check();
    await page.getByRole('textbox', { name: 'Your full name' }).fill(staff.displayName);
    await page.getByRole('textbox', { name: 'Your role in school' }).fill('Class teacher');

    // Graph goes away: every connection dropped before it is handled, nothing stored.
    stack().emulator.setFaults({ rateReset: 1, resetPhase: 'before' });
    await page.getByRole('button', { name: 'Sign', exact: true }).click();

    const notTaken = page.getByRole('status').filter({ hasText: 'Your signature was not taken' });
    await notTaken.waitFor({ timeout: 30_000 });
    const said = await notTaken.innerText();
    expect(said).toMatch(/will try again by itself in \d+ seconds \(try 2 of 20\)/);
    // The request id of the refused sign, as in the service's logs and the problem's instance.
    expect(said).toMatch(/Reference: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(await page.getByRole('button', { name: 'Sign', exact: true }).isDisabled()).toBe(true);

    // Graph is back; nobody presses anything.
    stack().emulator.setFaults({});
    const taken = page.getByRole('status').filter({ hasText: 'Your signature was taken on' });
    await taken.waitFor({ timeout: 60_000 });
    expect(await taken.innerText()).toMatch(/on try \d+\./);
    await page.getByRole('region', { name: 'Your receipt' }).waitFor();
    expect(await notTaken.count()).toBe(0);

    // Exactly one signature, taken through the tab.
    const history = await apiAs<{ channel: string; statedRole: string }[]>(
      'staff',
      '/api/me/history',
    );
    expect(history).toEqual([
      expect.objectContaining({ channel: 'tab', statedRole: 'Class teacher' }),
    ]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
