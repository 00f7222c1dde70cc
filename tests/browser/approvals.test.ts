import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { MyPolicyView } from '../../src/services/countersign-service.ts';
import { openTab } from './browser-harness.ts';
import { useLocalStackInChromium } from './local-stack-in-chromium.ts';

/**
 * Approvals that close (issue 11), in Chromium against the local stack, one story in order: two
 * members of staff sign in the tab, the headteacher approves one and rejects the other with a
 * reason, and the rejected one reads the reason, signs again, and is back in the head's queue.
 */
const { stack, needBrowser, devUser, apiAs } = useLocalStackInChromium();

async function myPolicy(key: string): Promise<MyPolicyView> {
  const [view] = await apiAs<MyPolicyView[]>(key, '/api/me/policies');
  if (view === undefined) throw new Error(`${key} has no policy to sign`);
  return view;
}

async function signInTab(page: Page, name: string, role: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign this version' }).waitFor();
  await page.getByRole('checkbox', { name: /accept the declaration/ }).check();
  await page.getByRole('textbox', { name: 'Your full name' }).fill(name);
  await page.getByRole('textbox', { name: 'Your role in school' }).fill(role);
  await page.getByRole('button', { name: 'Sign', exact: true }).click();
  // A rejected person's page already shows the rejected receipt: wait for the form to go, so the
  // receipt read next is the new signature's.
  await page.getByRole('heading', { name: 'Sign this version' }).waitFor({ state: 'detached' });
  await page.getByRole('region', { name: 'Your receipt' }).waitFor();
}

const REASON = 'Please sign with your full name as it appears on your contract.';

describe('approvals that close, in Chromium', () => {
  it('two members of staff sign in the tab', async (ctx) => {
    const session = needBrowser(ctx);
    for (const [key, role] of [
      ['staff', 'Class teacher'],
      ['dsl', 'Deputy Headteacher'],
    ] as const) {
      const { page, errors } = await openTab(session, stack().url, { user: key });
      await signInTab(page, devUser(key).displayName, role);
      expect((await myPolicy(key)).status.kind).toBe('awaiting-approval');
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 120_000);

  it('the headteacher approves one and rejects the other with a reason', async (ctx) => {
    const session = needBrowser(ctx);
    const staff = devUser('staff');
    const dsl = devUser('dsl');
    const { page, errors } = await openTab(session, stack().url, {
      user: 'head',
      view: 'approvals',
    });
    const cardOf = (name: string) =>
      page.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });
    await cardOf(dsl.displayName).waitFor();
    await cardOf(staff.displayName).waitFor();

    const dslCard = cardOf(dsl.displayName);
    await dslCard.getByRole('button', { name: `Approve ${dsl.displayName}` }).click();
    await page.getByText(`${dsl.displayName}: approved.`).waitFor();

    const staffCard = cardOf(staff.displayName);
    await staffCard.getByRole('button', { name: 'Reject…' }).click();
    await staffCard.getByRole('textbox', { name: /Reason/ }).fill(REASON);
    await staffCard.getByRole('button', { name: `Reject ${staff.displayName}` }).click();
    await page.getByText(`${staff.displayName}: not approved.`).waitFor();
    await page.getByText('Nobody is waiting for approval.').waitFor();

    expect((await myPolicy('dsl')).status.kind).toBe('signed');
    expect((await myPolicy('staff')).status).toMatchObject({ kind: 'rejected', comment: REASON });
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('the rejected person sees the reason, signs again, and is back with the approver', async (ctx) => {
    const session = needBrowser(ctx);
    const staff = devUser('staff');
    const { page, errors } = await openTab(session, stack().url, { user: 'staff' });
    const notice = page.getByText('Your signature was not approved', { exact: true });
    await notice.waitFor();
    expect(await page.getByText(REASON, { exact: false }).first().innerText()).toContain(REASON);
    await signInTab(page, staff.displayName, 'Class teacher');
    const receipt = await page.getByRole('region', { name: 'Your receipt' }).innerText();
    expect(receipt).toContain('Waiting for Helen Whitfield (Headteacher)');
    expect((await myPolicy('staff')).status.kind).toBe('awaiting-approval');
    expect(errors).toEqual([]);
    await page.close();

    // Back in the head's queue, once: the new signature, not the rejected one.
    const pending = await apiAs<{ acknowledgement: { userId: string; id: string } }[]>(
      'head',
      '/api/approvals',
    );
    const hers = pending.filter((p) => p.acknowledgement.userId === staff.id);
    expect(hers).toHaveLength(1);
    expect(hers[0]?.acknowledgement.id).toMatch(/:r1$/);
  }, 90_000);
});
