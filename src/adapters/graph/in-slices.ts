/**
 * Work over thousands of list items (a 20,000-person report reads three pages of 5,000) done in
 * slices, giving the event loop back between them: converting a page in one go held every
 * other request (signs, health checks) for 100 ms and more.
 */
export const SLICE = 500;

/** Lets whatever else is waiting (requests, timers) run before the next slice. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `items.map(convert)`, yielding to the event loop every SLICE items. */
export async function mapInSlices<T, U>(
  items: readonly T[],
  convert: (item: T) => U,
): Promise<U[]> {
  const out: U[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % SLICE === 0) await yieldToEventLoop();
    out.push(convert(items[i] as T));
  }
  return out;
}
