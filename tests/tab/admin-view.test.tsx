// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import AdminView from '../../teams-app/src/views/admin/admin-view.tsx';
import ApprovalsView from '../../teams-app/src/views/approvals/approvals-view.tsx';
import { PeoplePanel } from '../../teams-app/src/views/admin/people-panel.tsx';
import { UPDATE_NOT_SENT } from '../../src/services/campaigns/card-update-outcome.ts';
import { importPolicyFile } from '../../src/importer/read-policy-file.ts';
import { startTabApi, type TabApi } from './tab-api.ts';
import { renderInTheme, sessionFor } from './render-view.tsx';

afterEach(cleanup);

const NOW = new Date('2026-03-10T10:30:00.000Z');

let running: TabApi | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** The real API (tab-api.ts) with version 1 published, nobody signed. */
async function start(): Promise<TabApi> {
  running = await startTabApi({ now: NOW });
  return running;
}

const IMPORTED_TEXT = [
  'Staff Acceptable Use Policy 2026',
  '1. I will only use school systems for professional purposes.',
  '2. I will keep my passwords private and will not share them with anyone.',
  '3. I will lock my screen whenever I leave my computer unattended.',
  'Page 3 of 7 Oakfield Primary School',
  'I have read, understood and agree to comply with the Staff Acceptable Use Policy.',
].join('\n');

function upload(text: string, name: string) {
  const input = screen.getByLabelText(/Drop the school’s AUP here/);
  const file = new File([text], name, { type: 'text/plain' });
  fireEvent.change(input, { target: { files: [file] } });
}

async function click(name: string | RegExp) {
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name }));
    await Promise.resolve();
  });
}

