import { lazy, type ComponentType } from 'react';

/**
 * A part of the tab fetched on demand (a lazy view, teams-js, MSAL) did not load. Almost always a
 * deploy replaced the files this page was built with (their names carry content hashes), or the
 * network dropped: reloading the tab fetches the current ones.
 */
export class ChunkLoadError extends Error {
  constructor(cause: unknown) {
    super('Part of Countersign could not be loaded: reload the tab.', { cause });
    this.name = 'ChunkLoadError';
  }
}

/** A dynamic import whose failure is a ChunkLoadError, so the tab can say "reload". */
export function loadChunk<T>(load: () => Promise<T>): Promise<T> {
  return load().catch((error: unknown) => {
    throw new ChunkLoadError(error);
  });
}

/** React.lazy for a view module, failing with a ChunkLoadError (see ViewBoundary). */
export function lazyView<P extends object>(
  load: () => Promise<{ default: ComponentType<P> }>,
): ComponentType<P> {
  return lazy(() => loadChunk(load));
}
