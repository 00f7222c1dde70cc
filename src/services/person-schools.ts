import { CountersignError } from '../domain/errors.ts';
import { rolesIn, type AppRole } from '../domain/school-roles.ts';
import type { School } from '../domain/school.ts';
import { schoolsOfPerson, trustOf, type Trust } from '../domain/trust.ts';
import type { Clock } from '../ports/clock.ts';
import type { Directory } from '../ports/directory.ts';

/** One school a person belongs to, and their roles in it (rolesIn over its settings). */
export interface SchoolMembership {
  id: string;
  name: string;
  roles: AppRole[];
}

/** The school a request or a card action is served in, and the person's roles there. */
export interface SchoolChoice {
  schoolId: string;
  roles: AppRole[];
  /** Every school the person belongs to (the tab offers them; empty for a trust lead of none). */
  memberships: SchoolMembership[];
}

export interface SchoolRequest {
  /**
   * The school the tab's `school` selector or a card's data names. Never trusted as such: it must
   * be one of the person's schools, or the request is refused.
   */
  requested?: string | undefined;
  /** The role the route or verb needs: someone in several schools is served where they hold it. */
  role?: AppRole | undefined;
}

export interface PersonSchools {
  /** The schools the person belongs to, in the settings list's order. */
  membershipsOf(personId: string): Promise<SchoolMembership[]>;
  /**
   * Which school serves the person now. @throws CountersignError('forbidden') with
   * `reason: 'not-in-school'` for a school they are not in, `'no-school'` when they are in none.
   */
  choose(personId: string, request: SchoolRequest): Promise<SchoolChoice>;
}

export interface PersonSchoolsDeps {
  /** Every row of the settings list (schools and the reserved trust row), cached by the caller. */
  rows: () => Promise<readonly School[]>;
  directory: Pick<Directory, 'listMemberships'>;
  clock: Clock;
  /** The deployment's own school: the default of someone in several schools who names none. */
  preferred: () => string;
  /** How long a person's group memberships are reused (default 60 s). */
  ttlMs?: number;
  /** How many people's memberships are kept at once (default 10,000; the oldest goes first). */
  maxPeople?: number;
}

/**
 * Which school serves a person (issue 14, item 3): a person belongs to the schools whose audience
 * groups they are in (transitively, as Entra says) and to those whose settings give them a role
 * (an admin need not be in an audience). Someone in one school is served there; someone in
 * several by the school they name (checked against their memberships), else the first where
 * they hold the role the request needs, else the deployment's own school if it is one of theirs,
 * else the first by id. Someone in none is refused with a clear reason, never served as a
 * member of the deployment's school; a trust lead in none is served there with no role, so the
 * trust's routes (which decide by the trust's settings) still reach them.
 */
export function createPersonSchools(deps: PersonSchoolsDeps): PersonSchools {
  const ttlMs = deps.ttlMs ?? 60_000;
  const maxPeople = deps.maxPeople ?? 10_000;
  // A person's groups are read once a minute at most: a request, a card and the tab's next
  // request reuse them. A new starter's group shows within ttlMs.
  const groups = new Map<string, { at: number; ids: Promise<string[]> }>();

  const groupsOf = (personId: string): Promise<string[]> => {
    const now = deps.clock.now().getTime();
    const known = groups.get(personId);
    if (known !== undefined && now - known.at < ttlMs) return known.ids;
    const ids = deps.directory.listMemberships(personId);
    groups.delete(personId);
    if (groups.size >= maxPeople) {
      const oldest = groups.keys().next().value;
      if (oldest !== undefined) groups.delete(oldest);
    }
    groups.set(personId, { at: now, ids });
    // A failed read is not kept: the next request asks again.
    ids.catch(() => {
      if (groups.get(personId)?.ids === ids) groups.delete(personId);
    });
    return ids;
  };

  const read = async (
    personId: string,
  ): Promise<{ trust: Trust; memberships: SchoolMembership[] }> => {
    const [rows, ids] = await Promise.all([deps.rows(), groupsOf(personId)]);
    const trust = trustOf(rows);
    const inAudience = new Set(schoolsOfPerson(trust, ids));
    const memberships = trust.schools.flatMap((school) => {
      const roles = rolesIn(school, personId);
      return inAudience.has(school.id) || roles.length > 0
        ? [{ id: school.id, name: school.name, roles }]
        : [];
    });
    return { trust, memberships };
  };

  return {
    membershipsOf: async (personId) => (await read(personId)).memberships,
    async choose(personId, request) {
      const { trust, memberships } = await read(personId);
      const choice = (m: SchoolMembership): SchoolChoice => ({
        schoolId: m.id,
        roles: m.roles,
        memberships,
      });
      if (request.requested !== undefined) {
        const named = memberships.find((m) => m.id === request.requested);
        if (named === undefined) {
          throw new CountersignError(
            'forbidden',
            'You are not a member of that school, so Countersign cannot act for you there.',
            { reason: 'not-in-school', school: request.requested },
          );
        }
        return choice(named);
      }
      if (memberships.length === 0) {
        if (trust.settings.leadIds.includes(personId)) {
          return { schoolId: deps.preferred(), roles: [], memberships };
        }
        throw new CountersignError(
          'forbidden',
          `You are not in any school of ${trust.settings.name}: Countersign knows a school's people by its staff and pupil groups. Ask your school's Countersign admin to add you.`,
          { reason: 'no-school' },
        );
      }
      const { role } = request;
      const holding =
        role === undefined ? memberships : memberships.filter((m) => m.roles.includes(role));
      const candidates = holding.length > 0 ? holding : memberships;
      const preferred = candidates.find((m) => m.id === deps.preferred());
      return choice(preferred ?? (candidates[0] as SchoolMembership));
    },
  };
}
