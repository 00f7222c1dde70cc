import * as AC from 'adaptivecards';

/** Teams-only extensions the adaptivecards library does not model. */
const TEAMS_EXTENSIONS = /^\.msteams(\.|$)/;

function propertyPaths(node: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) propertyPaths(item, `${prefix}[]`, out);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      out.add(`${prefix}.${key}`);
      propertyPaths(value, `${prefix}.${key}`, out);
    }
  }
  return out;
}

/**
 * Parses a card the way a client renderer does, with a Teams-like host config, and returns every
 * parse event (unknown types, bad enum values, unsupported version), validation failure (missing
 * labels or error messages on required inputs, duplicate ids, too many actions…) and property the
 * library does not know (it ignores those silently; a misspelt property would vanish in Teams).
 */
/** Every action's `fallback` object in a card (the library parses them but never writes them back). */
function fallbacks(node: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) {
    for (const item of node) fallbacks(item, out);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'fallback' && typeof value === 'object') out.push(value);
      else fallbacks(value, out);
    }
  }
  return out;
}

const FALLBACK = /\.fallback(\.|$)/;

export function cardProblems(json: unknown): string[] {
  const card = new AC.AdaptiveCard();
  card.hostConfig = new AC.HostConfig({
    supportsInteractivity: true,
    // Teams shows at most 6 actions on a card.
    actions: { maxActions: 6 },
  });
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    problems.push(`parse: ${context.getEventAt(i).message}`);
  }
  for (const event of card.validateProperties().validationEvents) {
    problems.push(`validate: ${event.message}`);
  }
  const known = propertyPaths(card.toJSON(new AC.SerializationContext(AC.Versions.v1_5)));
  for (const path of propertyPaths(json)) {
    if (!known.has(path) && !TEAMS_EXTENSIONS.test(path) && !FALLBACK.test(path)) {
      problems.push(`unknown or default-valued property: ${path}`);
    }
  }
  // A fallback action is checked as the only action of a card of its own, property by property.
  for (const fallback of fallbacks(json)) {
    const alone = { type: 'AdaptiveCard', version: '1.5', actions: [fallback] };
    for (const problem of cardProblems(alone)) problems.push(`fallback: ${problem}`);
  }
  return problems;
}
