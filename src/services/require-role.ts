import { CountersignError } from '../domain/errors.ts';
import type { Actor, AppRole } from './actor.ts';

/** Services check roles themselves, so the bot and the API cannot disagree about who may act. */
export function requireRole(actor: Actor, role: AppRole): void {
  if (!actor.roles.includes(role)) {
    throw new CountersignError('forbidden', `This needs the ${role} role.`, { role });
  }
}
