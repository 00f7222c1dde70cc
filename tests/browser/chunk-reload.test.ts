import { describe, expect, it } from 'vitest';
import { openTab } from './browser-harness.ts';
import { useLocalStackInChromium } from './local-stack-in-chromium.ts';

/**
 * A deploy while the tab is open: the built tab's lazy chunks carry content hashes, so the Admin
 * chunk this page was built with is gone from the server. The tab says so and reloads, instead
 * of going blank.
 */
const { stack, needBrowser } = useLocalStackInChromium();

describe('the tab after a deploy', () => {
  it('says "Countersign was updated: reload" when a lazy view’s chunk is gone, and Reload brings it back', async (ctx) => {
    const session = needBrowser(ctx);
    const { page, errors } = await openTab(session, stack().url, { user: 'dsl' });
    await page.getByRole('heading', { name: 'My AUP' }).waitFor();
    const gone = '**/assets/admin-view-*.js';
    await page.route(gone, (route) => route.fulfill({ status: 404, body: 'Not found' }));

    await page.getByRole('button', { name: 'Admin', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Countersign was updated: reload' });
    await alert.waitFor();
    expect(await page.getByRole('heading', { name: 'My AUP' }).count()).toBe(0);

    // The new files are in place: Reload fetches them.
    await page.unroute(gone);
    await alert.getByRole('button', { name: 'Reload' }).click();
    await page.getByRole('heading', { name: 'My AUP' }).waitFor();
    await page.getByRole('button', { name: 'Admin', exact: true }).click();
    await page.getByRole('heading', { name: 'Admin', exact: true }).waitFor();
    expect(await alert.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