describe('Admin', () => {
  it('imports a document, lets the admin correct it, shows the diff and publishes', async () => {
    const api = await start();
    await api.seedSignature('staff', '2026-01-10T09:00:00.000Z');
    renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
    await screen.findByText(/version 1 \(Spring 2026\)/);

    upload(IMPORTED_TEXT, 'aup.txt');
    await screen.findByRole('heading', { name: 'Review the draft (from aup.txt)' });
    expect(api.requests).toContainEqual({ method: 'POST', path: '/api/admin/import' });
    // The text the importer could not place is flagged, not dropped.
    const unplaced = screen.getByRole('group', { name: 'Unplaced' });
    expect(within(unplaced).getByText(/could not place this text/)).toBeInstanceOf(HTMLElement);
    expect(within(unplaced).getByText(/Page 3 of 7 Oakfield Primary School/)).toBeInstanceOf(
      HTMLElement,
    );
    expect(screen.getByText('Some text is still in the Unplaced section.')).toBeInstanceOf(
      HTMLElement,
    );
    await click('Remove the unplaced section');
    expect(screen.queryByRole('group', { name: 'Unplaced' })).toBeNull();

    fireEvent.change(screen.getByRole('textbox', { name: 'Title' }), {
      target: { value: 'Staff Acceptable Use Policy' },
    });
    await click('Remove clause 2 in Policy');
    await click('Add a clause to Policy');
    const clauses = screen.getAllByRole('textbox', { name: /Clause text/ });
    const last = clauses[clauses.length - 1];
    if (last === undefined) throw new Error('no clause added');
    fireEvent.change(last, { target: { value: 'I will report lost devices at once.' } });

    // Saving needs a label.
    await click('Save draft and show the changes');
    expect(screen.getByText(/Give the version a label/)).toBeInstanceOf(HTMLElement);
    fireEvent.change(screen.getByRole('textbox', { name: /Version label/ }), {
      target: { value: 'Summer 2026' },
    });
    await click('Save draft and show the changes');
    const publish = await screen.findByRole('heading', { name: 'Publish version 2' });
    expect(publish.textContent).toBe('Publish version 2');
    expect(screen.getByText(/This is a material change/)).toBeInstanceOf(HTMLElement);
    const changes = screen.getByRole('region', { name: 'Changes from version 1' });
    expect(within(changes).getByText(/lock my screen/)).toBeInstanceOf(HTMLElement);
    expect(within(changes).getByText(/report lost devices/)).toBeInstanceOf(HTMLElement);

    await click('Publish version 2');
    // The confirmation counts who must sign again before anything is published. (jsdom: tabster
    // marks the open surface aria-hidden, which a browser does not; Chromium's test checks it.)
    const confirm = await screen.findByRole('dialog', { name: 'Publish version 2?' });
    const who = await within(confirm).findByRole('list', {
      name: 'Who will have to sign',
      hidden: true,
    });
    expect(who.textContent).toContain(
      'Staff: 1 person of 3 will have to sign again; 2 people still to sign.',
    );
    await act(async () => {
      fireEvent.click(
        within(confirm).getByRole('button', { name: 'Yes, publish version 2', hidden: true }),
      );
      await Promise.resolve();
    });
    await screen.findByText('Version 2 published');
    const v2 = (await api.versions()).find((v) => v.number === 2);
    expect(v2?.status).toBe('published');
    expect(v2?.document.title).toBe('Staff Acceptable Use Policy');
    expect(v2?.document.sections.map((s) => s.heading)).toEqual(['Policy']);
    expect(v2?.document.sections[0]?.clauses.map((c) => c.text)).toEqual([
      'I will only use school systems for professional purposes.',
      'I will lock my screen whenever I leave my computer unattended.',
      'I will report lost devices at once.',
    ]);

    // The person who had signed version 1 is now due again.
    fireEvent.click(screen.getByRole('button', { name: 'People' }));
    const table = await screen.findByRole('table');
    const sam = within(table)
      .getByRole('rowheader', { name: /Sam Patel/ })
      .closest('tr');
    expect(sam && within(sam).getByText('Due')).toBeInstanceOf(HTMLElement);
  });

  it('links a finding the import report cites by line to the clause that line became', async () => {
    // The real importer, which numbers each clause's source line and cites the line it warns of.
    running = await startTabApi({ now: NOW, importPolicy: importPolicyFile });
    const api = running;
    renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
    await screen.findByText(/version 1 \(Spring 2026\)/);
    upload(
      [
        'Staff Acceptable Use Policy 2026',
        '1. I will only use school systems for professional purposes.',
        '2. I will keep my passwords private from everyone at [School name].',
        '3. I will lock my screen whenever I leave my computer unattended.',
        'I have read, understood and agree to comply with the Staff Acceptable Use Policy.',
      ].join('\n'),
      'aup.txt',
    );
    await screen.findByRole('heading', { name: 'Review the draft (from aup.txt)' });
    await click('Line 3: go to that clause');
    const focused = document.activeElement;
    expect(focused?.tagName).toBe('TEXTAREA');
    expect((focused as HTMLTextAreaElement).value).toBe(
      'I will keep my passwords private from everyone at [School name].',
    );
  });

  it('filters people and charts their status by audience', async () => {
    const api = await start();
    await api.seedSignature('head', '2026-01-10T09:00:00.000Z');
    renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
    fireEvent.click(screen.getByRole('button', { name: 'People' }));
    const table = await screen.findByRole('table');
    expect(within(table).getAllByRole('row')).toHaveLength(5);
    const chart = screen.getByRole('figure', { name: /by audience/ });
    const line = (text: string) => (_: string, el: Element | null) =>
      el?.tagName === 'P' && el.textContent === text;
    expect(within(chart).getByText(line('staff (3 people)'))).toBeInstanceOf(HTMLElement);
    // Every status is charted, so the rows add up to the people counted.
    expect(within(chart).getByText(line('Everyone (4 people)'))).toBeInstanceOf(HTMLElement);
    expect(
      within(chart).getByText(
        line(
          '0 signed + 3 due + 0 overdue + 1 awaiting approval + 0 rejected + 0 not required = 4 people',
        ),
      ),
    ).toBeInstanceOf(HTMLElement);
    expect(within(chart).getByText(line('governors (1 person)'))).toBeInstanceOf(HTMLElement);

    fireEvent.change(screen.getByRole('combobox', { name: 'Status' }), {
      target: { value: 'due' },
    });
    await waitFor(() =>
      expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(4),
    );
    expect(screen.queryByRole('rowheader', { name: /Emma Bonnin/ })).toBeNull();
    expect(api.requests.at(-1)?.path).toBe('/api/admin/people');

    fireEvent.change(screen.getByRole('searchbox', { name: 'Name or email' }), {
      target: { value: 'grace' },
    });
    await click('Search');
    await waitFor(() =>
      expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(2),
    );
    expect(screen.getByRole('rowheader', { name: /Grace Okafor/ })).toBeInstanceOf(HTMLElement);

    // A search nobody matches says so; it does not claim the audiences are empty.
    fireEvent.change(screen.getByRole('searchbox', { name: 'Name or email' }), {
      target: { value: 'nobody-has-this-name' },
    });
    await click('Search');
    await screen.findByText('No one matches these filters.');
    expect(screen.queryByText(/Nobody is in this policy/)).toBeNull();
  });

  it('previews the exact card, sends it to me first, and launches a campaign', async () => {
    const api = await start();
    // A fourth member of staff has signed already: the campaign goes to the other three.
    api.directory.addPerson({
      id: 'u-tom',
      displayName: 'Tom Ash',
      userPrincipalName: 'tom.ash@school.example',
    });
    api.directory.addGroup({ id: 'g-staff', members: ['u-staff', 'u-dsl', 'u-head', 'u-tom'] });
    await api.seedSignature('u-tom', '2026-03-09T09:00:00.000Z');
    renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
    fireEvent.click(screen.getByRole('button', { name: 'Campaigns' }));
    await screen.findByText('No campaigns yet.');

    await click('Preview the card');
    const preview = await screen.findByRole('region', { name: 'Card preview' });
    // The preview fetches the adaptivecards library first, which takes seconds on a loaded
    // machine: wait for the preview to say it has drawn the card, then read the card.
    await waitFor(() => expect(preview.getAttribute('aria-busy')).toBe('false'), {
      timeout: 20_000,
    });
    expect(within(preview).getByText('Please sign: Staff Acceptable Use Policy')).toBeInstanceOf(
      HTMLElement,
    );
    await click('Send it to myself first');
    await screen.findByText('The card is on its way to you in Teams.');
    expect(await api.testCards()).toEqual([
      { userId: 'u-dsl', policyKey: 'staff-aup', versionNumber: 1 },
    ]);

    fireEvent.click(screen.getByRole('checkbox', { name: 'governors' }));
    fireEvent.change(screen.getByLabelText(/Deadline/), { target: { value: '2026-07-01' } });
    fireEvent.change(screen.getByRole('textbox', { name: /Reminders/ }), {
      target: { value: '2, 5' },
    });
    await click('Launch campaign');
    // Nothing is sent before the admin has seen how many people and which audiences.
    const question = await screen.findByRole('alertdialog', { name: 'Confirm the launch' });
    expect(question.textContent).toMatch(
      /^Send Staff Acceptable Use Policy to 3 people in staff, to sign by 1 July 2026\? staff: 3 people to sign \(1 already signed\)\. People who have signed this version are not sent it\./,
    );
    expect(await api.campaigns()).toEqual([]);
    await click('Yes, launch it');
    await screen.findByText(/^Sent \d of 3 · signed 1 of 3$/);
    expect((await api.campaigns())[0]).toMatchObject({
      policyKey: 'staff-aup',
      versionNumber: 1,
      audiences: ['staff'],
      // The end of 1 July in London (BST) is 22:59:59 UTC.
      deadline: '2026-07-01T22:59:59.000Z',
      reminderDays: [2, 5],
    });
    await click('Pause');
    await screen.findByRole('button', { name: 'Resume' });
    expect((await api.campaigns())[0]?.status).toBe('paused');

    // Launching the same version again meets the campaign already open: nothing new is sent.
    // A later deadline is applied, and it says so; what it keeps where that differs from what
    // was asked (here the reminders) is said too.
    fireEvent.change(screen.getByLabelText(/Deadline/), { target: { value: '2026-07-08' } });
    fireEvent.change(screen.getByRole('textbox', { name: /Reminders/ }), {
      target: { value: '3' },
    });
    await click('Launch campaign');
    await screen.findByRole('alertdialog', { name: 'Confirm the launch' });
    await click('Yes, launch it');
    const kept = await screen.findByText(/A campaign for version 1 is already paused/);
    expect(kept.textContent).toMatch(
      /nothing new was sent\. Its deadline moved from 1 July 2026 to 8 July 2026: the cards already sent are being updated to show it\. It keeps its own plan: reminders after 2, 5 days, not 3 days as asked; deadline 8 July 2026; audiences staff\. To change it, cancel this campaign and launch again\./,
    );
    expect(screen.queryByText(/Campaign launched/)).toBeNull();
    const [relaunched, ...others] = await api.campaigns();
    expect(others).toEqual([]);
    expect(relaunched).toMatchObject({ status: 'paused', deadline: '2026-07-08T22:59:59.000Z' });
  });

  it('shows and changes who each clause applies to, and refuses an audience not in the policy', async () => {
    const api = await start();
    renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
    await screen.findByRole('button', { name: /Edit a new version/ });
    await click(/Edit a new version/);
    // Version 1's third clause is for staff only (the api's seed).
    await click(/^Edit clause 3 in My use of school systems/);
    const third = screen.getByRole('group', {
      name: 'My use of school systems, clause 3: who it applies to',
    });
    expect(within(third).getByText('staff', { selector: 'strong' })).toBeInstanceOf(HTMLElement);
    expect(within(third).getByRole('checkbox', { name: 'staff' })).toHaveProperty('checked', true);
    await click(/^Edit clause 1 in My use of school systems/);
    const first = screen.getByRole('group', {
      name: 'My use of school systems, clause 1: who it applies to',
    });
    expect(within(first).getByText('everyone the policy applies to')).toBeInstanceOf(HTMLElement);
    fireEvent.click(within(first).getByRole('checkbox', { name: 'governors' }));
    expect(within(first).getByText('governors', { selector: 'strong' })).toBeInstanceOf(
      HTMLElement,
    );

    fireEvent.change(screen.getByRole('textbox', { name: /Version label/ }), {
      target: { value: 'Summer 2026' },
    });
    await click('Save draft and show the changes');
    await screen.findByRole('heading', { name: 'Publish version 2' });
    const draft = (await api.versions()).find((v) => v.status === 'draft');
    expect(draft?.document.sections[1]?.clauses.map((c) => c.audience)).toEqual([
      ['governors'],
      undefined,
      ['staff'],
    ]);
  });

  it('opens the saved draft again after a reload, with its label and kind of change', async () => {
    const api = await start();
    const first = renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
    await screen.findByRole('button', { name: /Edit a new version/ });
    await click(/Edit a new version/);
    fireEvent.change(screen.getByRole('textbox', { name: 'Title' }), {
      target: { value: 'Staff AUP (draft)' },
    });
    fireEvent.change(screen.getByRole('textbox', { name: /Version label/ }), {
      target: { value: 'Summer 2026' },
    });
    fireEvent.click(screen.getByRole('radio', { name: /Minor correction/ }));
    await click('Save draft and show the changes');
    await screen.findByRole('heading', { name: 'Publish version 2' });
    first.unmount();

    renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
    await screen.findByText(/draft version 2 \(Summer 2026\) saved, not yet published/);
    expect(screen.queryByRole('button', { name: /Edit a new version/ })).toBeNull();
    await click(/Continue draft version 2/);
    expect(
      screen.getByRole('heading', { name: 'Review the draft (from draft version 2)' }),
    ).toBeInstanceOf(HTMLElement);
    expect(screen.getByRole('textbox', { name: 'Title' })).toHaveProperty(
      'value',
      'Staff AUP (draft)',
    );
    expect(screen.getByRole('textbox', { name: /Version label/ })).toHaveProperty(
      'value',
      'Summer 2026',
    );
    expect(screen.getByRole('radio', { name: /Minor correction/ })).toHaveProperty('checked', true);
  });

  it('pages through people and exports the filtered list as CSV', async () => {
    const api = await start();
    const session = sessionFor(api, 'dsl');
    renderInTheme(<PeoplePanel api={session.api} policies={[api.policy]} pageSize={3} />);
    await screen.findByText('Showing 1–3 of 4');
    const previous = screen.getByRole('button', { name: 'Previous page' });
    expect(previous).toHaveProperty('disabled', true);
    await click('Next page');
    await screen.findByText('Showing 4–4 of 4');
    expect(screen.getByRole('button', { name: 'Next page' })).toHaveProperty('disabled', true);
    expect(screen.getAllByRole('rowheader')).toHaveLength(1);
    await click('Previous page');
    await screen.findByText('Showing 1–3 of 4');

    const saved: Blob[] = [];
    URL.createObjectURL = (blob: Blob) => {
      saved.push(blob);
      return 'blob:people';
    };
    URL.revokeObjectURL = () => undefined;
    // jsdom cannot navigate: record what the download link would have saved instead.
    const downloads: string[] = [];
    const anchorClick = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      downloads.push(`${this.download} ${this.href}`);
    });
    fireEvent.change(screen.getByRole('combobox', { name: 'Audience' }), {
      target: { value: 'governors' },
    });
    await screen.findByText('Showing 1–1 of 1');
    await click('Export CSV');
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(downloads).toEqual(['staff-aup-status.csv blob:people']);
    anchorClick.mockRestore();
    expect(api.requests.at(-1)).toEqual({ method: 'GET', path: '/api/admin/people.csv' });
    const csv = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
      reader.readAsText(saved[0]!);
    });
    // The service's export (people-report.ts): a header, then only the filtered people.
    expect(csv.split('\r\n')).toEqual([
      'Name,UPN,Audience,Policy title,Version label,Status,Signed at (school time),Typed name,Entra name,Role,Consents,Approval,Approver,Permissions,Rejection reason',
      'Grace Okafor,grace.okafor@school.example,Governors,Staff Acceptable Use Policy,Spring 2026,Has not signed yet (Spring 2026 to sign),,,,,,,,,',
      '',
    ]);
  });

  it('shows each signature beside the account it came from and flags a colleague’s name', async () => {
    const api = await start();
    await api.seedSignature('staff', '2026-03-09T08:15:00.000Z', 'Dana Lee');
    await api.seedSignature('dsl', '2026-03-09T09:30:00.000Z', 'Lee, Dana');
    const session = sessionFor(api, 'dsl');
    renderInTheme(<PeoplePanel api={session.api} policies={[api.policy]} />);
    const table = await screen.findByRole('table');
    expect(within(table).getByRole('columnheader', { name: 'Signature' })).toBeInstanceOf(
      HTMLElement,
    );
    const rowOf = (name: string) => {
      const row = within(table)
        .getByRole('rowheader', { name: new RegExp(name) })
        .closest('tr');
      if (row === null) throw new Error(`no row for ${name}`);
      return row;
    };
    const sam = rowOf('Sam Patel');
    expect(within(sam).getByText('Typed: Dana Lee')).toBeInstanceOf(HTMLElement);
    expect(within(sam).getByText('Account: Sam Patel (sam.patel@school.example)')).toBeInstanceOf(
      HTMLElement,
    );
    expect(within(sam).getByText('Typed name differs from the account name')).toBeInstanceOf(
      HTMLElement,
    );
    const dana = rowOf('Dana Lee');
    expect(within(dana).getByText('Typed: Lee, Dana')).toBeInstanceOf(HTMLElement);
    expect(within(dana).queryByText('Typed name differs from the account name')).toBeNull();
    // Nobody signed for Grace: no signature to show.
    expect(within(rowOf('Grace Okafor')).getAllByText('—')).toHaveLength(1);
  });

  it('imports a file dropped on the drop zone', async () => {
    const api = await start();
    renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
    const input = await screen.findByLabelText(/Drop the school’s AUP here/);
    const zone = input.parentElement;
    if (zone === null) throw new Error('no drop zone');
    const file = new File([IMPORTED_TEXT], 'dropped.txt', { type: 'text/plain' });
    fireEvent.dragOver(zone, { dataTransfer: { files: [file] } });
    fireEvent.drop(zone, { dataTransfer: { files: [file] } });
    await screen.findByRole('heading', { name: 'Review the draft (from dropped.txt)' });
    expect(screen.getByRole('textbox', { name: 'Title' })).toHaveProperty(
      'value',
      'Staff Acceptable Use Policy 2026',
    );
  });

  it('shows a campaign whose delivery records were lost, and resumes it to those not yet signed', async () => {
    const api = await start();
    const token = await api.token('dsl');
    const launched = await api.fetch('/api/admin/campaigns', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        policyKey: 'staff-aup',
        versionNumber: 1,
        deadline: '2026-07-01T22:59:59.000Z',
      }),
    });
    expect(launched.status).toBe(201);
    await api.loseWorkStore();
    renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
    fireEvent.click(screen.getByRole('button', { name: 'Campaigns' }));
    await screen.findByText('Delivery records lost.');
    expect(
      screen.getByText(/Choose: resume it to the people who have not signed yet/),
    ).toBeInstanceOf(HTMLElement);
    // Without its records the campaign cannot be paused: only resumed to the unsigned, or cancelled.
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Cancel campaign' })).toBeInstanceOf(HTMLElement);
    await click('Resume to people not yet signed');
    await screen.findByText(/Resumed: the card is going to the 4 people who have not signed yet/);
    await screen.findByRole('button', { name: 'Pause' });
    expect(screen.queryByText('Delivery records lost.')).toBeNull();
    expect((await api.campaigns())[0]).toMatchObject({ status: 'running', carried: { sent: 0 } });
  });

  it('shows the records check line: all hold, or what failed in plain words', async () => {
    const api = await start();
    renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
    expect(
      await screen.findByText('Records check: not run yet (it runs every night).'),
    ).toBeInstanceOf(HTMLElement);
    cleanup();

    const ack = await api.seedSignature('staff', '2026-03-09T09:00:00.000Z');
    await api.runRecordsCheck();
    renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
    // The signature and the published version; 10:30 GMT is 10:30 in London in March.
    expect(
      await screen.findByText('Records check: all 2 hold, last checked 10 March 2026 at 10:30.'),
    ).toBeInstanceOf(HTMLElement);
    expect(api.requests).toContainEqual({ method: 'GET', path: '/api/admin/records-check' });
    cleanup();

    // A day later, after a site owner edited the typed name on Sam's row.
    api.tamperAcknowledgement(ack.id, { typedName: 'Someone Else' });
    api.setNow('2026-03-11T10:30:00.000Z');
    await api.runRecordsCheck();
    renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
    const check = await screen.findByRole('region', { name: 'Records check' });
    expect(
      within(check).getByText(
        'Records check: 1 problem found in 2 records, last checked 11 March 2026 at 10:30.',
      ),
    ).toBeInstanceOf(HTMLElement);
    expect(within(check).getByRole('listitem').textContent).toMatch(
      /typedName column says "Someone Else" but the signed record says "Sam Patel"/,
    );
  });
});

