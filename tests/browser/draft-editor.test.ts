import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { AdminPolicy } from '../../src/api/contract/responses.ts';
import { openTab } from './browser-harness.ts';
import { useLocalStackInChromium } from './local-stack-in-chromium.ts';

/**
 * The DSL imports a volunteers' AUP as a new policy and fixes what the import got wrong in the
 * draft editor, in Chromium against the local stack: a clause moved with the keyboard, one
 * split at the cursor (Ctrl+Enter), two merged, one made a sub-item and back, a line that was
 * kept twice removed everywhere, an edit undone, a clause dragged to another section and the
 * drag undone, a text box that grows as lines are typed, and the draft saved; the saved
 * structure is read back through the API.
 */
const { stack, needBrowser, apiAs } = useLocalStackInChromium();

const COPIES = 'Copies of this policy are kept in the school office.';
const VOLUNTEERS_AUP = `Volunteers Acceptable Use Policy

Using school systems
1. I will only use school devices for the work I volunteer to do.
2. I will keep any password I am given private. I will lock the screen whenever I leave a device.
3. I will report
4. any lost device or badge to the school office at once.
5. I will not take photographs of pupils on my own phone.
6. ${COPIES}

Email and messages
7. I will only contact pupils through school systems.
8. I will not share pupils' details with anyone outside school.
9. ${COPIES}
10. I will report any message that worries me to the designated safeguarding lead.

Declaration
I have read, understood and agree to comply with the Volunteers Acceptable Use Policy.
`;

const KEY = 'volunteers-acceptable-use-policy';
const FIRST = 'Using school systems';
const SECOND = 'Email and messages';

/** The clause summaries of the draft as the admin sees them, section by section. */
async function outline(page: Page): Promise<string[]> {
  const names = await page.getByRole('button', { name: /^(Edit|Close) clause / }).allTextContents();
  return names.map((name) => name.replace(/^.*?: /, ''));
}

function clauseButton(page: Page, number: number, section: string) {
  return page.getByRole('button', {
    name: new RegExp(`^(Edit|Close) clause ${String(number)} in ${section}:`),
  });
}

/** A clause's drag handle (hidden from assistive technology: the keyboard has Alt+↑/↓). */
function dragHandle(summary: Locator): Locator {
  return summary.locator('xpath=..').locator('[data-drag-handle]');
}

/** The list item of a clause: where a dragged clause is dropped. */
function clauseItem(summary: Locator): Locator {
  return summary.locator('xpath=ancestor::li[1]');
}

/**
 * Drags with the mouse, the way a person does: press on the handle, move a little (Chromium
 * starts the drag), then move over the target in steps and release. locator.dragTo did not
 * start a drag of this handle here (no dragstart reached the page).
 */
async function dragClause(page: Page, handle: Locator, target: Locator): Promise<void> {
  await handle.hover();
  await page.mouse.down();
  const from = await handle.boundingBox();
  if (from === null) throw new Error('the drag handle is not shown');
  await page.mouse.move(from.x + 10, from.y + 20, { steps: 5 });
  await target.scrollIntoViewIfNeeded();
  const to = await target.boundingBox();
  if (to === null) throw new Error('the drop target is not shown');
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 10 });
  await page.mouse.up();
}

/** A text box's visible height and the height its text needs (typed by hand: no DOM library). */
async function boxSize(box: Locator): Promise<{ client: number; scroll: number }> {
  return box.evaluate((el: unknown) => {
    const node = el as { clientHeight: number; scrollHeight: number };
    return { client: node.clientHeight, scroll: node.scrollHeight };
  });
}

async function focusedLabel(page: Page): Promise<string | null> {
  return page.evaluate<string | null>(
    'document.activeElement && document.activeElement.textContent',
  );
}

