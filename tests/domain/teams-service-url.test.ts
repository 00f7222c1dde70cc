import { describe, expect, it } from 'vitest';
import {
  isTeamsServiceUrl,
  sameServiceUrl,
  TEAMS_SERVICE_URL_POLICY,
} from '../../src/domain/teams-service-url.ts';

describe('Teams service URLs', () => {
  it.each([
    ['https://smba.trafficmanager.net/teams/', true],
    ['https://smba.trafficmanager.net/uk/', true],
    ['https://SMBA.trafficmanager.net/emea/', true],
    ['https://smba.infra.gov.teams.microsoft.us/teams', true],
    ['http://smba.trafficmanager.net/teams/', false],
    ['https://smba.trafficmanager.net:8443/teams/', false],
    ['https://evil.smba.trafficmanager.net.example/', false],
    ['https://webchat.botframework.com/', false],
    ['https://x@smba.trafficmanager.net/teams/', false],
    ['javascript:alert(1)', false],
    ['', false],
  ])('%s → %s', (url, expected) => {
    expect(isTeamsServiceUrl(url, TEAMS_SERVICE_URL_POLICY)).toBe(expected);
  });

  it('trusts a named origin exactly (scheme, host and port)', () => {
    const policy = { hosts: [], origins: ['http://127.0.0.1:4000'] };
    expect(isTeamsServiceUrl('http://127.0.0.1:4000/v3', policy)).toBe(true);
    expect(isTeamsServiceUrl('http://127.0.0.1:4001/v3', policy)).toBe(false);
    expect(isTeamsServiceUrl('https://smba.trafficmanager.net/teams/', policy)).toBe(false);
  });

  it('compares service URLs without the trailing slash or case', () => {
    expect(
      sameServiceUrl('https://smba.trafficmanager.net/uk/', 'https://SMBA.trafficmanager.net/uk'),
    ).toBe(true);
    expect(
      sameServiceUrl(
        'https://smba.trafficmanager.net/uk/',
        'https://smba.trafficmanager.net/emea/',
      ),
    ).toBe(false);
  });
});
