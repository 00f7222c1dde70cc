import { describe, expect, it } from 'vitest';
import { recordingFetch } from './recording.ts';

describe('recording a tenant run', () => {
  it('keeps each exchange with ids, e-mail addresses, names and the host replaced consistently, and no header', async () => {
    const userId = '7faf8ab2-3d56-4244-b585-20c8a42ed2b8';
    const inner = (): Promise<Response> =>
      Promise.resolve(
        new Response(
          JSON.stringify({
            id: userId,
            displayName: 'Helen Whitfield',
            userPrincipalName: 'helen.whitfield@stbarts.example',
            webUrl: 'https://stbarts.sharepoint.com/sites/countersign/Lists/x',
          }),
          { status: 200, headers: { 'content-type': 'application/json' } },
        ),
      );
    const recorder = recordingFetch(inner, {
      suite: 'unit',
      sitePath: '/sites/countersign',
      graphBaseUrl: 'https://graph.microsoft.com/v1.0',
    });
    for (let i = 0; i < 2; i++) {
      await recorder.fetch(`https://graph.microsoft.com/v1.0/users/${userId}?$select=id`, {
        method: 'GET',
        headers: { Authorization: 'Bearer secret-token', 'client-request-id': 'abc' },
      });
    }
    const text = JSON.stringify(recorder.exchanges);
    for (const secret of ['secret-token', userId, 'Helen', 'stbarts', 'helen.whitfield']) {
      expect(text).not.toContain(secret);
    }
    const [first, second] = recorder.exchanges;
    expect(first).toEqual({
      method: 'GET',
      path: 'users/00000000-0000-4000-8000-000000000001?$select=id',
      status: 200,
      responseBody: {
        id: '00000000-0000-4000-8000-000000000001',
        displayName: 'Name 2',
        userPrincipalName: 'Name 3',
        webUrl: 'https://contoso.sharepoint.com/sites/countersign-test/Lists/x',
      },
    });
    // The same person is the same stand-in every time.
    expect(second).toEqual(first);
  });

  it("keeps If-Match sanitised, never a token request, and a connector member's name", async () => {
    const etagGuid = 'c0ffee00-1234-4abc-8def-0123456789ab';
    const inner = (input: Parameters<typeof fetch>[0]): Promise<Response> =>
      Promise.resolve(
        new Response(
          (typeof input === 'string'
            ? input
            : input instanceof URL
              ? input.href
              : input.url
          ).includes('/v3/')
            ? JSON.stringify({ id: '29:1AbCdEf', name: 'Helen Whitfield' })
            : JSON.stringify({ access_token: 'eyJ-secret' }),
          { status: 200 },
        ),
      );
    const recorder = recordingFetch(inner, {
      suite: 'unit',
      sitePath: '',
      graphBaseUrl: 'https://graph.microsoft.com/v1.0',
      connectorUrl: 'https://smba.trafficmanager.net/emea/',
    });
    await recorder.fetch('https://login.microsoftonline.com/t/oauth2/v2.0/token', {
      method: 'POST',
      body: 'client_secret=shh',
    });
    await recorder.fetch('https://smba.trafficmanager.net/emea/v3/conversations/a:1xYz/members/x', {
      headers: { 'If-Match': `"${etagGuid},3"`, Authorization: 'Bearer t' },
    });
    expect(recorder.exchanges).toEqual([
      {
        service: 'connector',
        method: 'GET',
        path: 'v3/conversations/a:conversation-2/members/x',
        requestHeaders: { 'if-match': '"00000000-0000-4000-8000-000000000001,3"' },
        status: 200,
        responseBody: { id: '29:user-3', name: 'Name 4' },
      },
    ]);
    expect(JSON.stringify(recorder.exchanges)).not.toMatch(/secret|shh|eyJ|Helen|1xYz|1AbCdEf/);
  });
});
