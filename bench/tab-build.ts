import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Builds the tab (teams-app → build/tab) with Vite's JS API when the build is missing or older
 * than any tab source file. Shared by bench:tab and the browser tests' global setup.
 */
const repoRoot = resolve(import.meta.dirname, '..');
export const TAB_SOURCE_DIR = join(repoRoot, 'teams-app');
export const TAB_OUT_DIR = join(repoRoot, 'build', 'tab');
export const TAB_MANIFEST = join(TAB_OUT_DIR, '.vite', 'manifest.json');
const TAB_CONFIG = join(TAB_SOURCE_DIR, 'vite.config.ts');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

export function tabBuildIsStale(): boolean {
  let builtAt: number;
  try {
    builtAt = statSync(TAB_MANIFEST).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  return newestMtime(TAB_SOURCE_DIR) > builtAt;
}

export async function buildTab(): Promise<void> {
  const { build } = await import('vite');
  // Vite and the React plugin make a development bundle when NODE_ENV says so, and vitest sets
  // it to "test": the tab is always built for production.
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: TAB_CONFIG, mode: 'production', logLevel: 'warn' });
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
}

/** Builds only when needed; says whether it built. */
export async function ensureTabBuilt(options: { force?: boolean } = {}): Promise<boolean> {
  if (options.force !== true && !tabBuildIsStale()) return false;
  await buildTab();
  return true;
}
