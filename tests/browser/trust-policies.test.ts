import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TrustPolicyView } from '../../src/api/contract/responses.ts';
import type { MyPolicyView } from '../../src/services/countersign-service.ts';
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
 * the default and dark themes, the confirmation dialog included. Around it: the teacher in two
 * schools switches school in the header and signs the other school's copy; at the end the lead
 * withdraws the master, reading per school how many signed the version withdrawn and the one
 * that comes back.
 */
const { stack, needBrowser, apiAs, devUser } = useLocalStackInChromium({ demoTrust: true });

const HAZEL = DEMO_TRUST.schools[0].school;
const KINGSMEAD = DEMO_TRUST.schools[1].school;

/** The person's copy of the trust AUP in one of their schools, as the API serves it. */
async function copyIn(user: string, schoolId: string): Promise<MyPolicyView> {
  const views = await apiAs<MyPolicyView[]>(user, `/api/me/policies?school=${schoolId}`);
  const copy = views.find((v) => v.policy.key === `${DEMO_TRUST.trustPolicyKey}--${schoolId}`);
  if (copy === undefined) throw new Error(`${user} has no copy of the trust AUP at ${schoolId}`);
  return copy;
}

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
  it('a teacher in two schools switches school in the header, sees that school’s policy and signs it there', async (ctx) => {
    const session = needBrowser(ctx);
    const { page, errors } = await openTab(session, stack().url, { user: 'shared-teacher' });
    const picker = page.getByRole('combobox', { name: 'School' });
    await picker.waitFor();
    const titleIn = (name: string) =>
      page.getByRole('heading', { level: 2, name: TITLE.replace('{{school}}', name) });
    // Served by one of her schools first; she picks the other and its policy replaces it.
    const first = await picker.inputValue();
    const [from, to] = first === HAZEL.id ? [HAZEL, KINGSMEAD] : [KINGSMEAD, HAZEL];
    await titleIn(from.name).waitFor();
    await picker.focus();
    await picker.selectOption(to.id);
    await titleIn(to.name).waitFor();
    expect(await titleIn(from.name).count()).toBe(0);
    // Hazel Lane's own copy: she signs it there (the withdrawal below counts her).
    if (to.id !== HAZEL.id) {
      await picker.selectOption(HAZEL.id);
      await titleIn(HAZEL.name).waitFor();
    }
    await page.getByRole('checkbox', { name: /accept the declaration/ }).check();
    await page
      .getByRole('textbox', { name: 'Your full name' })
      .fill(devUser('shared-teacher').displayName);
    await page.getByRole('textbox', { name: 'Your role in school' }).fill('Music teacher');
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await page.getByRole('region', { name: 'Your receipt' }).waitFor();
    expect((await copyIn('shared-teacher', HAZEL.id)).status.kind).toBe('signed');
    expect((await copyIn('shared-teacher', KINGSMEAD.id)).status.kind).toBe('due');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

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

  it('the lead withdraws the master after reading, per school, how many signed what goes and what comes back', async (ctx) => {
    const session = needBrowser(ctx);
    // The teacher in two schools signs Hazel Lane's copy on master 2 too (the API, as the tab does).
    const onMaster2 = await copyIn('shared-teacher', HAZEL.id);
    const token = await fetch(`${stack().url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'shared-teacher' }),
    });
    const { accessToken } = (await token.json()) as { accessToken: string };
    const signed = await fetch(
      `${stack().url}/api/me/policies/${onMaster2.policy.key}/sign?school=${HAZEL.id}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          versionNumber: onMaster2.version.number,
          contentHash: onMaster2.version.contentHash,
          declarationAccepted: true,
          typedName: devUser('shared-teacher').displayName,
          statedRole: 'Music teacher',
        }),
      },
    );
    expect(signed.status).toBeLessThan(300);

    const { page, errors } = await openTab(session, stack().url, {
      user: 'trust-lead',
      view: 'trust',
    });
    await openTrustPolicies(page);
    await press(page, page.getByRole('button', { name: 'Withdraw master version 2…' }));
    const dialog = page.getByRole('dialog', { name: 'Withdraw master version 2 in every school?' });
    const hazel = dialog.getByRole('list', { name: `What happens at ${HAZEL.name}` });
    await hazel.waitFor();
    const hazelWords = await hazel.innerText();
    const kingsmead = dialog.getByRole('list', { name: `What happens at ${KINGSMEAD.name}` });
    // Kingsmead's version 3 (master 2 and its clauses) goes, its version 2 comes back; unsigned.
    const kingsmeadWords = await kingsmead.innerText();
    expect(kingsmeadWords).toContain('Nobody there had signed version 2.');
    expect(kingsmeadWords).toContain('Nobody there signed version 3 (');
    await dialog.getByRole('textbox', { name: /Why is it withdrawn\?/ }).focus();
    await page.keyboard.type('Published the wrong draft.');
    await press(page, dialog.getByRole('button', { name: 'Yes, withdraw master version 2' }));
    await page
      .getByText(/^Master version 2 withdrawn: master version 1 is current again\. /)
      .waitFor();
    const after = await apiAs<TrustPolicyView[]>('trust-lead', '/api/trust/policies');
    const copies = after.find((v) => v.policy.key === DEMO_TRUST.trustPolicyKey)?.schools;
    expect(copies?.map((c) => c.current?.masterVersion)).toEqual(copies?.map(() => 1));
    // Hazel Lane's version before master 2 is current again (the trust's view of the copies:
    // the school's own service may serve its cached versions for up to 30 s, read-cache.ts).
    const back = copies?.find((c) => c.schoolId === HAZEL.id)?.current;
    expect(back?.number).toBeLessThan(onMaster2.version.number);
    // What the dialog said at Hazel Lane, each version by its number and label.
    const v1 = `version ${back?.number ?? '?'} (${back?.label ?? '?'})`;
    const v2 = `version ${onMaster2.version.number} (${onMaster2.version.label})`;
    expect(hazelWords.split('\n').filter((line) => line.trim() !== '')).toEqual([
      `V${v2.slice(1)} is withdrawn. V${v1.slice(1)}, on master version 1, becomes current again.`,
      `1 person signed version ${back?.number ?? '?'}: they are not asked to sign it again.`,
      `1 person signed ${v2}: their signatures stay in the record, and whoever signed only it is not asked again either. It stays in the history, marked withdrawn.`,
    ]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