describe('People: sorting and a person’s page', () => {
  it('sorts by a column with aria-sort and opens a person with the exact text they signed', async () => {
    const api = await start();
    await api.seedSignature('staff', '2026-03-09T08:15:00.000Z', 'Sam Patel');
    const session = sessionFor(api, 'dsl');
    renderInTheme(<PeoplePanel api={session.api} policies={[api.policy]} />);
    const table = await screen.findByRole('table');
    const nameHeader = within(table).getByRole('columnheader', { name: /Name/ });
    expect(nameHeader.getAttribute('aria-sort')).toBe('ascending');
    const names = () =>
      within(screen.getByRole('table'))
        .getAllByRole('rowheader')
        .map((h) => within(h).getByRole('button').textContent);
    const before = names();
    fireEvent.click(within(nameHeader).getByRole('button'));
    await waitFor(() => expect(names()).toEqual([...before].reverse()));
    expect(
      within(screen.getByRole('table'))
        .getByRole('columnheader', { name: /Name/ })
        .getAttribute('aria-sort'),
    ).toBe('descending');
    expect(api.requests.at(-1)?.path).toBe('/api/admin/people');

    fireEvent.click(screen.getByRole('button', { name: /^Open Sam Patel/ }));
    await screen.findByRole('heading', { name: 'Sam Patel', level: 2 });
    expect(screen.getByText('9 March 2026, 08:15 GMT', { selector: 'dd' })).toBeInstanceOf(
      HTMLElement,
    );
    expect(screen.getByText(/The exact text signed/)).toBeInstanceOf(HTMLElement);
    await click('Back to everyone');
    await screen.findByRole('table');
  });

  it('shows the permissions the head approved a signature with on the person’s page', async () => {
    const api = await start();
    await api.seedSignature('staff', '2026-03-09T08:15:00.000Z', 'Sam Patel');
    renderInTheme(<ApprovalsView session={sessionFor(api, 'head')} />);
    const card = (await screen.findByRole('heading', { name: 'Sam Patel' })).closest('li');
    if (card === null) throw new Error('no card');
    const choices = within(card).getByRole('group', {
      name: 'Additional permissions for Sam Patel (optional)',
    });
    const remote = await within(choices).findByRole('checkbox', { name: 'Remote access' });
    await act(async () => {
      fireEvent.click(remote);
      await Promise.resolve();
    });
    fireEvent.change(within(card).getByRole('textbox', { name: /Other permissions/ }), {
      target: { value: 'Door entry fob' },
    });
    await click('Approve Sam Patel');
    await screen.findByText('Sam Patel: approved.');
    cleanup();

    const session = sessionFor(api, 'dsl');
    renderInTheme(<PeoplePanel api={session.api} policies={[api.policy]} />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: /^Open Sam Patel/ }));
    await screen.findByRole('heading', { name: 'Sam Patel', level: 2 });
    const term = await screen.findByText('Approved by', { selector: 'dt' });
    expect(term.nextElementSibling?.textContent).toBe(
      'Emma Bonnin, 10 March 2026, 10:30 GMT; permissions: Remote access, Door entry fob',
    );
  });
});

