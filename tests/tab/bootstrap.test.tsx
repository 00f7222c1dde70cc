// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Bootstrap } from '../../teams-app/src/app/bootstrap.tsx';
import { schoolTimeZone, setSchoolTimeZone } from '../../teams-app/src/ui/school-time.ts';
import { startTabApi, type TabApi } from './tab-api.ts';
import './render-view.tsx'; // jsdom shims and the async timeout the other tab tests use

const NOW = new Date('2026-03-10T10:30:00.000Z');

let api: TabApi | undefined;

/**
 * The whole tab in a browser (dev mode), with /config.json as given and the real API: the tab
 * signs in through the dev identity provider's /dev/token, as `npm start` does.
 */
async function startTab(config: object) {
  const running = await startTabApi({ now: NOW });
  api = running;
  // 23:30 UTC on 9 March: still the 9th in London (GMT), already 10:30 on the 10th in Sydney.
  await running.seedSignature('staff', '2026-03-09T23:30:00.000Z');
  vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url === '/config.json') return Promise.resolve(Response.json(config));
    return running.fetch(input, init);
  });
  render(<Bootstrap />);
}

beforeEach(() => {
  window.history.replaceState(null, '', '/?user=staff');
});

afterEach(async () => {
  cleanup();
  vi.unstubAllGlobals();
  await api?.close();
  api = undefined;
  setSchoolTimeZone(undefined);
  window.history.replaceState(null, '', '/');
});

describe('the school’s time zone from /config.json', () => {
  it('shows dates in the zone the service names', async () => {
    await startTab({ mode: 'dev', timeZone: 'Australia/Sydney' });
    const history = await screen.findByRole('region', { name: 'My history' });
    expect(within(history).getByText(/Signed 10 March 2026 at 10:30\./)).toBeInstanceOf(
      HTMLElement,
    );
    expect(schoolTimeZone()).toBe('Australia/Sydney');
  });

  it('keeps to Europe/London when the service names none', async () => {
    await startTab({ mode: 'dev' });
    const history = await screen.findByRole('region', { name: 'My history' });
    expect(within(history).getByText(/Signed 9 March 2026 at 23:30\./)).toBeInstanceOf(HTMLElement);
    expect(schoolTimeZone()).toBe('Europe/London');
  });

  it('will not start on a zone it does not know rather than show the wrong times', async () => {
    await startTab({ mode: 'dev', timeZone: 'Europe/Atlantis' });
    expect(await screen.findByText('Countersign could not start')).toBeInstanceOf(HTMLElement);
    expect(screen.getByText(/timeZone is not an IANA time zone/)).toBeInstanceOf(HTMLElement);
    expect(screen.queryByRole('region', { name: 'My history' })).toBeNull();
  });
});
