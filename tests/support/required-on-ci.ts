/**
 * Suites that need a local tool (Chromium, Azurite, the Agents Playground) skip with a visible
 * reason on a developer's machine that lacks it, but on CI (`CI` set, as .ci/run runs) the tool
 * is installed by the pipeline, so its absence is a failure, never a silent skip.
 */
export function onCi(): boolean {
  const value = process.env.CI;
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/** Throws on CI; elsewhere returns, so the caller skips and says why. */
export function failOnCi(what: string, reason: string): void {
  if (onCi()) throw new Error(`${what} must run on CI, but could not: ${reason}`);
}
