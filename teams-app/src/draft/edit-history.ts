/**
 * Undo and redo for the draft editor: every edit is a step, named for the undo button ("Undo:
 * clause 4 split in two"). Typing is one step per field while the admin keeps typing in it (a
 * step per keystroke would make undo useless), so an edit may name the field it typed in.
 * Pure: the history is a value; nothing is kept outside it.
 */
export interface Step<T> {
  readonly state: T;
  /** What the edit that led away from this state did. */
  readonly said: string;
}

export interface History<T> {
  readonly present: T;
  readonly past: readonly Step<T>[];
  readonly future: readonly Step<T>[];
  /** The field the last edit typed in, while typing there continues one step. */
  readonly typing?: string;
}

/** Enough for a long session of corrections; the oldest steps go first. */
export const HISTORY_LIMIT = 200;

export function startHistory<T>(present: T): History<T> {
  return { present, past: [], future: [] };
}

/**
 * Records an edit. `typing` names the field for typed text: a second edit in the same field
 * straight after the first joins its step. An edit that changes nothing records nothing.
 */
export function record<T>(history: History<T>, next: T, said: string, typing?: string): History<T> {
  if (next === history.present) return history;
  if (typing !== undefined && history.typing === typing && history.past.length > 0) {
    return { ...history, present: next, future: [] };
  }
  const past = [...history.past, { state: history.present, said }].slice(-HISTORY_LIMIT);
  return typing === undefined
    ? { present: next, past, future: [] }
    : { present: next, past, future: [], typing };
}

/** Ends a typing run (the field lost focus), so the next keystroke starts a new step. */
export function endTyping<T>(history: History<T>): History<T> {
  if (history.typing === undefined) return history;
  return { present: history.present, past: history.past, future: history.future };
}

export function undo<T>(history: History<T>): History<T> {
  const last = history.past.at(-1);
  if (last === undefined) return history;
  return {
    present: last.state,
    past: history.past.slice(0, -1),
    future: [{ state: history.present, said: last.said }, ...history.future],
  };
}

export function redo<T>(history: History<T>): History<T> {
  const next = history.future[0];
  if (next === undefined) return history;
  return {
    present: next.state,
    past: [...history.past, { state: history.present, said: next.said }],
    future: history.future.slice(1),
  };
}

/** What undo would take back, and what redo would do again, in words. */
export function nextUndo<T>(history: History<T>): string | undefined {
  return history.past.at(-1)?.said;
}

export function nextRedo<T>(history: History<T>): string | undefined {
  return history.future[0]?.said;
}
