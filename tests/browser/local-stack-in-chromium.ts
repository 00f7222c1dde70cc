import { afterAll, beforeAll, expect, type TestContext } from 'vitest';
import { TAB_OUT_DIR } from '../../bench/tab-build.ts';
import { startLocalStack, type LocalStack } from '../../src/dev/local-stack.ts';
import { launchChromium, type BrowserSession } from './browser-harness.ts';

/** What a browser suite gets: the stack `npm start` runs, Chromium, and the API as a demo user. */
export interface LocalStackInChromium {
  /** The running local stack (Graph emulator with the demo school, the service, the built tab). */
  stack: () => LocalStack;
  /** Chromium, or the test is skipped saying why (on CI, launchChromium fails instead). */
  needBrowser: (ctx: TestContext) => BrowserSession;
  /** A demo user of the dev identity provider by key ('staff', 'head', 'dsl', …). */
  devUser: (key: string) => LocalStack['devUsers'][number];
  /** GET an API path as a demo user, expecting 200, for checking what the browser did. */
  apiAs: <T>(key: string, path: string) => Promise<T>;
}

/**
 * Registers the suite's beforeAll/afterAll: one local stack and one Chromium per test file, as
 * every browser suite needs, so each file says only its story.
 */
export function useLocalStackInChromium(
  options: { demoTrust?: boolean } = {},
): LocalStackInChromium {
  let stack: LocalStack | undefined;
  let browser: BrowserSession | undefined;
  let skipReason = '';

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      tabDir: TAB_OUT_DIR,
      // The demo trust beside the demo school, for the trust's screens (as npm start seeds it).
      ...(options.demoTrust === true ? { demoTrust: true } : {}),
    });
    const launched = await launchChromium();
    if ('problem' in launched) {
      skipReason = launched.problem;
      console.warn(`Browser tests skipped: ${skipReason}`);
    } else {
      browser = launched;
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const running = (): LocalStack => {
    if (stack === undefined) throw new Error('the local stack is not running (beforeAll failed)');
    return stack;
  };

  return {
    stack: running,
    needBrowser: (ctx) => {
      if (browser === undefined) {
        ctx.skip(skipReason);
        throw new Error(skipReason);
      }
      return browser;
    },
    devUser: (key) => {
      const user = running().devUsers.find((u) => u.key === key);
      if (user === undefined) throw new Error(`no dev user ${key}`);
      return user;
    },
    apiAs: async <T>(key: string, path: string): Promise<T> => {
      const url = running().url;
      const tokenResponse = await fetch(`${url}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: key }),
      });
      const { accessToken } = (await tokenResponse.json()) as { accessToken: string };
      const response = await fetch(`${url}${path}`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(response.status, `${path} as ${key}`).toBe(200);
      return (await response.json()) as T;
    },
  };
}
