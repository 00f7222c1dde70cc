import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TrustPolicyView } from '../../src/api/contract/responses.ts';
import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import { DEMO_TRUST } from '../../src/dev/demo/demo-trust.ts';
import { openTab, seriousAxeViolations } from './browser-harness.ts';
import { useLocalStackInChromium } from './local-stack-in-chromium.ts';

/**
 * The trust policies screen (issue 14, item 3) in Chromium against the local stack with the demo
 * trust, from the keyboard only: the trust lead edits the master text, saves it, confirms the
 * publish after reading who must sign again in each school, and publishes it to every school; the
 * demo school's admin writes the school's own clauses, previews the text its people will sign
 * (the master, its clauses, its DSL filled in) and publishes them. axe finds nothing serious in
 * the default and dark themes, the confirmation dialog included.
 */
const { stack, needBrowser, apiAs } = useLocalStackInChromium({ demoTrust: true });

/** The master's title, placeholders as typed (the policy takes its published text's title). */
const TITLE = DEMO_TRUST.trustAup.title;
const SCHOOL = DEMO_SCHOOL.school.name;
const DSL_NAME = DEMO_SCHOOL.dsl.displayName;

/** Focus a control and press a key on it: what a keyboard user does, no pointer involved. */
async function press(page: Page, locator: ReturnType<Page['getByRole']>, key = 'Enter') {
  await locator.focus();
  await page.keyboard.press(key);
}

async function openTrustPolicies(page: Page): Promise<void> {
  await press(page, page.getByRole('button', { name: 'Trust policies' }));
  await page.getByRole('region', { name: TITLE, exact: true }).waitFor();
}

describe('trust policies in the tab, in Chromium', () => {
  it('the lead edits and publishes the master after the per-school confirmation; a school admin previews and publishes its own clauses', async (ctx) => {
    const session = needBrowser(ctx);

    // The trust lead: the master text.
    const lead = await openTab(session, stack().url, { user: 'trust-lead', view: 'trust' });
    const page = lead.page;
    await openTrustPolicies(page);
    const standing = page.getByRole('list', { name: `Where each school stands on ${TITLE}` });
    expect(await standing.getByRole('listitem').count()).toBe(DEMO_TRUST.schools.length + 1);
    await press(
      page,
      page.getByRole('button', { name: /^Edit clause 3 in Using trust systems and data:/ }),
    );
    const clause = page.getByRole('textbox', {
      name: /Clause text \(clause 3 in Using trust systems and data\)/,
    });
    await clause.focus();
    await page.keyboard.press('End');
    await page.keyboard.type(' I lock my screen whenever I leave it.');
    await page.getByRole('textbox', { name: /Version label/ }).focus();
    await page.keyboard.type('2026-27 rev');
    await press(page, page.getByRole('button', { name: 'Save master draft' }));
    await page.getByText('Saved as draft version 2 of the master.').waitFor();

    await press(page, page.getByRole('button', { name: 'Publish master version 2…' }));
    const dialog = page.getByRole('dialog', { name: 'Publish master version 2 to every school?' });
    const kingsmead = dialog.getByRole('list', {
      name: 'Who will have to sign at Kingsmead Primary School',
    });
    await kingsmead.waitFor();
    expect(await kingsmead.innerText()).toMatch(/^Staff: (nobody|\d+ (person|people))/);
    expect(await dialog.getByText(/since master version 1: /).count()).toBe(1);
    expect(await seriousAxeViolations(page), 'the confirmation').toEqual([]);
    await press(page, dialog.getByRole('button', { name: 'Yes, publish master version 2' }));
    await page.getByText(/^Published master version 2\. /).waitFor();
    expect(await page.getByText(/^Published master version 2\. /).innerText()).toContain(
      'Kingsmead Primary School: version',
    );
    const afterLead = await apiAs<TrustPolicyView[]>('trust-lead', '/api/trust/policies');
    const copies = afterLead.find((v) => v.policy.key === DEMO_TRUST.trustPolicyKey)?.schools;
    expect(copies?.map((c) => c.current?.masterVersion)).toEqual(copies?.map(() => 2));
    expect(lead.errors).toEqual([]);
    await page.close();

    // The demo school's admin: the school's own clauses, previewed, then published.
    const admin = await openTab(session, stack().url, { user: 'dsl', view: 'trust' });
    const own = admin.page;
    await openTrustPolicies(own);
    const text = own.getByRole('textbox', { name: `${SCHOOL}’s own clauses of ${TITLE}` });
    await text.focus();
    await own.keyboard.type(
      '## Our own rules\nTablets stay in the blue box.\n- Charged by 3.30 pm.',
    );
    await press(own, own.getByRole('button', { name: `Preview the text ${SCHOOL} signs` }));
    const composed = own.getByRole('region', { name: `Composed text for ${SCHOOL}` });
    await composed.getByText('Tablets stay in the blue box.').waitFor();
    const words = await composed.innerText();
    expect(words).toContain('Our own rules');
    expect(words).toContain('I lock my screen whenever I leave it.');
    expect(words).toContain(DSL_NAME);
    expect(words).not.toContain('{{');
    await press(own, own.getByRole('button', { name: `Publish ${SCHOOL}’s clauses` }));
    await own.getByText(`${SCHOOL}’s people are asked to sign again.`, { exact: false }).waitFor();
    const afterAdmin = await apiAs<TrustPolicyView[]>('dsl', '/api/trust/policies');
    const mine = afterAdmin.find((v) => v.policy.key === DEMO_TRUST.trustPolicyKey)?.schools;
    expect(
      mine?.map((c) => [c.schoolId, c.current?.masterVersion, c.current?.variantVersion]),
    ).toEqual([[DEMO_SCHOOL.school.id, 2, 1]]);
    expect(mine?.[0]?.variant.sections[0]?.clauses[0]).toEqual({
      text: 'Tablets stay in the blue box.',
      items: ['Charged by 3.30 pm.'],
    });
    expect(admin.errors).toEqual([]);
    await own.close();

    for (const theme of ['default', 'dark'] as const) {
      for (const user of ['trust-lead', 'dsl']) {
        const themed = await openTab(session, stack().url, { user, view: 'trust', theme });
        await openTrustPolicies(themed.page);
        expect(await seriousAxeViolations(themed.page), `${user}, ${theme}`).toEqual([]);
        await themed.page.close();
      }
    }
  }, 300_000);
});
