import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { failOnCi } from '../support/required-on-ci.ts';

/** Debian's Chromium, as CI installs it; never a downloaded browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface BrowserSession {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Chromium with a fresh profile, or why it could not start (the tests then skip, saying so;
 * on CI they fail instead).
 */
export async function launchChromium(): Promise<BrowserSession | { problem: string }> {
  const profile = await mkdtemp(join(tmpdir(), 'countersign-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_FLAGS,
      locale: 'en-GB',
      timezoneId: 'Europe/London',
      viewport: { width: 1024, height: 800 },
    });
    return {
      context,
      close: async () => {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    const problem = `Chromium could not start at ${CHROMIUM_PATH}: ${String(error)}`;
    failOnCi('The browser suite', problem);
    return { problem };
  }
}

/**
 * Opens the tab as a demo user (the dev identity provider's user switcher), in a theme and at
 * a width. Page errors fail the test that reads them from `errors`.
 */
export async function openTab(
  session: BrowserSession,
  baseUrl: string,
  options: { user: string; view?: string; theme?: 'default' | 'dark' | 'contrast'; width?: number },
): Promise<{ page: Page; errors: string[] }> {
  const page = await session.context.newPage();
  await page.setViewportSize({ width: options.width ?? 1024, height: 800 });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const params = new URLSearchParams({ user: options.user });
  if (options.view !== undefined) params.set('view', options.view);
  if (options.theme !== undefined) params.set('theme', options.theme);
  await page.goto(`${baseUrl}/?${params.toString()}`);
  return { page, errors };
}

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** axe-core's WCAG 2.x A/AA rules; only serious and critical violations are returned. */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  // Legacy mode runs axe.run in the page itself; the default runs axe.runPartial and then
  // axe.finishRun in a new blank page, which took about two thirds of each call here (4 s
  // against 13 s on the People view). Its one trade-off is that cross-origin frames are not
  // checked (the package's README, "setLegacyMode"; kubernetes-sigs/headlamp#6967), so a page
  // with one fails here rather than being passed unchecked; same-origin frames are checked.
  const origin = new URL(page.url()).origin;
  const foreign = page
    .frames()
    .map((frame) => frame.url())
    .filter((url) => url !== '' && url !== 'about:blank' && new URL(url).origin !== origin);
  if (foreign.length > 0) {
    throw new Error(`axe in legacy mode cannot check cross-origin frames: ${foreign.join(', ')}`);
  }
  const results = await new AxeBuilder({ page })
    .setLegacyMode(true)
    // Only violations are read: the other result types keep one node each instead of every
    // node with its selector worked out (axe-core doc/API.md, "Section 4: Performance";
    // runPartial ignores it, dequelabs/axe-core#4427). Every violation node is still reported.
    .options({ resultTypes: ['violations'] })
    // Fluent UI's focus manager (tabster) adds aria-hidden <i tabindex=0 data-tabster-dummy>
    // sentinels that pass focus on at once; axe's aria-hidden-focus flags them, a false positive
    // its maintainers confirm (microsoft/tabster#288, accessibility-insights-web#7613). Only those
    // sentinels are left out; every other element is still checked.
    .exclude('[data-tabster-dummy]')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
}
