import { describe, expect, it } from 'vitest';
import { graphErrorToCountersign } from '../../src/adapters/graph/graph-gateway.ts';
import { toProblem } from '../../src/api/http/problem.ts';
import { CountersignError } from '../../src/domain/errors.ts';

const SITE =
  'contoso.sharepoint.com,1f2e3d4c-0000-4000-8000-000000000001,9a8b7c6d-0000-4000-8000-000000000002';
const LIST = '5e6f7a8b-0000-4000-8000-000000000003';

function graphError(status: number, code: string): CountersignError {
  return graphErrorToCountersign(
    status,
    { error: { code, message: `Item in /sites/${SITE}/lists/${LIST}/items/42 failed` } },
    `GET /sites/${SITE}/lists/${LIST}/items`,
  );
}

describe('problem details never carry Graph request lines to the person', () => {
  it.each([
    [503, 'serviceNotAvailable', 503],
    [502, 'badGateway', 503],
    [500, 'generalException', 502],
    [404, 'itemNotFound', 404],
    [412, 'preconditionFailed', 412],
    [400, 'invalidRequest', 422],
  ])(
    'Graph %i %s → %i with a plain sentence, no site id, list id or Graph wording',
    (status, code, expected) => {
      const logged: unknown[] = [];
      const { problem } = toProblem(graphError(status, code), (e) => logged.push(e));
      expect(problem.status).toBe(expected);
      const text = JSON.stringify(problem);
      expect(text).not.toContain(SITE);
      expect(text).not.toContain(LIST);
      expect(text).not.toContain('Graph answered');
      expect(text).not.toContain(code);
      expect(problem.detail.length).toBeGreaterThan(20);
      expect(problem['details']).toBeUndefined();
    },
  );

  it('the whole Graph error is still logged for a 5xx and for a write SharePoint refused', () => {
    for (const [status, code] of [
      [503, 'serviceNotAvailable'],
      [400, 'invalidRequest'],
    ] as const) {
      const logged: unknown[] = [];
      toProblem(graphError(status, code), (e) => logged.push(e));
      expect(logged).toHaveLength(1);
      expect(String((logged[0] as Error).message)).toContain(LIST);
    }
  });

  it('the service’s own errors keep their message and client-facing details', () => {
    const error = new CountersignError('validation', 'Type your full name to sign.', {
      field: 'typedName',
    });
    const { problem } = toProblem(error, () => undefined);
    expect(problem).toMatchObject({
      status: 422,
      detail: 'Type your full name to sign.',
      details: { field: 'typedName' },
    });
  });
});
