import { Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { Session } from '../../app/session.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { SectionNav } from '../../ui/section-nav.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { ApprovalRequestsPanel } from './approval-requests-panel.tsx';
import { CampaignsPanel } from './campaigns-panel.tsx';
import { PeoplePanel } from './people-panel.tsx';
import { PolicyEditor } from './policy-editor.tsx';
import { RecordsCheckLine } from './records-check-line.tsx';
import { SettingsPanel } from './settings-panel.tsx';

const useStyles = makeStyles({
  view: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
});

type Part = 'policy' | 'people' | 'campaigns' | 'approval-requests' | 'settings';

/** The sections that show the policies list (the others read what they need themselves). */
function needsPolicies(part: Part): boolean {
  switch (part) {
    case 'people':
    case 'campaigns':
      return true;
    case 'policy':
    case 'approval-requests':
    case 'settings':
      return false;
  }
}

/** The Policy.Admin views, loaded on demand as their own chunk. */
export default function AdminView({
  session,
  initialPart,
}: {
  session: Session;
  /** The section a deep link opened (Approval requests from the approver's card). */
  initialPart?: Part | undefined;
}) {
  const styles = useStyles();
  const { api } = session;
  const [part, setPart] = useState<Part>(initialPart ?? 'policy');
  const [policies, reloadPolicies] = useLoad(() => api.adminPolicies(), [api]);
  // Read the policies afresh on each move to another section: a version published under
  // "Policy and import" shows at once in People and Campaigns.
  const choose = (next: Part) => {
    if (next === part) return;
    setPart(next);
    reloadPolicies();
  };
  return (
    <div className={styles.view}>
      <h1>Admin</h1>
      <RecordsCheckLine api={api} />
      <SectionNav
        label="Admin sections"
        current={part}
        onSelect={choose}
        items={[
          { key: 'policy', label: 'Policy and import' },
          { key: 'people', label: 'People' },
          { key: 'campaigns', label: 'Campaigns' },
          { key: 'approval-requests', label: 'Approval requests' },
          { key: 'settings', label: 'Settings' },
        ]}
      />
      {part === 'policy' && <PolicyEditor api={api} />}
      {part === 'settings' && <SettingsPanel api={api} />}
      {part === 'approval-requests' && <ApprovalRequestsPanel api={api} />}
      {needsPolicies(part) && policies.status === 'loading' && <Spinner label="Loading…" />}
      {needsPolicies(part) && policies.status === 'failed' && (
        <ErrorMessage title="Could not load the policies" error={policies.error} />
      )}
      {part === 'people' && policies.status === 'ready' && (
        <PeoplePanel api={api} policies={policies.value.map((e) => e.policy)} />
      )}
      {part === 'campaigns' && policies.status === 'ready' && (
        <CampaignsPanel api={api} entries={policies.value} />
      )}
    </div>
  );
}
