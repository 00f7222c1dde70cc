import { ensureTabBuilt } from '../../bench/tab-build.ts';

/**
 * Vitest global setup: the browser tests load the built tab from build/tab, so build it once
 * (with Vite's JS API) when it is missing or older than its sources — before any test file runs,
 * so parallel workers never race to build it.
 */
export default async function setup(): Promise<void> {
  await ensureTabBuilt();
}
