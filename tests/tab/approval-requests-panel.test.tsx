// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import AdminView from '../../teams-app/src/views/admin/admin-view.tsx';
import { startTabApi, type TabApi } from './tab-api.ts';
import { renderInTheme, sessionFor } from './render-view.tsx';

afterEach(cleanup);

let running: TabApi | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

// The connector's answer to a person who blocked the bot (connector-emulator.ts cites Microsoft).
const BLOCKED = '403 ConversationBlockedByUser: User blocked the conversation with the bot.';

/**
 * Four signatures waiting for the head's decision, one of each kind: Sam's card could not reach
 * her (she blocked the app), Dana's reached her, Grace's is still queued, and the head's own
 * has nobody to approve it (the settings name no approver for the approvers).
 */
async function fourWaiting(): Promise<{ api: TabApi; samAck: string }> {
  running = await startTabApi({ now: new Date('2026-03-10T10:30:00.000Z') });
  const api = running;
  const sam = await api.seedSignature('staff', '2026-01-10T09:00:00.000Z');
  expect(await api.settleApprovalCards({ failed: BLOCKED })).toBe(1);
  await api.seedSignature('dsl', '2026-01-11T09:00:00.000Z');
  expect(await api.settleApprovalCards('sent')).toBe(1);
  await api.seedSignature('governor', '2026-01-12T09:00:00.000Z');
  await api.seedSignature('head', '2026-01-13T09:00:00.000Z');
  return { api, samAck: sam.id };
}

async function openApprovalRequests(api: TabApi) {
  renderInTheme(<AdminView session={sessionFor(api, 'dsl')} />);
  fireEvent.click(screen.getByRole('button', { name: 'Approval requests' }));
  return screen.findByRole('list', { name: 'Signatures waiting for approval' });
}

function itemTexts(list: HTMLElement): string[] {
  return within(list)
    .getAllByRole('heading', { level: 3 })
    .map((h) => h.textContent);
}

