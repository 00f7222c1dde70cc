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
    });
    expect(dialog.textContent).toContain('Master version 1 (2026-27) becomes current again.');
    const lines = await within(dialog).findByRole('list', {
      name: 'What happens at Oakfield Primary School',
    });
    expect(
      within(lines)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      'Version 2 (2026-27 b · Oakfield Primary School) is withdrawn. Version 1 (2026-27 · Oakfield Primary School), on master version 1, becomes current again.',
      'Whoever had signed version 1 is not asked to sign again.',
      'Signatures of version 2 (2026-27 b · Oakfield Primary School) stay in the record; it stays in the history, marked withdrawn.',
    ]);
    // No reason, no withdrawal: the audit log keeps why.
    const confirm = within(dialog).getByRole('button', { name: 'Yes, withdraw master version 2' });
    expect(
      confirm.hasAttribute('disabled') || confirm.getAttribute('aria-disabled') === 'true',
    ).toBe(true);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(button));
    expect(running.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('with a reason the master is withdrawn in every school; the outcome line takes focus', async () => {
    running = await trustWithTwoMasters();
    renderInTheme(<TrustPoliciesPanel api={sessionFor(running, 'governor').api} lead />);
    fireEvent.click(await screen.findByRole('button', { name: 'Withdraw master version 2…' }));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByRole('list', { name: 'What happens at Oakfield Primary School' });
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Why is it withdrawn\?/ }), {
      target: { value: 'Published the wrong draft.' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Yes, withdraw master version 2' }));
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
