// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import ApprovalsView from '../../teams-app/src/views/approvals/approvals-view.tsx';
import { MyAupView } from '../../teams-app/src/views/my-aup/my-aup-view.tsx';
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

async function click(element: HTMLElement) {
  await act(async () => {
    fireEvent.click(element);
    await Promise.resolve();
  });
}

async function seeded(): Promise<TabApi> {
  const api = await start();
  await api.seedSignature('staff', '2026-03-09T08:15:00.000Z');
  await api.seedSignature('governor', '2026-03-09T09:00:00.000Z');
  await api.seedSignature('dsl', '2026-03-09T09:30:00.000Z');
  return api;
}

describe('Approvals', () => {
  it('lists pending signers with their role, approves one with permissions', async () => {
    const api = await seeded();
    renderInTheme(<ApprovalsView session={sessionFor(api, 'head')} />);
    const sam = (await screen.findByRole('heading', { name: 'Sam Patel' })).closest('li');
    if (sam === null) throw new Error('no card');
    expect(within(sam).getByText('Teacher')).toBeInstanceOf(HTMLElement);
    expect(within(sam).getByText(/9 March 2026 at 08:15/)).toBeInstanceOf(HTMLElement);
    // The school's list, as the approval card offers it (the service's default list here),
    // and free text for anything else.
    const choices = within(sam).getByRole('group', {
      name: 'Additional permissions for Sam Patel (optional)',
    });
    const remote = await within(choices).findByRole('checkbox', { name: 'Remote access' });
    expect(within(choices).getAllByRole('checkbox')).toHaveLength(3);
    await click(remote);
    fireEvent.change(within(sam).getByRole('textbox', { name: /Other permissions/ }), {
      target: { value: 'MIS admin, MIS admin, remote access' },
    });
    await click(within(sam).getByRole('button', { name: 'Approve Sam Patel' }));
    await screen.findByText('Sam Patel: approved.');
    expect((await api.approvals()).find((a) => a.userId === 'u-staff')).toMatchObject({
      decision: 'approved',
      approverId: 'u-head',
      additionalPermissions: ['Remote access', 'MIS admin'],
    });
    // The list reloads after the decision.
    await waitFor(() => expect(screen.queryByRole('heading', { name: 'Sam Patel' })).toBeNull());
  });

  it('the permissions the head approved with are on the signer’s receipt', async () => {
    const api = await seeded();
    renderInTheme(<ApprovalsView session={sessionFor(api, 'head')} />);
    const sam = (await screen.findByRole('heading', { name: 'Sam Patel' })).closest('li');
    if (sam === null) throw new Error('no card');
    const choices = within(sam).getByRole('group', {
      name: 'Additional permissions for Sam Patel (optional)',
    });
    await click(await within(choices).findByRole('checkbox', { name: 'Remote access' }));
    fireEvent.change(within(sam).getByRole('textbox', { name: /Other permissions/ }), {
      target: { value: 'Door entry fob' },
    });
    await click(within(sam).getByRole('button', { name: 'Approve Sam Patel' }));
    await screen.findByText('Sam Patel: approved.');
    cleanup();

    renderInTheme(<MyAupView session={sessionFor(api, 'staff')} />);
    const receipt = await screen.findByRole('region', { name: 'Your receipt' });
    const term = within(receipt).getByText('Additional permissions');
    expect(term.nextElementSibling?.textContent).toBe('Remote access, Door entry fob');
  });

  it('shows the typed name beside the account, and warns when it is someone else’s', async () => {
    const api = await start();
    await api.seedSignature('staff', '2026-03-09T08:15:00.000Z', 'Mr S. Patel');
    // Grace signs, typing a colleague's name.
    await api.seedSignature('governor', '2026-03-09T09:00:00.000Z', 'Dana Lee');
    renderInTheme(<ApprovalsView session={sessionFor(api, 'head')} />);
    const grace = (await screen.findByRole('heading', { name: 'Grace Okafor' })).closest('li');
    const sam = screen.getByRole('heading', { name: 'Sam Patel' }).closest('li');
    if (grace === null || sam === null) throw new Error('no card');
    expect(
      within(grace).getByText(
        'Typed: Dana Lee · Account: Grace Okafor (grace.okafor@school.example)',
      ),
    ).toBeInstanceOf(HTMLElement);
    expect(within(grace).getByText('Typed name differs from the account name')).toBeInstanceOf(
      HTMLElement,
    );
    expect(
      within(grace).getByText(/Check that Grace Okafor signed this themselves/),
    ).toBeInstanceOf(HTMLElement);
    // An initial and a title: the same person, so no warning.
    expect(
      within(sam).getByText('Typed: Mr S. Patel · Account: Sam Patel (sam.patel@school.example)'),
    ).toBeInstanceOf(HTMLElement);
    expect(within(sam).queryByText('Typed name differs from the account name')).toBeNull();

    // Selecting for a bulk approval says a selected signer is flagged.
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all (2)' }));
    const bulk = screen.getByRole('group', { name: 'Approve several at once' });
    expect(
      within(bulk).getByText(
        '1 selected signer typed a name that differs from their account name.',
      ),
    ).toBeInstanceOf(HTMLElement);
  });

  it('rejects only with a reason', async () => {
    const api = await seeded();
    renderInTheme(<ApprovalsView session={sessionFor(api, 'head')} />);
    const grace = (await screen.findByRole('heading', { name: 'Grace Okafor' })).closest('li');
    if (grace === null) throw new Error('no card');
    await click(within(grace).getByRole('button', { name: 'Reject…' }));
    const reject = within(grace).getByRole('button', { name: 'Reject Grace Okafor' });
    expect(reject).toHaveProperty('disabled', true);
    fireEvent.change(within(grace).getByRole('textbox', { name: /Reason/ }), {
      target: { value: 'Not a governor of this school' },
    });
    await click(reject);
    await screen.findByText('Grace Okafor: not approved.');
    expect((await api.approvals()).find((a) => a.userId === 'u-governor')).toMatchObject({
      decision: 'rejected',
      comment: 'Not a governor of this school',
    });
  });

  it('approves several at once', async () => {
    const api = await seeded();
    renderInTheme(<ApprovalsView session={sessionFor(api, 'head')} />);
    await screen.findByRole('heading', { name: 'Sam Patel' });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select Sam Patel' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select Dana Lee' }));
    await click(screen.getByRole('button', { name: 'Approve selected (2)' }));
    await screen.findByText('Approved 2.');
    expect(
      (await api.approvals())
        .filter((a) => a.decision === 'approved')
        .map((a) => a.userId)
        .sort(),
    ).toEqual(['u-dsl', 'u-staff']);
    expect(screen.getByRole('heading', { name: 'Grace Okafor' })).toBeInstanceOf(HTMLElement);
  });

  it('never approves in bulk a signer whose reject form is open', async () => {
    const api = await seeded();
    renderInTheme(<ApprovalsView session={sessionFor(api, 'head')} />);
    const grace = (await screen.findByRole('heading', { name: 'Grace Okafor' })).closest('li');
    if (grace === null) throw new Error('no card');
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all (3)' }));
    // The head starts rejecting Grace, then approves "all selected".
    await click(within(grace).getByRole('button', { name: 'Reject…' }));
    expect(within(grace).getByRole('checkbox', { name: 'Select Grace Okafor' })).toHaveProperty(
      'disabled',
      true,
    );
    await click(screen.getByRole('button', { name: 'Approve selected (2)' }));
    await screen.findByText('Approved 2.');
    const decisions = await api.approvals();
    expect(decisions.find((a) => a.userId === 'u-governor')?.decision).toBe('pending');
    expect(
      decisions
        .filter((a) => a.decision === 'approved')
        .map((a) => a.userId)
        .sort(),
    ).toEqual(['u-dsl', 'u-staff']);
  });
});
