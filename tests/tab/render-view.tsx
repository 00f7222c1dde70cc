import { FluentProvider, teamsLightTheme } from '@fluentui/react-components';
import { configure, render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { ApiClient } from '../../teams-app/src/api/api-client.ts';
import type { Session } from '../../teams-app/src/app/session.ts';
import { FAKE_USERS, type FakeApi } from './fake-api.ts';

// jsdom has no ResizeObserver; Fluent's MessageBar measures itself with one. Nothing here
// depends on sizes, so an observer that never fires is enough.
globalThis.ResizeObserver ??= class {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
};

// jsdom has no innerText, which the adaptivecards library writes text with; a browser has.
if (!('innerText' in HTMLElement.prototype)) {
  Object.defineProperty(HTMLElement.prototype, 'innerText', {
    get(this: HTMLElement) {
      return this.textContent;
    },
    set(this: HTMLElement, value: string) {
      this.textContent = value;
    },
  });
}

// The suite runs two files at once on two cores: give async queries time.
configure({ asyncUtilTimeout: 5_000 });

/** A signed-in session against the fake API, as the demo user with this key. */
export function sessionFor(fake: FakeApi, userKey: string): Session {
  const user = FAKE_USERS.find((u) => u.key === userKey);
  if (user === undefined) throw new Error(`no fake user ${userKey}`);
  const api = new ApiClient(
    { kind: 'dev', getToken: () => Promise.resolve(`fake.${userKey}`) },
    fake.jsdomFetch,
  );
  return {
    api,
    me: { id: user.id, displayName: user.displayName, upn: user.upn, roles: user.roles },
    tokenKind: 'dev',
  };
}

export function renderInTheme(ui: ReactElement): RenderResult {
  return render(<FluentProvider theme={teamsLightTheme}>{ui}</FluentProvider>);
}
