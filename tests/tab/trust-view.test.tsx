// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import TrustView from '../../teams-app/src/views/trust/trust-view.tsx';
import { startTabApi, type TabApi } from './tab-api.ts';
import { renderInTheme, sessionFor } from './render-view.tsx';

afterEach(cleanup);

let running: TabApi | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('Schools side by side (the trust view)', () => {
  it('the trust lead sees each school’s policy per audience, counted by status', async () => {
    running = await startTabApi({ now: new Date('2026-03-10T10:30:00.000Z') });
    await running.seedSignature('staff', '2026-03-09T08:15:00.000Z');
    renderInTheme(<TrustView session={sessionFor(running, 'governor')} />);
    const heading = await screen.findByRole('heading', { name: 'Oakfield Learning Trust' });
    expect(heading.textContent).toBe('Oakfield Learning Trust');
    const school = screen.getByRole('region', { name: 'Oakfield Primary School' });
    const table = within(school).getByRole('table', {
      name: 'Oakfield Primary School: Staff Acceptable Use Policy',
    });
    const header = within(table)
      .getAllByRole('columnheader')
      .map((c) => c.textContent);
    expect(header).toEqual([
      'Audience',
      'Signed',
      'Due',
      'Overdue',
      'Awaiting approval',
      'Rejected',
      'Not required',
    ]);
    // Sam (staff) signed and waits for the head's approval; the governor has not signed.
    const staff = within(table).getByRole('row', { name: /^Staff/ });
    const cells = within(staff)
      .getAllByRole('cell')
      .map((c) => c.textContent);
    expect(cells[0]).toBe('Staff');
    expect(cells[4]).toBe('1');
    const everyone = within(table).getByRole('row', { name: /^Everyone/ });
    const total = within(everyone)
      .getAllByRole('cell')
      .slice(1)
      .reduce((sum, c) => sum + Number(c.textContent), 0);
    expect(within(everyone).getAllByRole('cell')[0]?.textContent).toBe(`Everyone (${total})`);
  });

  it('the trust lead asks for a school’s evidence pack from the view; a failure says why', async () => {
    // The PDF itself is proved in the production composition (production-two-schools.test.ts);
    // this test API makes no PDFs (503), so the view's request and its error are what is seen.
    running = await startTabApi({ now: new Date('2026-03-10T10:30:00.000Z') });
    renderInTheme(<TrustView session={sessionFor(running, 'governor')} />);
    const button = await screen.findByRole('button', {
      name: "Download Oakfield Primary School's evidence pack for Staff Acceptable Use Policy",
    });
    fireEvent.click(button);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The evidence pack could not be made');
    expect(alert.textContent).toContain('This service cannot make evidence packs.');
    expect(running.requests.at(-1)).toEqual({
      method: 'GET',
      path: '/api/trust/schools/school-1/policies/staff-aup/evidence.pdf',
    });
  });

  it('a member of staff is told they may not see it', async () => {
    running = await startTabApi({ now: new Date('2026-03-10T10:30:00.000Z') });
    renderInTheme(<TrustView session={sessionFor(running, 'staff')} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The schools could not be loaded');
  });
});
