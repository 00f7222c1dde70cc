// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import ApprovalsView from '../../teams-app/src/views/approvals/approvals-view.tsx';
import { FakeApi } from './fake-api.ts';
import { renderInTheme, sessionFor } from './render-view.tsx';

afterEach(cleanup);

const NOW = new Date('2026-03-10T10:30:00.000Z');

async function click(element: HTMLElement) {
  await act(async () => {
    fireEvent.click(element);
    await Promise.resolve();
  });
}

function seeded(): FakeApi {
  const fake = new FakeApi({ now: () => NOW });
  fake.seedSignature('staff', 1, '2026-03-09T08:15:00.000Z');
  fake.seedSignature('governor', 1, '2026-03-09T09:00:00.000Z');
  fake.seedSignature('dsl', 1, '2026-03-09T09:30:00.000Z');
  return fake;
}

describe('Approvals', () => {
  it('lists pending signers with their role, approves one with permissions', async () => {
    const fake = seeded();
    renderInTheme(<ApprovalsView session={sessionFor(fake, 'head')} />);
    const sam = (await screen.findByRole('heading', { name: 'Sam Patel' })).closest('li');
    if (sam === null) throw new Error('no card');
    expect(within(sam).getByText('Teacher')).toBeInstanceOf(HTMLElement);
    expect(within(sam).getByText(/9 March 2026 at 08:15/)).toBeInstanceOf(HTMLElement);
    fireEvent.change(within(sam).getByRole('textbox', { name: /Additional permissions/ }), {
      target: { value: 'MIS admin, MIS admin, Finance' },
    });
    await click(within(sam).getByRole('button', { name: 'Approve Sam Patel' }));
    await screen.findByText('Sam Patel: approved.');
    expect(fake.approvals.find((a) => a.userId === 'u-staff')).toMatchObject({
      decision: 'approved',
      approverId: 'u-head',
      additionalPermissions: ['MIS admin', 'Finance'],
    });
    expect(screen.queryByRole('heading', { name: 'Sam Patel' })).toBeNull();
  });

  it('shows the typed name beside the account, and warns when it is someone else’s', async () => {
    const fake = new FakeApi({ now: () => NOW });
    fake.seedSignature('staff', 1, '2026-03-09T08:15:00.000Z', 'Mr S. Patel');
    // Grace signs, typing a colleague's name.
    fake.seedSignature('governor', 1, '2026-03-09T09:00:00.000Z', 'Dana Lee');
    renderInTheme(<ApprovalsView session={sessionFor(fake, 'head')} />);
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
    const fake = seeded();
    renderInTheme(<ApprovalsView session={sessionFor(fake, 'head')} />);
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
    expect(fake.approvals.find((a) => a.userId === 'u-governor')).toMatchObject({
      decision: 'rejected',
      comment: 'Not a governor of this school',
    });
  });

  it('approves several at once', async () => {
    const fake = seeded();
    renderInTheme(<ApprovalsView session={sessionFor(fake, 'head')} />);
    await screen.findByRole('heading', { name: 'Sam Patel' });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select Sam Patel' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select Dana Lee' }));
    await click(screen.getByRole('button', { name: 'Approve selected (2)' }));
    await screen.findByText('Approved 2.');
    expect(
      fake.approvals
        .filter((a) => a.decision === 'approved')
        .map((a) => a.userId)
        .sort(),
    ).toEqual(['u-dsl', 'u-staff']);
    expect(screen.getByRole('heading', { name: 'Grace Okafor' })).toBeInstanceOf(HTMLElement);
  });
});
