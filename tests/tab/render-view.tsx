import { FluentProvider, teamsLightTheme } from '@fluentui/react-components';
import { configure, render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { ApiClient } from '../../teams-app/src/api/api-client.ts';
import type { Session } from '../../teams-app/src/app/session.ts';
import { DEV_USER_ROLES } from '../../src/dev/identity/dev-identity-provider.ts';
import { TAB_USERS, type TabApi, type TabUserKey } from './tab-api.ts';

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

/** A signed-in session against the real API, as the dev user with this key (a real dev token). */
export function sessionFor(api: TabApi, userKey: TabUserKey): Session {
  const user = TAB_USERS.find((u) => u.key === userKey);
  if (user === undefined) throw new Error(`no tab user ${userKey}`);
  const client = new ApiClient({ kind: 'dev', getToken: () => api.token(userKey) }, api.fetch);
  return {
    api: client,
    me: {
      id: user.id,
      displayName: user.displayName,
      upn: user.upn,
      roles: [...DEV_USER_ROLES[userKey]],
    },
    tokenKind: 'dev',
  };
}

export function renderInTheme(ui: ReactElement): RenderResult {
  return render(<FluentProvider theme={teamsLightTheme}>{ui}</FluentProvider>);
}
