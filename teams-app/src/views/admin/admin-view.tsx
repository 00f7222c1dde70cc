import { Spinner, Tab, TabList, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { Session } from '../../app/session.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { CampaignsPanel } from './campaigns-panel.tsx';
import { PeoplePanel } from './people-panel.tsx';
import { PolicyEditor } from './policy-editor.tsx';

const useStyles = makeStyles({
  view: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  tabs: { overflowX: 'auto' },
});

type Part = 'policy' | 'people' | 'campaigns';

/** The Policy.Admin views, loaded on demand as their own chunk. */
export default function AdminView({ session }: { session: Session }) {
  const styles = useStyles();
  const { api } = session;
  const [part, setPart] = useState<Part>('policy');
  const [policies] = useLoad(() => api.adminPolicies(), [api, part]);
  return (
    <div className={styles.view}>
      <h1>Admin</h1>
      <TabList
        className={styles.tabs}
        aria-label="Admin sections"
        selectedValue={part}
        onTabSelect={(_e, data) => setPart(data.value as Part)}
      >
        <Tab value="policy">Policy and import</Tab>
        <Tab value="people">People</Tab>
        <Tab value="campaigns">Campaigns</Tab>
      </TabList>
      {part === 'policy' && <PolicyEditor api={api} />}
      {part !== 'policy' && policies.status === 'loading' && <Spinner label="Loading…" />}
      {part !== 'policy' && policies.status === 'failed' && (
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
