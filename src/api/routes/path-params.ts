import { problem, ProblemError } from '../http/problem.ts';
import { pathKeySchema, pathVersionSchema } from '../contract/requests.ts';

/** A path parameter that cannot name anything answers 404, like a name that names nothing. */
function notFound(what: string): ProblemError {
  return new ProblemError(problem('not-found', `There is no ${what} at this address.`));
}

export function policyKeyParam(params: Readonly<Record<string, string>>): string {
  const parsed = pathKeySchema.safeParse(params['key']);
  if (!parsed.success) throw notFound('policy');
  return parsed.data;
}

export function versionParam(params: Readonly<Record<string, string>>): number {
  const parsed = pathVersionSchema.safeParse(params['n']);
  if (!parsed.success) throw notFound('policy version');
  return parsed.data;
}

export function idParam(params: Readonly<Record<string, string>>, name: string): string {
  const value = params[name];
  if (value === undefined || value.length > 300) throw notFound(name);
  return value;
}
