import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { Campaign } from '../../src/domain/campaign.ts';
import type { MyPolicyView, PeoplePage } from '../../src/services/countersign-service.ts';
import { openTab } from './browser-harness.ts';
import { useLocalStackInChromium } from './local-stack-in-chromium.ts';

/**
 * Cards and campaigns (issue 11) as the DSL does it in the tab, from the keyboard only, in
 * Chromium against the local stack: the launch asks first, counting who will be sent the card;
 * the progress reads "Sent N of M · signed K of M" from the campaign's records; a second launch
 * with another deadline says it met the running campaign, moved its deadline and is updating the
 * cards already sent, which the connector then sees replaced in place.
 */
const { stack, needBrowser, apiAs } = useLocalStackInChromium();

type ListedCampaign = Campaign & { delivery: { sent: number; queued: number; inFlight: number } };

/** Tab (forwards) until the element has the focus: how someone without a mouse gets there. */
async function tabTo(page: Page, target: Locator, most = 120): Promise<void> {
  await target.waitFor();
  for (let i = 0; i < most; i += 1) {
    // Typed by hand: the tests compile without the DOM library.
    const focused = await target.evaluate((el: unknown) => {
      const node = el as { ownerDocument: { activeElement: unknown } };
      return node.ownerDocument.activeElement === el;
    });
    if (focused) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`focus never reached ${target.toString()} in ${most} presses of Tab`);
}

/** "23 November 2026", as the tab writes dates in the school's zone. */
const longDate = (iso: string): string =>
  new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'Europe/London',
  }).format(new Date(iso));

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 240; i += 1) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('gave up waiting');
}

describe('launching a campaign, in Chromium, from the keyboard', () => {
  it('the DSL confirms the launch, reads the progress as the records have it, and a relaunch says the deadline moved', async (ctx) => {
    const session = needBrowser(ctx);
    const [mine] = await apiAs<MyPolicyView[]>('staff', '/api/me/policies');
    if (mine === undefined) throw new Error('the demo school has no policy');
    const { policy, version } = mine;
    const report = await apiAs<PeoplePage>(
      'dsl',
      `/api/admin/people?policyKey=${policy.key}&pageSize=1`,
    );
    const toSign = (report.overall.due ?? 0) + (report.overall.overdue ?? 0);
    const alreadySigned = (report.overall.signed ?? 0) + (report.overall['awaiting-approval'] ?? 0);
    expect(toSign).toBeGreaterThan(0);

    const { page, errors } = await openTab(session, stack().url, { user: 'dsl', view: 'admin' });
    await tabTo(page, page.getByRole('button', { name: 'Campaigns', exact: true }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Launch a campaign' }).waitFor();

    // The question before anything is sent: how many people, by when.
    await tabTo(page, page.getByRole('button', { name: 'Launch campaign' }));
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('alertdialog', { name: 'Confirm the launch' });
    await confirm.waitFor();
    const question = await confirm.innerText();
    expect(question).toContain(
      `Send ${policy.title} to ${toSign} ${toSign === 1 ? 'person' : 'people'} in `,
    );
    expect(await apiAs<ListedCampaign[]>('dsl', '/api/admin/campaigns')).toEqual([]);
    await tabTo(page, confirm.getByRole('button', { name: 'Yes, launch it' }));
    await page.keyboard.press('Enter');
    await page.getByText('Campaign launched: people are being sent the card now.').waitFor();

    // Progress as the records have it, once the sender has sent to everyone.
    const [launched] = await waitFor(
      () => apiAs<ListedCampaign[]>('dsl', '/api/admin/campaigns'),
      ([c]) => c !== undefined && c.delivery.queued === 0 && c.delivery.inFlight === 0,
    );
    if (launched === undefined) throw new Error('no campaign');
    expect(launched.versionNumber).toBe(version.number);
    expect(launched.counts).toMatchObject({
      recipients: toSign,
      sent: toSign,
      failed: 0,
      signed: alreadySigned,
    });
    const progress = `Sent ${toSign} of ${toSign} · signed ${alreadySigned} of ${toSign}`;
    await page.getByText(progress, { exact: true }).waitFor({ timeout: 30_000 });
    const sentCards = stack()
      .connector.delivered()
      .filter((d) => d.kind === 'create');
    expect(sentCards).toHaveLength(toSign);

    // A second launch with a later deadline, typed into the date field: a day whose number is
    // its month's (1 January…), so the typing is the same whichever order the field shows.
    const deadlineField = page.getByLabel('Deadline (end of the day, school time)');
    let next = new Date(Date.parse(launched.deadline) + 86_400_000);
    while (next.getUTCDate() !== next.getUTCMonth() + 1) {
      next = new Date(next.getTime() + 86_400_000);
    }
    const [year, month, day] = next.toISOString().slice(0, 10).split('-');
    await tabTo(page, deadlineField);
    await page.keyboard.type(`${day ?? ''}${month ?? ''}${year ?? ''}`);
    expect(await deadlineField.inputValue()).toBe(`${year ?? ''}-${month ?? ''}-${day ?? ''}`);
    await tabTo(page, page.getByRole('button', { name: 'Launch campaign' }));
    await page.keyboard.press('Enter');
    await confirm.waitFor();
    await tabTo(page, confirm.getByRole('button', { name: 'Yes, launch it' }));
    await page.keyboard.press('Enter');
    const moved = page.getByText(/^A campaign for version \d+ is already running/);
    await moved.waitFor();
    const [relaunched] = await apiAs<ListedCampaign[]>('dsl', '/api/admin/campaigns');
    expect(relaunched?.id).toBe(launched.id);
    expect(longDate(relaunched?.deadline ?? '')).toBe(longDate(next.toISOString()));
    expect(await moved.innerText()).toBe(
      `A campaign for version ${version.number} is already running (launched ${longDate(launched.createdAt)}): nothing new was sent. ` +
        `Its deadline moved from ${longDate(launched.deadline)} to ${longDate(relaunched?.deadline ?? '')}: the cards already sent are being updated to show it. ` +
        `Its plan is the one asked for: deadline ${longDate(relaunched?.deadline ?? '')}; audiences ${launched.audiences.join(', ')}; reminders after ${launched.reminderDays.join(', ')} days.`,
    );
    // Each card already sent is replaced in place, and nobody is sent a second one.
    const updated = await waitFor(
      () =>
        Promise.resolve(
          stack()
            .connector.delivered()
            .filter((d) => d.kind === 'update'),
        ),
      (u) => u.length >= toSign,
    );
    expect(new Set(updated.map((u) => u.activityId))).toEqual(
      new Set(sentCards.map((c) => c.activityId)),
    );
    expect(
      stack()
        .connector.delivered()
        .filter((d) => d.kind === 'create'),
    ).toHaveLength(toSign);
    await page.getByText(progress, { exact: true }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);
});