describe('Card updates after a relaunch moved the deadline', () => {
  it('shows "cards updated N of M" on the campaign and each person’s update in plain words', async () => {
    const api = await start();
    const token = await api.token('dsl');
    const launch = (deadline: string) =>
      api.fetch('/api/admin/campaigns', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ policyKey: 'staff-aup', versionNumber: 1, deadline }),
      });
    expect((await launch('2026-07-01T22:59:59.000Z')).status).toBe(201);
    // Everyone's card reached them; then the relaunch moves the deadline a fortnight on.
    expect(await api.settleQueued(() => 'sent')).toBe(4);
    expect((await launch('2026-07-15T22:59:59.000Z')).status).toBeLessThan(300);
    // Sam signs before the sender reaches his card: it is left as it is (the sender's reason).
    await api.seedSignature('staff', '2026-03-10T10:31:00.000Z', 'Sam Patel');
    expect(
      await api.settleQueued((job, userId) =>
        job.kind === 'update' && userId === 'u-staff'
          ? { failed: UPDATE_NOT_SENT.signedSince }
          : 'sent',
      ),
      // The four card updates, and the approval card Sam's signature queued for the head.
    ).toBe(5);

    renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
    fireEvent.click(screen.getByRole('button', { name: 'Campaigns' }));
    // Sam's card is not a failure: it is counted apart, in words that do not alarm.
    expect(
      await screen.findByText(
        /^Deadline moved from .+ to .+\. Cards updated 3 of 3 · 1 not needed \(signed since, or already showing the new deadline\)\.$/,
      ),
    ).toBeInstanceOf(HTMLElement);
    expect(screen.queryByText(/could not be (updated|delivered)/)).toBeNull();
    cleanup();

    const session = sessionFor(api, 'dsl');
    renderInTheme(<PeoplePanel api={session.api} policies={[api.policy]} />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: /^Open Sam Patel/ }));
    const sam = await screen.findByRole('region', { name: 'Reminders and deliveries' });
    await within(sam).findByText('Not updated: already signed');
    expect(
      within(sam).getByText(/^Deadline moved from .+: the card asking them to sign updated/),
    ).toBeInstanceOf(HTMLElement);
    expect(within(sam).getByText('Sent')).toBeInstanceOf(HTMLElement);
    await click('Back to everyone');
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: /^Open Dana Lee/ }));
    await screen.findByRole('heading', { name: 'Dana Lee', level: 2 });
    const dana = await screen.findByRole('region', { name: 'Reminders and deliveries' });
    await within(dana).findByText('Card updated with the new deadline');
  });
});
