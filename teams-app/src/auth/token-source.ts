/** Where the tab gets the bearer token for /api calls. */
export interface TokenSource {
  /** naa: MSAL nested app auth in Teams; teams-sso: teams-js getAuthToken; dev: the dev IdP. */
  kind: 'naa' | 'teams-sso' | 'dev';
  getToken(): Promise<string>;
}

export type AuthErrorCode = 'auth-config-missing' | 'auth-failed' | 'dev-users-unavailable';

/** A typed auth failure the shell shows with its code, never swallowed. */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'AuthError';
  }
}
