import type { Actor } from './actor.ts';

/**
 * Which school an actor's school-scoped requests (the settings page, its history, its group
 * picker) read and change. The one place that answers it, so a trust (several schools in one
 * tenant, issue 14 item 3) extends this function and every such route follows.
 */
export type ActorSchool = (actor: Actor) => Promise<string>;

/** A deployment that serves one school: everyone acts in that school (its live settings' id). */
export function deploymentSchool(schoolId: () => string): ActorSchool {
  return () => Promise.resolve(schoolId());
}
