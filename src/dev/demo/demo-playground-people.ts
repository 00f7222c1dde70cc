import { DEMO_SCHOOL, type DemoPerson } from './demo-school.ts';
import type { PlaygroundPeople, PlaygroundUser } from '../playground/agents-playground.ts';

function playgroundUser(index: number, person: DemoPerson): PlaygroundUser {
  return {
    id: `user-id-${index}`,
    name: person.displayName,
    aadObjectId: person.id,
    userPrincipalName: person.userPrincipalName,
  };
}

/**
 * The Playground's users as people of the demo school, so that chatting in the Playground on
 * `npm start` acts as someone the service knows: a member of staff chats in the personal chat;
 * the headteacher (approver), the DSL (admin), a governor, another teacher and a volunteer share
 * the group chat, where an invoke may name any of them as its sender.
 */
export function demoPlaygroundPeople(): PlaygroundPeople {
  const isSpecial = (p: DemoPerson): boolean =>
    p.id === DEMO_SCHOOL.headteacher.id || DEMO_SCHOOL.admins.some((a) => a.id === p.id);
  const [staff, colleague] = DEMO_SCHOOL.staff.filter((p) => !isSpecial(p));
  const governor = DEMO_SCHOOL.governors[0];
  const volunteer = DEMO_SCHOOL.volunteers[0];
  if (
    staff === undefined ||
    colleague === undefined ||
    governor === undefined ||
    volunteer === undefined
  ) {
    throw new Error('The demo school needs two members of staff, a governor and a volunteer.');
  }
  return {
    tenantId: DEMO_SCHOOL.tenantId,
    currentUser: playgroundUser(0, staff),
    users: [
      playgroundUser(1, DEMO_SCHOOL.headteacher),
      playgroundUser(2, DEMO_SCHOOL.dsl),
      playgroundUser(3, governor),
      playgroundUser(4, colleague),
      playgroundUser(5, volunteer),
    ],
  };
}