describe('the draft editor in Chromium', () => {
  it('the DSL imports a new policy, fixes its clauses with move, split, merge, sub-item, remove every copy and undo, and saves it', async (ctx) => {
    const session = needBrowser(ctx);
    const { page, errors } = await openTab(session, stack().url, { user: 'dsl', view: 'admin' });
    await page.getByRole('heading', { name: 'Import a document' }).waitFor();
    await page.getByRole('radio', { name: /A new policy/ }).check();
    await page.getByLabel(/Drop the school’s AUP here/).setInputFiles({
      name: 'volunteers-aup.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(VOLUNTEERS_AUP),
    });
    await page
      .getByRole('heading', { name: 'Review the draft (from volunteers-aup.txt)' })
      .waitFor();
    expect(await outline(page)).toHaveLength(10);
    // A new policy keeps the settings, consents and approval block of the school's first policy
    // (the staff AUP) unless the admin removes them, and says so.
    const staffTitle = (await apiAs<AdminPolicy[]>('dsl', '/api/admin/policies'))[0]?.policy.title;
    if (staffTitle === undefined) throw new Error('the demo school has no policy');
    await page
      .getByText(
        `Kept from “${staffTitle}”, which the imported file did not have: the consent “photo”, the approval block`,
      )
      .waitFor();

    // Keyboard: Alt+↓ on clause 5 moves it below clause 6; numbers follow and the focus stays
    // on the moved clause.
    await clauseButton(page, 5, FIRST).focus();
    await page.keyboard.press('Alt+ArrowDown');
    await page.getByRole('status').getByText('Clause 5 moved down.').waitFor();
    expect(await focusedLabel(page)).toMatch(
      /^Edit clause 6 in Using school systems: 6\. I will not take photographs/,
    );

    // Split clause 2 at the cursor with Ctrl+Enter.
    await clauseButton(page, 2, FIRST).click();
    const text = page.getByRole('textbox', {
      name: /Clause text \(clause 2 in Using school systems\)/,
    });
    await text.click();
    const at = 'I will keep any password I am given private. '.length;
    // The cursor just before "I will lock" (the text box has the focus).
    await page.evaluate(`document.activeElement.setSelectionRange(${String(at)}, ${String(at)})`);
    await page.keyboard.press('Control+Enter');
    await page.getByRole('status').getByText('Clause 2 split in two.').waitFor();

    // Merge "any lost device…" (now clause 5) into "I will report".
    await page.getByRole('button', { name: `Merge with previous: clause 5 in ${FIRST}` }).click();
    await page.getByRole('status').getByText('Clause 5 merged into clause 4.').waitFor();

    // Make "I will not share…" a sub-item of the clause before it, then a clause again.
    await page
      .getByRole('button', {
        name: `Make sub-item: clause 8 in ${SECOND}`,
      })
      .click();
    await page.getByRole('status').getByText('Clause 8 is now a sub-item of clause 7.').waitFor();
    await clauseButton(page, 7, SECOND).click();
    await page
      .getByRole('button', { name: `Make it a clause: sub-item 1 of clause 7 in ${SECOND}` })
      .click();
    await page.getByRole('status').getByText('Sub-item 1 of clause 7 is now a clause.').waitFor();

    // Remove every copy of the line the document repeats.
    await page
      .getByRole('button', { name: `Remove every copy of clause 5 in ${FIRST} (2 in the draft)` })
      .click();
    await page.getByRole('status').getByText(`2 copies of “${COPIES}” removed.`).waitFor();

    // Remove a clause by mistake, and undo it: with the Undo button, then redo and undo again
    // with the keyboard.
    await page.getByRole('button', { name: `Remove clause 1 in ${FIRST}` }).click();
    await page.getByRole('button', { name: 'Undo: Clause 1 removed.' }).click();
    await page.getByRole('status').getByText('Undone: Clause 1 removed.').waitFor();
    // The focus is still on the Undo button (it stays enabled: there are earlier edits).
    await page.keyboard.press('Control+y');
    await page.getByRole('status').getByText('Redone: Clause 1 removed.').waitFor();
    await page.keyboard.press('Control+z');
    await page.getByRole('status').getByText('Undone: Clause 1 removed.').waitFor();

    const fixed = [
      '1. I will only use school devices for the work I volunteer to do.',
      '2. I will keep any password I am given private.',
      '3. I will lock the screen whenever I leave a device.',
      '4. I will report any lost device or badge to the school office at once.',
      '5. I will not take photographs of pupils on my own phone.',
      '6. I will only contact pupils through school systems.',
      "7. I will not share pupils' details with anyone outside school.",
      '8. I will report any message that worries me to the designated safeguarding lead.',
    ];
    expect(await outline(page)).toEqual(fixed);

    // Drag (HTML5 drag and drop, by the clause's handle): the last clause of the second section
    // dropped on the first clause of the first goes before it; every number follows. Undo puts
    // it back.
    await dragClause(
      page,
      dragHandle(clauseButton(page, 8, SECOND)),
      clauseItem(clauseButton(page, 1, FIRST)),
    );
    await page.getByRole('status').getByText('Clause 8 moved.').waitFor();
    expect(await outline(page)).toEqual([
      '1. I will report any message that worries me to the designated safeguarding lead.',
      '2. I will only use school devices for the work I volunteer to do.',
      '3. I will keep any password I am given private.',
      '4. I will lock the screen whenever I leave a device.',
      '5. I will report any lost device or badge to the school office at once.',
      '6. I will not take photographs of pupils on my own phone.',
      '7. I will only contact pupils through school systems.',
      "8. I will not share pupils' details with anyone outside school.",
    ]);
    await page.getByRole('button', { name: 'Undo: Clause 8 moved.' }).click();
    await page.getByRole('status').getByText('Undone: Clause 8 moved.').waitFor();
    expect(await outline(page)).toEqual(fixed);

    // The text box grows with its text: four more lines, and it shows them all (no scroll bar
    // of its own). Undo (Ctrl+Z in the box) takes the typing back and the box shrinks again.
    await clauseButton(page, 4, FIRST).click();
    const box = page.getByRole('textbox', {
      name: /Clause text \(clause 4 in Using school systems\)/,
    });
    const before = await boxSize(box);
    await box.click();
    await page.keyboard.press('Control+End');
    for (const line of ['Second line', 'Third line', 'Fourth line', 'Fifth line']) {
      await page.keyboard.press('Enter');
      await page.keyboard.type(line);
    }
    expect(await box.inputValue()).toBe(
      'I will report any lost device or badge to the school office at once.\nSecond line\nThird line\nFourth line\nFifth line',
    );
    const grown = await boxSize(box);
    expect(grown.client).toBeGreaterThan(before.client + 40);
    expect(grown.scroll).toBeLessThanOrEqual(grown.client + 1);
    await page.keyboard.press('Control+z');
    await page
      .getByRole('status')
      .getByText(`Undone: Text of clause 4 in ${FIRST} changed.`)
      .waitFor();
    expect(await box.inputValue()).toBe(
      'I will report any lost device or badge to the school office at once.',
    );
    expect((await boxSize(box)).client).toBe(before.client);
    await clauseButton(page, 4, FIRST).click();
    expect(await outline(page)).toEqual(fixed);

    await page.getByRole('textbox', { name: /Key of the new policy/ }).waitFor();
    expect(await page.getByRole('textbox', { name: /Key of the new policy/ }).inputValue()).toBe(
      KEY,
    );
    await page.getByRole('textbox', { name: /Version label/ }).fill('2026-27');

    // Settings: who signs it, its approval (less than the staff AUP's is warned about), and the
    // kept consent removed (warned about too).
    await page.getByRole('button', { name: 'Save draft and show the changes' }).click();
    await page.getByText('Choose who signs the new policy.').waitFor();
    await page.getByRole('checkbox', { name: 'Volunteers' }).check();
    const approval = page.getByRole('combobox', { name: 'Approval of its signatures' });
    expect(await approval.inputValue()).toBe('first-signature');
    await approval.selectOption('none');
    await page.getByText(/this policy will ask for less: no approval/).waitFor();
    await approval.selectOption('first-signature');
    await page.getByRole('button', { name: 'Remove consent “photo”' }).click();
    await page.getByText(/People will no longer be asked/).waitFor();

    // A taken key is refused by the server (409), in words, and nothing is made.
    const key = page.getByRole('textbox', { name: /Key of the new policy/ });
    await key.fill('staff-aup');
    await page.getByRole('button', { name: 'Save draft and show the changes' }).click();
    await page.getByText(/A policy with the key "staff-aup" already exists/).waitFor();
    await key.fill(KEY);
    await page.getByRole('button', { name: 'Save draft and show the changes' }).click();

    let saved: AdminPolicy | undefined;
    for (let tries = 0; tries < 60 && saved === undefined; tries++) {
      const policies = await apiAs<AdminPolicy[]>('dsl', '/api/admin/policies');
      saved = policies.find((p) => p.policy.key === KEY && p.versions.length > 0);
      if (saved === undefined) await page.waitForTimeout(500);
    }
    if (saved === undefined) throw new Error('the new policy was not saved');
    expect(saved.policy.title).toBe('Volunteers Acceptable Use Policy');
    expect(saved.policy.audiences).toEqual(['volunteers']);
    expect(saved.policy.approvalMode).toBe('first-signature');
    const [version] = saved.versions;
    expect(version?.document.consents).toEqual([]);
    expect(version?.document.approval).not.toBeNull();
    expect(version?.status).toBe('draft');
    expect(version?.label).toBe('2026-27');
    expect(
      version?.document.sections.map((s) => ({
        heading: s.heading,
        clauses: s.clauses.map((c) => [c.number, c.text, c.items]),
      })),
    ).toEqual([
      {
        heading: FIRST,
        clauses: [
          ['1', 'I will only use school devices for the work I volunteer to do.', []],
          ['2', 'I will keep any password I am given private.', []],
          ['3', 'I will lock the screen whenever I leave a device.', []],
          ['4', 'I will report any lost device or badge to the school office at once.', []],
          ['5', 'I will not take photographs of pupils on my own phone.', []],
        ],
      },
      {
        heading: SECOND,
        clauses: [
          ['6', 'I will only contact pupils through school systems.', []],
          ['7', "I will not share pupils' details with anyone outside school.", []],
          [
            '8',
            'I will report any message that worries me to the designated safeguarding lead.',
            [],
          ],
        ],
      },
    ]);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
