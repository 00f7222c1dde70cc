import type { Session } from '../../app/session.ts';

export default function AdminView({ session }: { session: Session }) {
  return <h1>Admin for {session.me.displayName}</h1>;
}
