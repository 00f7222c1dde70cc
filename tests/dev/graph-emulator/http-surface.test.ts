import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { EMULATOR_AUTHORIZATION } from '../../support/emulator-graph.ts';
import { call, errorCode } from './graph-client.ts';

let emulator: GraphEmulator;

beforeAll(async () => {
  emulator = await startGraphEmulator();
  await call(emulator.url, 'POST', `/sites/${emulator.siteId}/lists`, {
    displayName: 'Visible <List>',
    columns: [{ name: 'Key', text: {} }],
  });
});

afterAll(async () => {
  await emulator.close();
});

describe('the HTTP surface', () => {
  it('by default takes only the dev app token: none, an unknown or a malformed one is 401', async () => {
    expect((await call(emulator.url, 'GET', '/users')).status).toBe(200);
    const none = await fetch(`${emulator.url}/users`);
    expect(none.status).toBe(401);
    const unknown = await call(emulator.url, 'GET', '/users', undefined, {
      Authorization: 'Bearer abc',
    });
    expect(unknown.status).toBe(401);
    expect(errorCode(unknown)).toBe('InvalidAuthenticationToken');
    const refused = await call(emulator.url, 'GET', '/users', undefined, {
      Authorization: 'Basic abc',
    });
    expect(refused.status).toBe(401);
    expect(errorCode(refused)).toBe('InvalidAuthenticationToken');
  });

  it('answers unknown segments, bad JSON and other versions with Graph errors', async () => {
    const unknown = await call(emulator.url, 'GET', '/planner/tasks');
    expect(unknown.status).toBe(400);
    expect(errorCode(unknown)).toBe('BadRequest');
    const badJson = await fetch(`${emulator.url}/sites/${emulator.siteId}/lists`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...EMULATOR_AUTHORIZATION },
      body: '{ not json',
    });
    expect(badJson.status).toBe(400);
    const beta = await fetch(emulator.url.replace('/v1.0', '/beta/users'));
    expect(beta.status).toBe(400);
    const wrongMethod = await call(emulator.url, 'PUT', `/sites/${emulator.siteId}/lists`);
    expect(wrongMethod.status).toBe(405);
  });

  it('echoes client-request-id and shows an escaped HTML overview at /', async () => {
    const reply = await fetch(`${emulator.url}/users?$top=1`, {
      headers: { 'client-request-id': 'abc-123', ...EMULATOR_AUTHORIZATION },
    });
    expect(reply.headers.get('client-request-id')).toBe('abc-123');
    const page = await fetch(emulator.url.replace('/v1.0', '/'));
    const html = await page.text();
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('Visible &lt;List&gt;');
    expect(html).toContain('All Staff');
    const link = /href="(\/_emulator\/lists\/[^"]+)"/.exec(html)?.[1] ?? '';
    await call(emulator.url, 'POST', `/sites/${emulator.siteId}/lists/Visible <List>/items`, {
      fields: { Key: '<b>not bold</b>' },
    });
    const listPage = await fetch(emulator.url.replace('/v1.0', link));
    expect(listPage.status).toBe(200);
    const listHtml = await listPage.text();
    expect(listHtml).toContain('&lt;b&gt;not bold&lt;/b&gt;');
    expect(listHtml).toContain('<th>Key</th>');
    expect((await fetch(emulator.url.replace('/v1.0', '/_emulator/lists/nope'))).status).toBe(404);
  });

  it('says calmly, not as an error, that a site has no Countersign lists yet', async () => {
    const empty = await startGraphEmulator();
    try {
      const html = await (await fetch(empty.url.replace('/v1.0', '/'))).text();
      const calm =
        '<p>This site has no Countersign lists. That is expected for a site Countersign does not use; <code>npm start</code> creates them on the demo school’s site, and <code>npm run cli -- provision --site …</code> creates them on another.</p>';
      // Both seeded sites (the tenant root and the demo school's) have no lists yet.
      expect(html.split(calm)).toHaveLength(3);
      expect(html).toContain('<h2>Countersign <small>');
      expect(html).not.toContain('<table>');
      expect(html).not.toMatch(/No lists yet|run <code>countersign provision<\/code>/);
    } finally {
      await empty.close();
    }
  });
});
