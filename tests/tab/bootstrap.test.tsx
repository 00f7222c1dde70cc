// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Bootstrap } from '../../teams-app/src/app/bootstrap.tsx';
import { schoolTimeZone, setSchoolTimeZone } from '../../teams-app/src/ui/school-time.ts';
import { FakeApi } from './fake-api.ts';
import './render-view.tsx'; // jsdom shims and the async timeout the other tab tests use

const NOW = new Date('2026-03-10T10:30:00.000Z');

// The dev identity provider hands out JWTs (the tab reads their expiry); the fake API knows its
// users by "fake.<key>" tokens, so the stub swaps one for the other.
const JWT = `e30.${btoa(JSON.stringify({ exp: 4_102_444_800 }))}.sig`;

/** The whole tab in a browser (dev mode), with /config.json as given and the fake API. */
function startTab(config: object) {
  const fake = new FakeApi({ now: () => NOW });
  // 23:30 UTC on 9 March: still the 9th in London (GMT), already 10:30 on the 10th in Sydney.
  fake.seedSignature('staff', 1, '2026-03-09T23:30:00.000Z');
  vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url === '/config.json') return Promise.resolve(Response.json(config));
    if (url === '/dev/token') return Promise.resolve(Response.json({ accessToken: JWT }));
    const headers = new Headers(init?.headers);
    if (headers.get('authorization') === `Bearer ${JWT}`) {
      headers.set('authorization', 'Bearer fake.staff');
    }
    return fake.jsdomFetch(input, { ...init, headers });
  });
  render(<Bootstrap />);
}

beforeEach(() => {
  window.history.replaceState(null, '', '/?user=staff');
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  setSchoolTimeZone(undefined);
  window.history.replaceState(null, '', '/');
});

describe('the school’s time zone from /config.json', () => {
  it('shows dates in the zone the service names', async () => {
    startTab({ mode: 'dev', timeZone: 'Australia/Sydney' });
    const history = await screen.findByRole('region', { name: 'My history' });
    expect(within(history).getByText(/Signed 10 March 2026 at 10:30\./)).toBeInstanceOf(
      HTMLElement,
    );
    expect(schoolTimeZone()).toBe('Australia/Sydney');
  });

  it('keeps to Europe/London when the service names none', async () => {
    startTab({ mode: 'dev' });
    const history = await screen.findByRole('region', { name: 'My history' });
    expect(within(history).getByText(/Signed 9 March 2026 at 23:30\./)).toBeInstanceOf(HTMLElement);
    expect(schoolTimeZone()).toBe('Europe/London');
  });

  it('will not start on a zone it does not know rather than show the wrong times', async () => {
    startTab({ mode: 'dev', timeZone: 'Europe/Atlantis' });
    expect(await screen.findByText('Countersign could not start')).toBeInstanceOf(HTMLElement);
    expect(screen.getByText(/timeZone is not an IANA time zone/)).toBeInstanceOf(HTMLElement);
    expect(screen.queryByRole('region', { name: 'My history' })).toBeNull();
  });
});
