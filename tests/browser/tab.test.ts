import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { PolicyVersion } from '../../src/domain/policy.ts';
import type { MyPolicyView } from '../../src/services/countersign-service.ts';
import { policyDocx } from './aup-docx.ts';
import { openTab, seriousAxeViolations } from './browser-harness.ts';
import { useLocalStackInChromium } from './local-stack-in-chromium.ts';

/**
 * The tab in Chromium against what `npm start` runs (the local stack: Graph emulator with the
 * demo school, the service with the dev identity provider, and the built tab), one story in
 * order: a member of staff signs, the views pass axe in both themes and at 320 px, the
 * headteacher approves, and the DSL imports a .docx and publishes a material change, after which
 * that member of staff is due again.
 */
const { stack, needBrowser, devUser, apiAs } = useLocalStackInChromium();

async function myPolicy(key: string): Promise<MyPolicyView> {
  const [view] = await apiAs<MyPolicyView[]>(key, '/api/me/policies');
  if (view === undefined) throw new Error(`${key} has no policy to sign`);
  return view;
}

async function noHorizontalScroll(page: Page): Promise<void> {
  const widths = await page.evaluate<[number, number]>(
    '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
  );
  expect(widths[0], 'page wider than the screen').toBeLessThanOrEqual(widths[1]);
}

