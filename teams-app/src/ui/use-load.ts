import { useCallback, useEffect, useState } from 'react';

export type Loaded<T> =
  { status: 'loading' } | { status: 'failed'; error: unknown } | { status: 'ready'; value: T };

/** An answer, and which inputs and reload it answered. */
interface Answer<T> {
  deps: readonly unknown[];
  generation: number;
  loaded: Loaded<T>;
}

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}

/**
 * Runs a load when its inputs change and on reload(); a late answer from an older load never
 * overwrites a newer one. While a newer load runs, a value already shown stays on screen.
 * ESLint checks each caller's deps against its load function, as for useEffect (eslint.config.js).
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
): [Loaded<T>, () => void] {
  const [answer, setAnswer] = useState<Answer<T> | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    const settle = (loaded: Loaded<T>) => {
      if (current) setAnswer({ deps, generation, loaded });
    };
    load().then(
      (value) => settle({ status: 'ready', value }),
      (error: unknown) => settle({ status: 'failed', error }),
    );
    return () => {
      current = false;
    };
    // The caller's deps stand for load (a new closure each render), checked at each call site.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const fresh = answer !== null && answer.generation === generation && sameDeps(answer.deps, deps);
  const state: Loaded<T> =
    answer === null || (!fresh && answer.loaded.status !== 'ready')
      ? { status: 'loading' }
      : answer.loaded;
  return [state, reload];
}
