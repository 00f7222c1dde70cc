import { describe, expect, test } from 'vitest';
import { calmLocalLine } from '../../src/dev/local-stack.ts';

describe('the local run’s first lines', () => {
  test('the Teams SDK’s unauthenticated-requests warning is said plainly, as what the local run does', () => {
    // The line the Teams SDK 2.x logs through our JSON-lines logger on `npm start`.
    const sdk = JSON.stringify({
      time: '2026-12-03T23:59:16.584Z',
      level: 'warn',
      msg: 'Credentials are configured, but dangerouslyAllowUnauthenticatedRequests is enabled. Bot will bypass Teams service token validation on /api/messages.',
      component: 'bot',
      logger: 'teams-sdk',
    });
    const said = calmLocalLine(sdk);
    expect(said).toBe(
      'bot: accepting the Agents Playground’s unsigned messages on /api/messages (local run only; a school’s own deployment refuses any message without a genuine Bot Connector token)',
    );
    expect(said).not.toMatch(/warn|dangerously/i);
  });

  test('every other line, warnings included, passes unchanged', () => {
    const other = JSON.stringify({ level: 'warn', msg: 'Graph answered 429; retrying' });
    expect(calmLocalLine(other)).toBe(other);
    expect(calmLocalLine('provisioned 8 list changes')).toBe('provisioned 8 list changes');
  });
});
