// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import * as AC from 'adaptivecards';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { approvalRequestCard } from '../../src/bot/cards/approval-request-card.ts';
import { readTabSubPageId, tabDeepLink } from '../../src/domain/tab-deep-link.ts';
import { buildTeamsManifest } from '../../src/packaging/teams-manifest.ts';
import { Bootstrap } from '../../teams-app/src/app/bootstrap.tsx';
import { setSchoolTimeZone } from '../../teams-app/src/ui/school-time.ts';
import { cardProblems } from '../bot/validate-card.ts';
import { startTabApi, type TabApi, type TabUserKey } from './tab-api.ts';
import './render-view.tsx'; // jsdom shims and the async timeout the other tab tests use

/**
 * The head's approval card links to Admin › Approval requests (issue 13): the card's JSON, parsed
 * by the adaptivecards library, carries a Teams deep link to the manifest's tab with the page in
 * its context; Teams gives that page to the tab as `page.subPageId` (teams-js mocked here as the
 * Teams host would answer), and the whole tab, signed in against the real API, opens on the
 * page the person's roles allow.
 */

const teams = vi.hoisted(() => ({ subPageId: undefined as string | undefined, user: 'dsl' }));

vi.mock('@microsoft/teams-js', () => ({
  app: {
    initialize: () => Promise.resolve(),
    getContext: () =>
      Promise.resolve({
        app: { theme: 'default' },
        page: { id: 'my-aup', subPageId: teams.subPageId },
        user: { loginHint: 'dana.lee@school.example', tenant: { id: 'tenant-1' } },
      }),
    registerOnThemeChangeHandler: () => undefined,
  },
  authentication: { getAuthToken: () => Promise.reject(new Error('not used')) },
  nestedAppAuth: { isNAAChannelRecommended: () => true },
}));
vi.mock('../../teams-app/src/auth/msal-naa.ts', () => ({}));

let api: TabApi | undefined;
// Teams' own sign-in (NAA) is not what this tests: the token is the dev identity provider's.
vi.mock('../../teams-app/src/auth/choose-token-source.ts', () => ({
  chooseTeamsTokenSource: () => {
    const running = api;
    if (running === undefined) throw new Error('the API is not running');
    return Promise.resolve({
      kind: 'naa',
      getToken: () => running.token(teams.user as TabUserKey),
    });
  },
}));

const APP_ID = '3f2b8c1e-6d4a-4f7e-9b21-0c5d8e7a1f42';
const MANIFEST = buildTeamsManifest({
  teamsAppId: APP_ID,
  clientId: '6a0f2d3c-1b2e-4c5d-8e9f-0a1b2c3d4e5f',
  publicUrl: 'https://countersign.school.example',
});

/** The card the head gets for Sam's signature, drawn as the sender draws it. */
function headsCard(schoolId?: string): unknown {
  return approvalRequestCard(
    {
      acknowledgement: {
        id: 'ack-1',
        displayName: 'Sam Patel',
        upn: 'sam.patel@school.example',
        typedName: 'Sam Patel',
        statedRole: 'Class teacher',
        signedAt: '2026-03-10T09:00:00.000Z',
        versionNumber: 1,
      },
      policy: { title: 'Staff Acceptable Use Policy' },
      version: { label: 'Spring 2026' },
    },
    { appId: APP_ID, timeZone: 'Europe/London', ...(schoolId === undefined ? {} : { schoolId }) },
  );
}

/** The Action.OpenUrl links of a card, as the adaptivecards library parses them. */
function openUrls(json: unknown): { title: string; url: string }[] {
  const card = new AC.AdaptiveCard();
  card.parse(json, new AC.SerializationContext(AC.Versions.v1_5));
  const links: { title: string; url: string }[] = [];
  for (let i = 0; i < card.getActionCount(); i++) {
    const action = card.getActionAt(i);
    if (action instanceof AC.OpenUrlAction) {
      links.push({ title: action.title ?? '', url: action.url ?? '' });
    }
  }
  return links;
}

