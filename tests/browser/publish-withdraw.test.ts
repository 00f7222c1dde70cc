import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { PolicyVersion } from '../../src/domain/policy.ts';
import type { MyPolicyView, PeoplePage } from '../../src/services/countersign-service.ts';
import { openTab } from './browser-harness.ts';
import { useLocalStackInChromium } from './local-stack-in-chromium.ts';

/**
 * Publishing without fear (issue 11) as the DSL does it, in Chromium against the local stack:
 * a member of staff has signed (and been approved); the DSL publishes a material version and the
 * confirmation counts who must sign again; Escape cancels it and focus stays inside it; she
 * confirms, then withdraws the version as published by mistake; the member of staff is shown
 * signed again, and the version stays in the history marked withdrawn.
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

async function myPolicy(user: string): Promise<MyPolicyView> {
  const [view] = await apiAs<MyPolicyView[]>(user, '/api/me/policies');
  if (view === undefined) throw new Error(`${user} has no policy`);
  return view;
}

/** Whether the focused element is inside the open dialog. */
function focusInDialog(page: Page): Promise<boolean> {
  return page.evaluate<boolean>(
    `document.activeElement !== null && document.activeElement.closest('[role="dialog"],[role="alertdialog"]') !== null`,
  );
}

describe('publishing without fear, in Chromium', () => {
  it('the DSL sees who must sign again, publishes, withdraws, and the member of staff is signed again', async (ctx) => {
    const session = needBrowser(ctx);
    const staff = devUser('staff');

    // The member of staff signs the current version and the headteacher approves it.
    const before = await myPolicy('staff');
    const policyKey = before.policy.key;
    const signed = (await send('staff', 'POST', `/api/me/policies/${policyKey}/sign`, {
      versionNumber: before.version.number,
      contentHash: before.version.contentHash,
      declarationAccepted: true,
      typedName: staff.displayName,
      statedRole: 'Class teacher',
      consents: {},
    })) as { acknowledgement: { id: string } };
    await send(
      'head',
      'POST',
      `/api/approvals/${encodeURIComponent(signed.acknowledgement.id)}/decision`,
      { decision: 'approved' },
    );
    expect((await myPolicy('staff')).status.kind).toBe('signed');

    // A material draft: one clause reworded for everyone.
    const full = await apiAs<PolicyVersion>(
      'dsl',
      `/api/policies/${policyKey}/versions/${before.version.number}`,
    );
    const next = structuredClone(full.document);
    const first = next.sections.find((s) => s.clauses.length > 0)?.clauses[0];
    if (first === undefined) throw new Error('the demo AUP has no clauses');
    first.text = `${first.text} This includes personal devices.`;
    const draft = (await send('dsl', 'PUT', `/api/admin/policies/${policyKey}/draft`, {
      label: 'Mistaken 2027',
      changeKind: 'material',
      document: next,
    })) as PolicyVersion;

    const { page, errors } = await openTab(session, stack().url, { user: 'dsl', view: 'admin' });
    await page
      .getByRole('button', {
        name: `Continue draft version ${draft.number} of ${before.policy.title}`,
      })
      .click();
    await page.getByRole('button', { name: 'Save draft and show the changes' }).click();
    const publish = page.getByRole('button', {
      name: `Publish version ${draft.number}`,
      exact: true,
    });
    await publish.click();

    // The confirmation: what changed and, per audience, who must sign again.
    const dialog = page.getByRole('dialog', { name: `Publish version ${draft.number}?` });
    await dialog.waitFor();
    const who = dialog.getByRole('list', { name: 'Who will have to sign' });
    await who.waitFor();
    const staffLine = await who
      .getByRole('listitem')
      .filter({ hasText: /^Staff:/ })
      .innerText();
    expect(staffLine).toMatch(/^Staff: 1 person of \d+ will have to sign again/);
    expect(await dialog.innerText()).toContain(
      `What changed since version ${before.version.number}: 1 reworded`,
    );

    // Focus stays in the dialog, and Escape cancels: nothing is published.
    expect(await focusInDialog(page)).toBe(true);
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      expect(await focusInDialog(page), `after Tab ${i + 1}`).toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await myPolicy('staff')).version.number).toBe(before.version.number);

    await publish.click();
    await dialog.getByRole('button', { name: `Yes, publish version ${draft.number}` }).click();
    await page.getByText(`Version ${draft.number} published`, { exact: true }).waitFor();
    expect((await myPolicy('staff')).status).toMatchObject({
      kind: 'due',
      reason: 'material-change',
    });

    // Withdrawn as published by mistake.
    await page.getByRole('button', { name: `Withdraw version ${draft.number}` }).click();
    const withdraw = page.getByRole('dialog', { name: `Withdraw version ${draft.number}?` });
    await withdraw.waitFor();
    const confirm = withdraw.getByRole('button', { name: `Yes, withdraw version ${draft.number}` });
    expect(await confirm.isDisabled()).toBe(true);
    // Before confirming: who it affects, per audience (the member of staff had signed the
    // version that comes back, so is signed again by it).
    const affected = withdraw.getByRole('list', { name: 'Who it affects' });
    await affected.waitFor();
    const staffImpact = await affected
      .getByRole('listitem')
      .filter({ hasText: /^Staff \(/ })
      .innerText();
    expect(staffImpact).toMatch(
      new RegExp(
        `^Staff \\(\\d+ people\\): 1 person signed again by version ${before.version.number}; .* still to sign; nobody has to sign again$`,
      ),
    );
    await withdraw.getByRole('textbox').fill('Published the wrong draft.');
    await confirm.click();
    await page
      .getByRole('status')
      .filter({ hasText: `Version ${draft.number} withdrawn` })
      .waitFor();
    const versions = page.getByRole('list', { name: `Versions of ${before.policy.title}` });
    // The status line can come before the versions are read again: wait for the list to say it.
    await versions
      .getByRole('listitem')
      .filter({ hasText: `Version ${draft.number} (Mistaken 2027)` })
      .filter({ hasText: 'withdrawn' })
      .waitFor();
    expect(await versions.innerText()).toMatch(
      new RegExp(`Version ${draft.number} \\(Mistaken 2027\\).*withdrawn`),
    );

    // The member of staff is signed again, on the version they had signed.
    await page.getByRole('button', { name: 'People' }).click();
    await page.getByRole('searchbox', { name: 'Name or email' }).fill(staff.displayName);
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: new RegExp(staff.displayName) }) });
    await row.getByText(/^Signed until/).waitFor();
    const report = await apiAs<PeoplePage>(
      'dsl',
      `/api/admin/people?policyKey=${policyKey}&q=${encodeURIComponent(staff.displayName)}`,
    );
    expect(report.rows[0]?.statuses[policyKey]).toMatchObject({
      kind: 'signed',
      versionNumber: before.version.number,
    });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
