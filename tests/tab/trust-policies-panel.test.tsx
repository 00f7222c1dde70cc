// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import { TrustPoliciesPanel } from '../../teams-app/src/views/trust/trust-policies-panel.tsx';
import { renderInTheme, sessionFor } from './render-view.tsx';
import { startTabApi, type TabApi } from './tab-api.ts';

afterEach(cleanup);

let running: TabApi | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const masterText = (line: string): PolicyDocument => ({
  title: 'Trust Acceptable Use Policy',
  sections: [{ heading: 'Devices', clauses: [{ number: '1', text: line, items: [] }] }],
  declaration: 'I have read and agree to the Acceptable Use Policy of {{school}}.',
  consents: [],
  approval: null,
});

async function trustWithTwoMasters(): Promise<TabApi> {
  const api = await startTabApi({ now: new Date('2026-03-10T10:30:00.000Z'), trust: true });
  await api.publishMaster(masterText('I look after trust devices.'), '2026-27');
  await api.publishMaster(masterText('I look after trust devices (the wrong draft).'), '2026-27 b');
  return api;
}

describe('Trust policies: the lead withdraws a mistaken master', () => {
  it('the dialog says per school what happens; Cancel withdraws nothing and focus returns to the button', async () => {
    running = await trustWithTwoMasters();
    renderInTheme(<TrustPoliciesPanel api={sessionFor(running, 'governor').api} lead />);
    const button = await screen.findByRole('button', { name: 'Withdraw master version 2…' });
    button.focus();
    fireEvent.click(button);
    const dialog = await screen.findByRole('dialog', {
      name: 'Withdraw master version 2 in every school?',
      hidden: true,
    });
    expect(dialog.textContent).toContain('Master version 1 (2026-27) becomes current again.');
    // (jsdom: tabster marks the open surface aria-hidden, which a browser does not: hidden: true.)
    const lines = await within(dialog).findByRole('list', {
      name: 'What happens at Oakfield Primary School',
      hidden: true,
    });
    expect(
      within(lines)
        .getAllByRole('listitem', { hidden: true })
        .map((li) => li.textContent),
    ).toEqual([
      'Version 2 (2026-27 b · Oakfield Primary School) is withdrawn. Version 1 (2026-27 · Oakfield Primary School), on master version 1, becomes current again.',
      // Counted by the preview route: nobody at Oakfield has signed either version here.
      'Nobody there had signed version 1.',
      'Nobody there signed version 2 (2026-27 b · Oakfield Primary School). It stays in the history, marked withdrawn.',
    ]);
    // No reason, no withdrawal: the audit log keeps why.
    const confirm = within(dialog).getByRole('button', {
      name: 'Yes, withdraw master version 2',
      hidden: true,
    });
    expect(
      confirm.hasAttribute('disabled') || confirm.getAttribute('aria-disabled') === 'true',
    ).toBe(true);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel', hidden: true }));
    await waitFor(() => expect(screen.queryByRole('dialog', { hidden: true })).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(button));
    expect(running.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('with a reason the master is withdrawn in every school; the outcome line takes focus', async () => {
    running = await trustWithTwoMasters();
    renderInTheme(<TrustPoliciesPanel api={sessionFor(running, 'governor').api} lead />);
    fireEvent.click(await screen.findByRole('button', { name: 'Withdraw master version 2…' }));
    const dialog = await screen.findByRole('dialog', { hidden: true });
    await within(dialog).findByRole('list', {
      name: 'What happens at Oakfield Primary School',
      hidden: true,
    });
    fireEvent.change(
      within(dialog).getByRole('textbox', { name: /Why is it withdrawn\?/, hidden: true }),
      {
        target: { value: 'Published the wrong draft.' },
      },
    );
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Yes, withdraw master version 2', hidden: true }),
    );
    const outcome = await screen.findByText(
      'Master version 2 withdrawn: master version 1 is current again. Oakfield Primary School: version 1 is current again.',
    );
    await waitFor(() => expect(document.activeElement).toBe(outcome));
    expect(running.requests.filter((r) => r.method === 'POST')).toEqual([
      { method: 'POST', path: '/api/trust/policies/trust-aup/versions/2/withdraw' },
    ]);
    // Master 1 is current again, with nothing before it: no Withdraw button any more.
    await screen.findByText('Master version 1 (2026-27).');
    expect(screen.queryByRole('button', { name: /^Withdraw master version/ })).toBeNull();
  });

  it('a school admin is offered no withdrawal', async () => {
    running = await trustWithTwoMasters();
    renderInTheme(<TrustPoliciesPanel api={sessionFor(running, 'dsl').api} lead={false} />);
    await screen.findByRole('list', { name: /^Where each school stands on / });
    expect(screen.queryByRole('button', { name: /^Withdraw master version/ })).toBeNull();
  });
});

/** The school's admin saves its contacts through the settings API, as the Settings page does. */
async function saveContacts(api: TabApi, contacts: { key: string; name: string; role: string }[]) {
  const headers = {
    authorization: `Bearer ${await api.token('dsl')}`,
    'content-type': 'application/json',
  };
  const stored = (await (await api.fetch('/api/admin/settings', { headers })).json()) as {
    revision: number;
    settings: Record<string, unknown>;
  };
  const response = await api.fetch('/api/admin/settings', {
    method: 'PUT',
    headers,
    body: JSON.stringify({
      expectedRevision: stored.revision,
      settings: { ...stored.settings, contacts },
    }),
  });
  if (response.status !== 200) throw new Error(`settings not saved: ${response.status}`);
}

describe('Trust policies: a school whose contacts changed publishes its clauses again', () => {
  it('the school admin sees the reason and republishes; the mark goes', async () => {
    running = await startTabApi({ now: new Date('2026-03-10T10:30:00.000Z'), trust: true });
    const dsl = { key: 'dsl', role: 'Designated Safeguarding Lead' };
    await saveContacts(running, [{ ...dsl, name: 'Dana Lee' }]);
    await running.publishMaster(
      masterText('Report a concern. Speak to {{contact:dsl}}.'),
      '2026-27',
    );
    await saveContacts(running, [{ ...dsl, name: 'Priya Shah' }]);

    renderInTheme(<TrustPoliciesPanel api={sessionFor(running, 'dsl').api} lead={false} />);
    const own = await screen.findByRole('region', {
      name: 'Oakfield Primary School’s own clauses',
    });
    expect(own.textContent).toContain(
      "To publish again. Oakfield Primary School's settings have changed what its text says since version 1 was published.",
    );
    fireEvent.click(
      within(own).getByRole('button', {
        name: 'Republish Oakfield Primary School’s clauses as they are',
      }),
    );
    await within(own).findByText(/^Published version 2 \(/);
    expect(running.requests.filter((r) => r.method === 'PUT').at(-1)).toEqual({
      method: 'PUT',
      path: '/api/trust/policies/trust-aup/schools/school-1/variant',
    });
    await waitFor(() => expect(screen.queryByText(/^To publish again\./)).toBeNull());
    // Its new version is the current one.
    const standing = screen.getByRole('list', { name: /^Where each school stands on / });
    expect(standing.textContent).toContain('Oakfield Primary School: version 2');
  });
});

describe('Trust policies: a school admin numbers its own clauses and restricts them to an audience', () => {
  it('the preview numbers them after the trust’s and says whom each is for; an audience the policy is not for is refused in words', async () => {
    running = await startTabApi({ now: new Date('2026-03-10T10:30:00.000Z'), trust: true });
    await running.publishMaster(masterText('I look after trust devices.'), '2026-27');
    renderInTheme(<TrustPoliciesPanel api={sessionFor(running, 'dsl').api} lead={false} />);
    const own = await screen.findByRole('region', {
      name: 'Oakfield Primary School’s own clauses',
    });
    const box = within(own).getByRole('textbox', {
      name: 'Oakfield Primary School’s own clauses of Trust Acceptable Use Policy',
    });
    const type = (text: string) => fireEvent.change(box, { target: { value: text } });
    type(
      [
        '## Oakfield: our own rules',
        '1. [staff] Staff laptops go home locked.',
        'Ask the office if unsure.',
        '1. Chargers stay in school.',
      ].join('\n'),
    );
    fireEvent.click(
      within(own).getByRole('button', { name: 'Preview the text Oakfield Primary School signs' }),
    );
    const composed = await within(own).findByRole('region', {
      name: 'Composed text for Oakfield Primary School',
    });
    const ours = within(composed).getByRole('region', { name: 'Oakfield: our own rules' });
    // The trust's one clause is 1: the school's numbered clauses follow it.
    expect(
      within(ours)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      '2Staff laptops go home locked. (for staff only)',
      'Ask the office if unsure.',
      '3Chargers stay in school.',
    ]);

    // The policy is for staff: a clause for governors would be read by nobody.
    type('## Oakfield: our own rules\n1. [governors] Governors use the board portal.');
    fireEvent.click(
      within(own).getByRole('button', { name: 'Preview the text Oakfield Primary School signs' }),
    );
    await within(own).findByText(/“governors” on clause 1/);
    // Not an audience key at all: said in the tab, before anything is sent.
    const sent = running.requests.length;
    type('## Oakfield: our own rules\n1. [Staff Room] Keep it tidy.');
    fireEvent.click(
      within(own).getByRole('button', { name: 'Publish Oakfield Primary School’s clauses' }),
    );
    await within(own).findByText(
      'Line 2: “Staff Room” is not an audience key (lower-case letters, digits and hyphens, as the school’s settings name them).',
    );
    expect(running.requests.length).toBe(sent);
  });
});