/** Opens the tab inside "Teams" as this person, with the subPageId the link's context gave. */
async function openFromLink(user: TabUserKey, link: string): Promise<void> {
  const running = await startTabApi({ now: new Date('2026-03-10T10:30:00.000Z') });
  api = running;
  await running.seedSignature('staff', '2026-03-10T09:00:00.000Z');
  const context = new URL(link).searchParams.get('context');
  teams.subPageId = (JSON.parse(context ?? '{}') as { subEntityId?: string }).subEntityId;
  teams.user = user;
  Object.defineProperty(window, 'parent', { value: {}, configurable: true });
  vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url === '/config.json') return Promise.resolve(Response.json({ mode: 'production' }));
    return running.fetch(input, init);
  });
  render(<Bootstrap />);
}

afterEach(async () => {
  cleanup();
  vi.unstubAllGlobals();
  Object.defineProperty(window, 'parent', { value: window, configurable: true });
  window.sessionStorage.clear();
  await api?.close();
  api = undefined;
  setSchoolTimeZone(undefined);
});

describe('the approval card links to Admin › Approval requests', () => {
  it('carries a deep link to the manifest’s tab with the page in its context, valid to the parser', () => {
    const json = headsCard();
    expect(cardProblems(json)).toEqual([]);
    const link = openUrls(json).find((a) => a.title === 'Open approval requests');
    const [tab] = MANIFEST['staticTabs'] as { entityId: string }[];
    expect(link?.url).toBe(
      `https://teams.microsoft.com/l/entity/${String(MANIFEST['id'])}/${tab?.entityId ?? ''}` +
        `?context=${encodeURIComponent(JSON.stringify({ subEntityId: 'approval-requests' }))}`,
    );
    // A trust's card names its school, so the tab opens in the signer's school.
    const inKingsmead = openUrls(headsCard('kingsmead')).find(
      (a) => a.title === 'Open approval requests',
    );
    const context = new URL(inKingsmead?.url ?? 'https://x').searchParams.get('context');
    const subEntityId = (JSON.parse(context ?? '{}') as { subEntityId: string }).subEntityId;
    expect(readTabSubPageId(subEntityId)).toEqual({
      page: 'approval-requests',
      school: 'kingsmead',
    });
  });

  it('reads only the pages it knows from a subPageId (anyone can write a link)', () => {
    expect(readTabSubPageId('approval-requests')).toEqual({ page: 'approval-requests' });
    expect(readTabSubPageId('settings')).toBeUndefined();
    expect(readTabSubPageId('')).toBeUndefined();
    expect(readTabSubPageId(undefined)).toBeUndefined();
    expect(readTabSubPageId('admin/%E0%A4%A')).toEqual({ page: 'admin' });
    expect(readTabSubPageId(`admin/${'x'.repeat(65)}`)).toEqual({ page: 'admin' });
    expect(tabDeepLink(APP_ID)).toBe(`https://teams.microsoft.com/l/entity/${APP_ID}/my-aup`);
  });

  it('an admin who follows it sees Admin › Approval requests with the signature waiting', async () => {
    const link = openUrls(headsCard()).find((a) => a.title === 'Open approval requests');
    await openFromLink('dsl', link?.url ?? '');
    const list = await screen.findByRole('list', { name: 'Signatures waiting for approval' });
    expect(screen.getByRole('heading', { level: 1, name: 'Admin' })).toBeInstanceOf(HTMLElement);
    expect(screen.getByRole('heading', { level: 2, name: 'Approval requests' })).toBeInstanceOf(
      HTMLElement,
    );
    expect(within(list).getByRole('listitem', { name: /^Sam Patel:/ })).toBeInstanceOf(HTMLElement);
  });

  it('an approver who is not an admin sees their own Approvals instead; staff see My AUP', async () => {
    const link = openUrls(headsCard()).find((a) => a.title === 'Open approval requests');
    await openFromLink('head', link?.url ?? '');
    expect(await screen.findByRole('heading', { level: 1, name: 'Approvals' })).toBeInstanceOf(
      HTMLElement,
    );
    expect(await screen.findByRole('heading', { level: 2, name: 'Sam Patel' })).toBeInstanceOf(
      HTMLElement,
    );
    expect(screen.queryByRole('heading', { name: 'Approval requests' })).toBeNull();
    cleanup();
    await api?.close();

    await openFromLink('staff', link?.url ?? '');
    expect(await screen.findByRole('region', { name: 'My history' })).toBeInstanceOf(HTMLElement);
    expect(screen.queryByRole('heading', { name: 'Approval requests' })).toBeNull();
    expect(screen.queryByRole('heading', { level: 1, name: 'Approvals' })).toBeNull();
  });
});
