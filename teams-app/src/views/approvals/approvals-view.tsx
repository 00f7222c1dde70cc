import type { Session } from '../../app/session.ts';

export default function ApprovalsView({ session }: { session: Session }) {
  return <h1>Approvals for {session.me.displayName}</h1>;
}
