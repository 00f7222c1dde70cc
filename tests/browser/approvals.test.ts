import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ApprovalRequestItem } from '../../src/api/contract/responses.ts';
import type { MyPolicyView } from '../../src/services/countersign-service.ts';
import { openTab } from './browser-harness.ts';
import { useLocalStackInChromium } from './local-stack-in-chromium.ts';

/**
 * Approvals that close (issue 11), in Chromium against the local stack, one story in order: two
 * members of staff sign in the tab, the headteacher approves one and rejects the other with a
 * reason, and the rejected one reads the reason, signs again, and is back in the head's queue.
 * Then (issue 13) the head has blocked the app when the chair of governors signs: Admin ›
 * Approval requests shows the card did not reach her, the admin presses Resend, the item says
 * what happened and takes the focus, and the connector emulator receives the head's card.
 */
const { stack, needBrowser, devUser, apiAs } = useLocalStackInChromium();

/** Signs the person's policy through the API (the tab's own sign is the first test's). */
async function signAs(key: string, role: string): Promise<void> {
  const view = await myPolicy(key);
  const url = stack().url;
  const token = await fetch(`${url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: key }),
  });
  const { accessToken } = (await token.json()) as { accessToken: string };
  const signed = await fetch(`${url}/api/me/policies/${encodeURIComponent(view.policy.key)}/sign`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      versionNumber: view.version.number,
      contentHash: view.version.contentHash,
      declarationAccepted: true,
      typedName: devUser(key).displayName,
      statedRole: role,
    }),
  });
  expect(signed.status, `sign as ${key}`).toBeLessThan(300);
}

/** Polls until `done` holds (the sender works in the background), or fails after 30 s. */
async function eventually<T>(read: () => Promise<T> | T, done: (value: T) => boolean): Promise<T> {
  const until = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`still not so after 30 s: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

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

  it('Admin › Approval requests: Resend reaches an approver the card did not, and says so where it was pressed', async (ctx) => {
    const session = needBrowser(ctx);
    const head = devUser('head');
    const governor = devUser('governor');
    const connector = stack().connector;
    // The head blocked the app: the card for the governor's signature cannot reach her.
    connector.blockUsers([head.id]);
    await signAs('governor', 'Chair of governors');
    const waiting = await eventually(
      () => apiAs<ApprovalRequestItem[]>('dsl', '/api/admin/approval-requests'),
      (items) =>
        items.some((i) => i.signerName === governor.displayName && i.state === 'not-reached'),
    );
    const item = waiting.find((i) => i.signerName === governor.displayName);
    connector.unblockUsers([head.id]);
    const cardsBefore = connector
      .delivered()
      .filter((d) => d.refreshAcknowledgementId === item?.acknowledgementId).length;
    expect(cardsBefore).toBe(0);

    // The admin opens Admin › Approval requests and resends from the item, by keyboard.
    const { page, errors } = await openTab(session, stack().url, { user: 'dsl', view: 'admin' });
    await page.getByRole('button', { name: 'Approval requests' }).click();
    const row = page
      .getByRole('list', { name: 'Signatures waiting for approval' })
      .getByRole('listitem', { name: new RegExp(`^${governor.displayName}:`) });
    await row.getByText('Not reached', { exact: true }).waitFor();
    const resend = row.getByRole('button', {
      name: `Resend the approval card for ${governor.displayName}’s signature`,
    });
    await resend.focus();
    await page.keyboard.press('Enter');
    const said = row.getByText(
      `Sent again to ${head.displayName}: the card is queued and goes within a few minutes.`,
    );
    await said.waitFor();
    // Focus moved to what happened, in the item itself (the button is gone: the card is queued).
    // (Run in the page: this project's types have no DOM, so the check is a string.)
    const focused = await page.evaluate<[string, string]>(`(() => {
      const el = document.activeElement;
      const item = el === null ? null : el.closest('li[aria-labelledby]');
      return [el === null ? '' : el.textContent, item === null ? '' : item.querySelector('h3').textContent];
    })()`);
    expect(focused[0]).toBe(await said.innerText());
    expect(focused[1]).toMatch(new RegExp(`^${governor.displayName}:`));

    // The connector emulator receives the head's card for that signature.
    const resent = await eventually(
      () =>
        connector.delivered().filter((d) => d.refreshAcknowledgementId === item?.acknowledgementId),
      (cards) => cards.length > 0,
    );
    expect(resent.map((d) => [d.kind, d.refreshAction])).toEqual([['create', 'refreshApproval']]);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
