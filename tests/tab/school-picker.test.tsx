// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppShell } from '../../teams-app/src/app/app-shell.tsx';
import {
  chooseSchool,
  SCHOOL_STORAGE_KEY,
  startSession,
  type Session,
} from '../../teams-app/src/app/session.ts';
import { renderInTheme } from './render-view.tsx';

// The school picker (issue 14): someone in several schools of a trust chooses which school the
// tab shows; every request then names it (`?school=`), and the choice is kept for the session.
// The API is a small stand-in that answers as the service does for a person in Hazel Lane and
// Kingsmead (the service's own side of `?school=` is proven in tests/server/production-two-schools
// and production-trust-cards).

const SCHOOLS = [
  { id: 'hazel-lane', name: 'Hazel Lane Infant School', roles: [] },
  { id: 'kingsmead', name: 'Kingsmead Primary School', roles: ['Policy.Admin'] },
];

let requests: string[] = [];

/** The API as the service answers one person: `schools` are theirs, the first the default. */
function fakeApi(schools: typeof SCHOOLS) {
  return (input: RequestInfo | URL): Promise<Response> => {
    const url = new URL(
      typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      'http://tab.test',
    );
    requests.push(`${url.pathname}${url.search}`);
    const named = url.searchParams.get('school');
    const served = named ?? schools[0]?.id;
    const school = schools.find((s) => s.id === served);
    if (school === undefined) {
      return Promise.resolve(
        Response.json(
          {
            type: 'about:blank',
            title: 'Forbidden',
            status: 403,
            code: 'forbidden',
            detail: 'You are not a member of that school.',
            details: { reason: 'not-in-school', school: named },
          },
          { status: 403, headers: { 'content-type': 'application/problem+json' } },
        ),
      );
    }
    if (url.pathname === '/api/me') {
      return Promise.resolve(
        Response.json({
          id: 'u-both',
          displayName: 'Priya Shah',
          upn: 'priya.shah@northfield-trust.example',
          roles: school.roles,
          school: school.id,
          schools,
        }),
      );
    }
    return Promise.resolve(Response.json([]));
  };
}

const tokens = { kind: 'dev' as const, getToken: () => Promise.resolve('token') };

/** The shell as Bootstrap holds it: a session, replaced when a school is chosen. */
function Tab({ initial }: { initial: Session }) {
  const [session, setSession] = useState(initial);
  return (
    <AppShell
      session={session}
      onChooseSchool={async (current, school) => setSession(await chooseSchool(current, school))}
    />
  );
}

beforeEach(() => {
  requests = [];
  window.sessionStorage.clear();
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.sessionStorage.clear();
});

describe('the school picker', () => {
  it('someone in two schools picks one: every request names it, and the choice is kept', async () => {
    vi.stubGlobal('fetch', fakeApi(SCHOOLS));
    const session = await startSession(tokens);
    expect(session.me.school).toBe('hazel-lane');
    renderInTheme(<Tab initial={session} />);
    const picker = screen.getByRole('combobox', { name: 'School' });
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'School' }).value).toBe(
      'hazel-lane',
    );
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Hazel Lane Infant School',
      'Kingsmead Primary School',
    ]);
    // No Admin view at Hazel Lane, where she holds no role.
    expect(screen.queryByRole('button', { name: 'Admin' })).toBeNull();

    // Hazel Lane's view has read what it shows (its requests name no school: the default).
    await waitFor(() =>
      expect(requests).toEqual(expect.arrayContaining(['/api/me/policies', '/api/me/history'])),
    );
    requests = [];
    fireEvent.change(picker, { target: { value: 'kingsmead' } });
    // Kingsmead's roles: her Admin view appears, and the views read again, from Kingsmead.
    await screen.findByRole('button', { name: 'Admin' });
    await waitFor(() =>
      expect(requests).toEqual(
        expect.arrayContaining([
          '/api/me?school=kingsmead',
          '/api/me/policies?school=kingsmead',
          '/api/me/history?school=kingsmead',
        ]),
      ),
    );
    for (const request of requests) expect(request).toMatch(/[?&]school=kingsmead(&|$)/);
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'School' }).value).toBe(
      'kingsmead',
    );
    expect(window.sessionStorage.getItem(SCHOOL_STORAGE_KEY)).toBe('kingsmead');

    // The tab opened again in this session starts in Kingsmead.
    cleanup();
    requests = [];
    const again = await startSession(tokens);
    expect(again.me.school).toBe('kingsmead');
    expect(requests).toEqual(['/api/me?school=kingsmead']);
  });

  it('is not shown to someone in one school, whose requests name none', async () => {
    vi.stubGlobal('fetch', fakeApi(SCHOOLS.slice(0, 1)));
    const session = await startSession(tokens);
    renderInTheme(<Tab initial={session} />);
    await waitFor(() =>
      expect(requests).toEqual(expect.arrayContaining(['/api/me/policies', '/api/me/history'])),
    );
    expect(screen.queryByRole('combobox', { name: 'School' })).toBeNull();
    for (const request of requests) expect(request).not.toContain('school=');
  });

  it('a remembered school that is not theirs is forgotten, and the default serves them', async () => {
    window.sessionStorage.setItem(SCHOOL_STORAGE_KEY, 'northfield-academy');
    vi.stubGlobal('fetch', fakeApi(SCHOOLS));
    const session = await startSession(tokens);
    expect(requests).toEqual(['/api/me?school=northfield-academy', '/api/me']);
    expect(session.me.school).toBe('hazel-lane');
    expect(window.sessionStorage.getItem(SCHOOL_STORAGE_KEY)).toBeNull();
  });

  it('a deep link’s school (the card’s) serves them when it is theirs, and is passed over when not', async () => {
    vi.stubGlobal('fetch', fakeApi(SCHOOLS));
    const linked = await startSession(tokens, 'kingsmead');
    expect(linked.me.school).toBe('kingsmead');
    expect(requests).toEqual(['/api/me?school=kingsmead']);
    expect(window.sessionStorage.getItem(SCHOOL_STORAGE_KEY)).toBe('kingsmead');

    requests = [];
    window.sessionStorage.clear();
    const notHers = await startSession(tokens, 'northfield-academy');
    expect(requests).toEqual(['/api/me?school=northfield-academy', '/api/me']);
    expect(notHers.me.school).toBe('hazel-lane');
  });

  it('says so when the school cannot be switched to, and stays where it was', async () => {
    vi.stubGlobal('fetch', fakeApi(SCHOOLS));
    const session = await startSession(tokens);
    renderInTheme(<Tab initial={session} />);
    const picker = screen.getByRole('combobox', { name: 'School' });
    // Her membership of Kingsmead ended since the tab opened: the service refuses it.
    vi.stubGlobal('fetch', fakeApi(SCHOOLS.slice(0, 1)));
    fireEvent.change(picker, { target: { value: 'kingsmead' } });
    expect(await screen.findByText('You are not a member of that school.')).toBeInstanceOf(
      HTMLElement,
    );
    expect(window.sessionStorage.getItem(SCHOOL_STORAGE_KEY)).toBeNull();
  });
});
