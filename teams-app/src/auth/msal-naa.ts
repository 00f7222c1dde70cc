// MSAL's nested app authentication, and nothing else of MSAL, in one module loaded on demand
// (inside Teams only). createNestablePublicClientApplication does exactly what createNaaClient
// does below when the host offers NAA, but its module also bundles the standard browser
// controller it falls back to otherwise: about 40 KB gzip of redirect, iframe and pop-up flows
// a Teams tab never runs (without NAA the tab uses Teams SSO instead).
import {
  InteractionRequiredAuthError,
  type AccountInfo,
  type AuthenticationResult,
  type Configuration,
  type PopupRequest,
  type SilentRequest,
} from '@azure/msal-browser';
import { NestedAppAuthController, NestedAppOperatingContext } from './msal-internals.ts';

export { InteractionRequiredAuthError };

/** The part of MSAL's public client application the tab uses. */
export interface NaaClient {
  getActiveAccount(): AccountInfo | null;
  getAccount(filter: { loginHint: string }): AccountInfo | null;
  setActiveAccount(account: AccountInfo | null): void;
  acquireTokenSilent(request: SilentRequest): Promise<AuthenticationResult>;
  acquireTokenPopup(request: PopupRequest): Promise<AuthenticationResult>;
}

/**
 * MSAL's nested app auth client, talking to the Teams host through its bridge; null when the
 * host does not answer on the bridge (then there is no nested app auth to use).
 */
export async function createNaaClient(configuration: Configuration): Promise<NaaClient | null> {
  const context = new NestedAppOperatingContext(configuration);
  if (!(await context.initialize())) return null;
  const controller = new NestedAppAuthController(context);
  await controller.initialize();
  return controller;
}
