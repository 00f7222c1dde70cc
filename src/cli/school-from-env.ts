import type { Env } from '../config/env.ts';
import { CountersignError } from '../domain/errors.ts';
import type { School } from '../domain/school.ts';

/** The school from COUNTERSIGN_SCHOOL; in dev mode, the demo school when none is set. */
export async function schoolFrom(env: Env): Promise<School> {
  if (env.COUNTERSIGN_SCHOOL !== undefined) return env.COUNTERSIGN_SCHOOL;
  // Dev mode runs on the demo school; loaded on demand so production never loads src/dev.
  if (env.COUNTERSIGN_MODE === 'dev') {
    return (await import('../dev/demo/demo-school.ts')).DEMO_SCHOOL.school;
  }
  throw new CountersignError('validation', 'Set COUNTERSIGN_SCHOOL (the school as JSON).');
}
