import { Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import { Suspense, useState } from 'react';
import type { TabPage, TabTarget } from '../../../src/domain/tab-deep-link.ts';
import type { DevUser } from '../auth/dev-token-source.ts';
import { SectionNav } from '../ui/section-nav.tsx';
import { MyAupView } from '../views/my-aup/my-aup-view.tsx';
import { lazyView } from './chunk-load.ts';
import { SchoolPicker } from './school-picker.tsx';
import type { Session } from './session.ts';
import { ViewBoundary } from './view-boundary.tsx';

// Admin and approvals load on demand: most people only ever see "My AUP". So does the demo
// user switcher, which only dev mode shows.
const AdminView = lazyView(() => import('../views/admin/admin-view.tsx'));
const ApprovalsView = lazyView(() => import('../views/approvals/approvals-view.tsx'));
const TrustView = lazyView(() => import('../views/trust/trust-view.tsx'));
const DevUserSwitcher = lazyView(() => import('./dev-user-switcher.tsx'));

export type ViewKey = 'my-aup' | 'admin' | 'approvals' | 'trust';

const useStyles = makeStyles({
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400 },
  who: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  nav: {
    backgroundColor: tokens.colorNeutralBackground1,
    paddingInline: tokens.spacingHorizontalS,
    paddingBlock: tokens.spacingVerticalXS,
  },
  main: {
    boxSizing: 'border-box',
    maxWidth: '960px',
    marginInline: 'auto',
    padding: tokens.spacingHorizontalL,
    '@media (max-width: 480px)': { padding: tokens.spacingHorizontalS },
  },
});

/**
 * ?view=admin|approvals opens that view when the person has its role; ?view=trust opens the
 * schools side by side for anyone (the API decides: the trust lead, who holds no school role,
 * reaches it only this way; a school's admin also from the nav).
 */
function askedView(): ViewKey {
  const asked = new URLSearchParams(window.location.search).get('view');
  return asked === 'admin' || asked === 'approvals' || asked === 'trust' ? asked : 'my-aup';
}

/**
 * The view a deep link's page opens (the card's "Open approval requests": page
 * `approval-requests`), by the roles the API gave: Admin › Approval requests for an admin; for
 * an approver who is not one (that panel lists every signature waiting in the school, which is
 * an admin's to see), their own Approvals, where they can decide the signature the card was
 * about; anyone else My AUP. Roles come from the API, never from the link.
 */
function entryView(page: TabPage, isAdmin: boolean, isApprover: boolean): ViewKey {
  switch (page) {
    case 'my-aup':
      return 'my-aup';
    case 'admin':
      return isAdmin ? 'admin' : 'my-aup';
    case 'approvals':
      return isApprover ? 'approvals' : 'my-aup';
    case 'approval-requests':
      return isAdmin ? 'admin' : isApprover ? 'approvals' : 'my-aup';
  }
}

export interface AppShellProps {
  session: Session | null;
  /** Inside Teams: the page a deep link asked for (teams-host.ts), until the person moves on. */
  entry?: TabTarget | undefined;
  devUsers?: DevUser[];
  devUser?: string;
  onSwitchUser?: (key: string) => void;
  /** Someone in several schools of a trust: serve the tab from this one of theirs. */
  onChooseSchool?: (session: Session, school: string) => Promise<void>;
}

export function AppShell({
  session,
  entry,
  devUsers,
  devUser,
  onSwitchUser,
  onChooseSchool,
}: AppShellProps) {
  const styles = useStyles();
  const roles = session?.me.roles ?? [];
  const [asked] = useState<ViewKey>(askedView);
  // null until the person picks a view: the link's page (or ?view=) decides until then, read
  // with the roles of the session, which arrive after the first render.
  const [chosen, setView] = useState<ViewKey | null>(null);
  const isAdmin = roles.includes('Policy.Admin');
  const isApprover = roles.includes('Policy.Approver');
  const view = chosen ?? (entry === undefined ? asked : entryView(entry.page, isAdmin, isApprover));
  const adminPart =
    chosen === null && entry?.page === 'approval-requests' ? 'approval-requests' : undefined;
  const shown: ViewKey =
    (view === 'admin' && !isAdmin) || (view === 'approvals' && !isApprover) ? 'my-aup' : view;
  const served = `${session?.me.id ?? ''}:${session?.me.school ?? ''}`;

  return (
    <>
      <header className={styles.header}>
        <Text as="p" className={styles.brand}>
          Countersign
        </Text>
        <div className={styles.who}>
          {session !== null && onChooseSchool !== undefined && (
            <SchoolPicker me={session.me} onChoose={(school) => onChooseSchool(session, school)} />
          )}
          {devUsers !== undefined && onSwitchUser !== undefined ? (
            <ViewBoundary>
              <Suspense fallback={null}>
                <DevUserSwitcher users={devUsers} current={devUser} onSwitch={onSwitchUser} />
              </Suspense>
            </ViewBoundary>
          ) : (
            session !== null && <Text>{session.me.displayName}</Text>
          )}
        </div>
      </header>
      {session !== null && (isAdmin || isApprover || shown === 'trust') && (
        <SectionNav
          label="Views"
          className={styles.nav}
          current={shown}
          onSelect={setView}
          items={[
            { key: 'my-aup', label: 'My AUP' },
            ...(isAdmin ? [{ key: 'admin' as const, label: 'Admin' }] : []),
            ...(isApprover ? [{ key: 'approvals' as const, label: 'Approvals' }] : []),
            ...(isAdmin || view === 'trust' ? [{ key: 'trust' as const, label: 'Schools' }] : []),
          ]}
        />
      )}
      <main className={styles.main}>
        {session === null ? (
          <Spinner label="Signing in…" />
        ) : (
          // Keyed by view, person and school: moving on from a failed view, or to another
          // school, gives the next one a fresh start (and its own reads).
          <ViewBoundary key={`${shown}:${served}`}>
            <Suspense fallback={<Spinner label="Loading…" />}>
              {shown === 'my-aup' && <MyAupView key={served} session={session} />}
              {shown === 'admin' && (
                <AdminView key={served} session={session} initialPart={adminPart} />
              )}
              {shown === 'approvals' && <ApprovalsView key={served} session={session} />}
              {shown === 'trust' && <TrustView key={served} session={session} />}
            </Suspense>
          </ViewBoundary>
        )}
      </main>
    </>
  );
}