describe('Admin › Approval requests', () => {
  it('shows each waiting signature in words, not reached first, with the reason in plain words', async () => {
    const { api } = await fourWaiting();
    const list = await openApprovalRequests(api);
    expect(itemTexts(list)).toEqual([
      'Sam Patel: Staff Acceptable Use Policy, version 1 (Spring 2026)',
      'Emma Bonnin: Staff Acceptable Use Policy, version 1 (Spring 2026)',
      'Grace Okafor: Staff Acceptable Use Policy, version 1 (Spring 2026)',
      'Dana Lee: Staff Acceptable Use Policy, version 1 (Spring 2026)',
    ]);
    expect(
      screen.getByText(
        '4 waiting for approval: 1 not reached · 1 nobody can approve · 1 waiting to send · 1 card sent.',
      ),
    ).toBeInstanceOf(HTMLElement);

    const sam = within(list).getByRole('listitem', { name: /^Sam Patel:/ });
    expect(within(sam).getByText('Not reached')).toBeInstanceOf(HTMLElement);
    expect(sam.textContent).toContain('Signed 10 January 2026, 09:00 GMT');
    expect(sam.textContent).toContain(
      'Approver not reached: the card could not be delivered to Emma Bonnin (they have blocked the Countersign app in Teams). Resend it, or tell them to open Approvals in the tab.',
    );
    const approvers = within(sam).getByRole('list', { name: 'Approvers of Sam Patel’s signature' });
    expect(approvers.textContent).toBe(
      `Emma Bonnin: not reached (they have blocked the Countersign app in Teams) Teams said: “${BLOCKED}”`,
    );
    expect(
      within(sam).getByRole('button', {
        name: 'Resend the approval card for Sam Patel’s signature',
      }),
    ).toBeInstanceOf(HTMLElement);

    const dana = within(list).getByRole('listitem', { name: /^Dana Lee:/ });
    expect(within(dana).getByText('Card sent')).toBeInstanceOf(HTMLElement);
    expect(dana.textContent).toContain('Approver asked: the card reached Emma Bonnin.');
    expect(within(dana).queryByRole('button')).toBeNull();

    const grace = within(list).getByRole('listitem', { name: /^Grace Okafor:/ });
    expect(within(grace).getByText('Waiting to send')).toBeInstanceOf(HTMLElement);
    expect(grace.textContent).toContain('Waiting to be sent to the approver.');
    expect(within(grace).getByRole('list').textContent).toBe('Emma Bonnin: waiting to send');
    expect(within(grace).queryByRole('button')).toBeNull();

    const emma = within(list).getByRole('listitem', { name: /^Emma Bonnin:/ });
    expect(within(emma).getByText('Nobody can approve')).toBeInstanceOf(HTMLElement);
    expect(emma.textContent).toContain(
      'Nobody can approve this signature: name an approver in the school’s settings.',
    );
  });

  it('Resend asks the API, says what it did, moves focus there and updates the row', async () => {
    const { api, samAck } = await fourWaiting();
    const list = await openApprovalRequests(api);
    const sam = within(list).getByRole('listitem', { name: /^Sam Patel:/ });
    await act(async () => {
      fireEvent.click(within(sam).getByRole('button', { name: /^Resend/ }));
      await Promise.resolve();
    });
    const said = await within(sam).findByText(
      'Sent again to Emma Bonnin: the card is queued and goes within a few minutes.',
    );
    expect(api.requests).toContainEqual({
      method: 'POST',
      path: `/api/admin/approval-requests/${encodeURIComponent(samAck)}/resend`,
    });
    // The row is read again: the resend is queued, so it waits to send and offers no second press.
    await waitFor(() =>
      expect(within(sam).getByText('Waiting to send')).toBeInstanceOf(HTMLElement),
    );
    expect(within(sam).queryByRole('button', { name: /^Resend/ })).toBeNull();
    expect(within(sam).getByRole('list').textContent).toBe('Emma Bonnin: waiting to send');
    expect(document.activeElement?.contains(said)).toBe(true);
    expect(
      screen.getByText(
        '4 waiting for approval: 1 nobody can approve · 2 waiting to send · 1 card sent.',
      ),
    ).toBeInstanceOf(HTMLElement);
    // Two requests for the list: the first read and the one after the resend.
    expect(api.requests.filter((r) => r.path === '/api/admin/approval-requests').length).toBe(2);
  });

  it('a signature decided meanwhile: Resend says so above the list, and its row goes', async () => {
    const { api } = await fourWaiting();
    const list = await openApprovalRequests(api);
    const sam = within(list).getByRole('listitem', { name: /^Sam Patel:/ });
    // The head approves Sam's signature in her Approvals view while the admin looks.
    const [pending] = (await sessionFor(api, 'head').api.pendingApprovals()).filter(
      (p) => p.acknowledgement.userId === 'u-staff',
    );
    if (pending === undefined) throw new Error('Sam’s signature is not pending');
    await sessionFor(api, 'head').api.decide(pending.acknowledgement.id, { decision: 'approved' });
    await act(async () => {
      fireEvent.click(within(sam).getByRole('button', { name: /^Resend/ }));
      await Promise.resolve();
    });
    const words =
      'This signature is no longer waiting for approval: it was decided or signed again.';
    await waitFor(() =>
      expect(
        itemTexts(screen.getByRole('list', { name: 'Signatures waiting for approval' })),
      ).toEqual([
        'Emma Bonnin: Staff Acceptable Use Policy, version 1 (Spring 2026)',
        'Grace Okafor: Staff Acceptable Use Policy, version 1 (Spring 2026)',
        'Dana Lee: Staff Acceptable Use Policy, version 1 (Spring 2026)',
      ]),
    );
    // Said once, above the list (its row is gone), and focused there.
    const said = screen.getByText(words);
    expect(said.closest('li')).toBeNull();
    await waitFor(() => expect(document.activeElement?.contains(said)).toBe(true));
  });

  it('says so when nothing waits for approval', async () => {
    running = await startTabApi({ now: new Date('2026-03-10T10:30:00.000Z') });
    renderInTheme(<AdminView session={sessionFor(running, 'dsl')} />);
    fireEvent.click(screen.getByRole('button', { name: 'Approval requests' }));
    expect(await screen.findByText('No signature is waiting for approval.')).toBeInstanceOf(
      HTMLElement,
    );
  });
});
