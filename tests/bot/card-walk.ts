/** The data of the first Action.Execute with this verb anywhere on a card (body, actions, sets). */
export function executeData(card: unknown, verb: string): Record<string, unknown> {
  let found: Record<string, unknown> | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const record = node as Record<string, unknown>;
    if (record['type'] === 'Action.Execute' && record['verb'] === verb) {
      found = record['data'] as Record<string, unknown>;
      return;
    }
    Object.values(record).forEach(visit);
  };
  visit(card);
  if (found === undefined) throw new Error(`no Action.Execute "${verb}" on the card`);
  return found;
}