describe('the tab in Chromium', () => {
  it('a member of staff signs and sees the receipt', async (ctx) => {
    const session = needBrowser(ctx);
    const staff = devUser('staff');
    const before = await myPolicy('staff');
    expect(before.status.kind).toBe('due');

    const { page, errors } = await openTab(session, stack().url, { user: 'staff' });
    await page.getByRole('heading', { name: 'Sign this version' }).waitFor();
    const sign = page.getByRole('button', { name: 'Sign', exact: true });
    expect(await sign.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: /accept the declaration/ }).check();
    await page.getByRole('textbox', { name: 'Your full name' }).fill(staff.displayName);
    await page.getByRole('textbox', { name: 'Your role in school' }).fill('Class teacher');
    await sign.click();

    const receipt = page.getByRole('region', { name: 'Your receipt' });
    await receipt.waitFor();
    const text = await receipt.innerText();
    expect(text).toContain(`${before.version.number} (${before.version.label})`);
    expect(text).toContain(before.version.contentHash);
    expect(text).toMatch(/\d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2}/);
    expect(text).toContain('Waiting for Helen Whitfield (Headteacher)');

    const after = await myPolicy('staff');
    expect(after.status.kind).toBe('awaiting-approval');
    const history = await apiAs<{ typedName: string; statedRole: string; channel: string }[]>(
      'staff',
      '/api/me/history',
    );
    expect(history).toEqual([
      expect.objectContaining({
        typedName: staff.displayName,
        statedRole: 'Class teacher',
        channel: 'tab',
      }),
    ]);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('has no serious or critical axe violation on any view, in the default and dark themes, and fits 320 px', async (ctx) => {
    const session = needBrowser(ctx);
    const findings: Record<string, unknown> = {};
    for (const theme of ['default', 'dark'] as const) {
      const staff = await openTab(session, stack().url, { user: 'staff', theme });
      await staff.page.getByRole('region', { name: 'Your receipt' }).waitFor();
      findings[`my-aup/${theme}`] = await seriousAxeViolations(staff.page);
      await staff.page.close();

      const admin = await openTab(session, stack().url, { user: 'dsl', view: 'admin', theme });
      await admin.page.getByRole('heading', { name: 'Import a document' }).waitFor();
      findings[`admin-policy/${theme}`] = await seriousAxeViolations(admin.page);
      await admin.page.getByRole('button', { name: /Edit a new version/ }).click();
      await admin.page.getByRole('heading', { name: /Review the draft/ }).waitFor();
      findings[`admin-draft/${theme}`] = await seriousAxeViolations(admin.page);
      await admin.page.getByRole('button', { name: 'People' }).click();
      await admin.page.getByRole('table').waitFor();
      findings[`admin-people/${theme}`] = await seriousAxeViolations(admin.page);
      await admin.page.getByRole('button', { name: 'Campaigns' }).click();
      await admin.page.getByRole('button', { name: 'Preview the card' }).click();
      const card = admin.page
        .getByRole('region', { name: 'Card preview' })
        .locator('.ac-adaptiveCard');
      const noCard = admin.page.getByText('Could not load the card');
      await card.or(noCard).first().waitFor();
      if (await noCard.isVisible()) {
        // The service answers 503 'unavailable' while no campaign service is wired in.
        console.warn('Card preview not checked: this server has no campaign service.');
      }
      findings[`admin-campaigns/${theme}`] = await seriousAxeViolations(admin.page);
      if (await card.isVisible()) {
        // The preview is a light card in every theme: its text inputs must be light too (the
        // first input is the declaration's toggle, a checkbox with no background of its own).
        const background = await admin.page.evaluate<string>(
          `getComputedStyle(document.querySelector('.ac-adaptiveCard .ac-textInput')).backgroundColor`,
        );
        expect(background, `card input background in ${theme}`).toBe('rgb(255, 255, 255)');
      }
      expect(admin.errors).toEqual([]);
      await admin.page.close();

      const head = await openTab(session, stack().url, { user: 'head', view: 'approvals', theme });
      await head.page.getByRole('heading', { name: devUser('staff').displayName }).waitFor();
      findings[`approvals/${theme}`] = await seriousAxeViolations(head.page);
      await head.page.close();
    }
    expect(findings).toEqual(Object.fromEntries(Object.keys(findings).map((k) => [k, []])));

    // Phone width: nothing wider than the screen on any view.
    for (const [user, view, ready] of [
      ['staff', 'my-aup', 'Your receipt'],
      ['dsl', 'admin', 'Import a document'],
      ['head', 'approvals', 'Approvals'],
    ] as const) {
      const { page } = await openTab(session, stack().url, { user, view, width: 320 });
      await page.getByText(ready, { exact: true }).first().waitFor();
      await noHorizontalScroll(page);
      if (view === 'admin') {
        // The section nav wraps: every section stays whole on screen.
        for (const name of ['Policy and import', 'People', 'Campaigns']) {
          const box = await page.getByRole('button', { name }).boundingBox();
          expect(box !== null && box.x >= 0 && box.x + box.width <= 320, name).toBe(true);
        }
        await page.getByRole('button', { name: /Edit a new version/ }).click();
        await page.getByRole('heading', { name: /Review the draft/ }).waitFor();
        await noHorizontalScroll(page);
        // A clause's number field sits beside its Remove button, not over it (the editor opens
        // one clause at a time).
        await page
          .getByRole('button', { name: /^Edit clause 1 in / })
          .first()
          .click();
        const numberBox = await page.getByRole('textbox', { name: 'Number' }).first().boundingBox();
        const removeBox = await page
          .getByRole('button', { name: /^Remove clause 1 in / })
          .first()
          .boundingBox();
        if (numberBox === null || removeBox === null) throw new Error('clause controls missing');
        const apart =
          numberBox.x + numberBox.width <= removeBox.x ||
          numberBox.y + numberBox.height <= removeBox.y;
        expect(apart, 'number field overlaps Remove clause').toBe(true);
        await page.getByRole('button', { name: 'People' }).click();
        await page.getByRole('table').waitFor();
        await noHorizontalScroll(page);
        await page.getByRole('button', { name: 'Campaigns' }).click();
        await page.getByRole('heading', { name: 'Launch a campaign' }).waitFor();
        await noHorizontalScroll(page);
      }
      await page.close();
    }
  }, 180_000);

  it('the headteacher approves the new signer', async (ctx) => {
    const session = needBrowser(ctx);
    const staff = devUser('staff');
    const { page, errors } = await openTab(session, stack().url, {
      user: 'head',
      view: 'approvals',
    });
    const card = page.getByRole('listitem').filter({
      has: page.getByRole('heading', { name: staff.displayName }),
    });
    await card.waitFor();
    expect(await card.innerText()).toContain('Class teacher');
    // The school's permission list, as on the approval card, and free text beside it.
    await card.getByRole('checkbox', { name: 'Remote access' }).check();
    await card.getByRole('textbox', { name: /Other permissions/ }).fill('MIS admin');
    await card.getByRole('button', { name: `Approve ${staff.displayName}` }).click();
    await page.getByText(`${staff.displayName}: approved.`).waitFor();

    const history = await apiAs<{ approvalState: string }[]>('staff', '/api/me/history');
    expect(history.map((a) => a.approvalState)).toEqual(['approved']);
    expect((await myPolicy('staff')).status.kind).toBe('signed');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('a governor signs with the keyboard alone, with focus visible at every step', async (ctx) => {
    const session = needBrowser(ctx);
    const governor = devUser('governor');
    const { page, errors } = await openTab(session, stack().url, { user: 'governor' });
    await page.getByRole('heading', { name: 'Sign this version' }).waitFor();
    const focused = () =>
      page.evaluate<{ name: string; visible: boolean }>(`(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return { name: '', visible: false };
        const label = el.labels && el.labels[0] ? el.labels[0].textContent : '';
        const name = (el.getAttribute('aria-label') || label || el.textContent || '').trim();
        return { name, visible: el.matches(':focus-visible') };
      })()`);
    const tabTo = async (pattern: RegExp) => {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        const now = await focused();
        if (pattern.test(now.name)) {
          expect(now.visible, `focus shown on ${now.name}`).toBe(true);
          return;
        }
      }
      throw new Error(`Tab never reached ${String(pattern)}`);
    };
    await tabTo(/accept the declaration/);
    await page.keyboard.press('Space');
    await tabTo(/^Your full name/);
    await page.keyboard.type(governor.displayName);
    await tabTo(/^Your role in school/);
    await page.keyboard.type('Governor');
    await tabTo(/photograph/);
    await page.keyboard.press('Space');
    await tabTo(/^Sign$/);
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Your receipt' }).waitFor();

    const history = await apiAs<{ statedRole: string; consents: Record<string, boolean> }[]>(
      'governor',
      '/api/me/history',
    );
    expect(history).toHaveLength(1);
    expect(history[0]?.statedRole).toBe('Governor');
    expect(Object.values(history[0]?.consents ?? {})).toContain(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('the DSL imports a .docx, publishes a material change, and that person becomes due', async (ctx) => {
    const session = needBrowser(ctx);
    const staff = devUser('staff');
    const current = (await myPolicy('dsl')).version;
    const policyKey = current.policyKey;
    const full = await apiAs<PolicyVersion>(
      'dsl',
      `/api/policies/${policyKey}/versions/${current.number}`,
    );
    // The school's next AUP: the same text with one new clause in the first section.
    const next = structuredClone(full.document);
    const first = next.sections.find((s) => s.clauses.length > 0);
    if (first === undefined) throw new Error('the demo AUP has no clauses');
    const newClause = 'I will lock my screen whenever I leave a school computer unattended.';
    first.clauses.push({ number: String(first.clauses.length + 1), text: newClause, items: [] });
    const docx = await policyDocx(next);

    const { page, errors } = await openTab(session, stack().url, { user: 'dsl', view: 'admin' });
    await page.getByRole('heading', { name: 'Import a document' }).waitFor();
    await page.getByLabel(/Drop the school’s AUP here/).setInputFiles({
      name: 'aup-2027.docx',
      mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      buffer: docx,
    });
    await page.getByRole('heading', { name: 'Review the draft (from aup-2027.docx)' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Title' }).inputValue()).toBe(next.title);
    await page.getByRole('textbox', { name: /Version label/ }).fill('2027-28');
    await page.getByRole('radio', { name: /Material/ }).check();
    await page.getByRole('button', { name: 'Save draft and show the changes' }).click();
    const publish = page.getByRole('button', { name: /^Publish version \d+$/ });
    await publish.waitFor();
    const changes = page.getByRole('region', { name: `Changes from version ${current.number}` });
    expect(await changes.innerText()).toContain(newClause);
    await publish.click();
    await page.getByRole('button', { name: /^Yes, publish version \d+$/ }).click();
    await page.getByText(/^Version \d+ published$/).waitFor();

    await page.getByRole('button', { name: 'People' }).click();
    await page.getByRole('searchbox', { name: 'Name or email' }).fill(staff.displayName);
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: new RegExp(staff.displayName) }) });
    await row.getByText(/^Due/).waitFor();
    expect(await page.getByRole('table').getByRole('row').count()).toBe(2);
    expect(errors).toEqual([]);
    await page.close();

    const now = await myPolicy('staff');
    expect(now.status).toMatchObject({ kind: 'due', reason: 'material-change' });
    // And the member of staff sees what changed, highlighted.
    const mine = await openTab(session, stack().url, { user: 'staff' });
    await mine.page
      .getByRole('region', { name: /What changed since you signed version/ })
      .waitFor();
    const added = mine.page.getByRole('listitem').filter({ hasText: newClause });
    expect(await added.getByText('New', { exact: true }).count()).toBe(1);
    // A small pill, not a bar across the clause.
    const badge = await added.getByText('New', { exact: true }).boundingBox();
    const item = await added.boundingBox();
    if (badge === null || item === null) throw new Error('badge or clause not laid out');
    expect(badge.width).toBeLessThan(item.width / 4);
    await mine.page.close();
  }, 120_000);
});
