import { Spinner, makeStyles, tokens } from '@fluentui/react-components';
import type { Session } from '../../app/session.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { HistoryList } from './history-list.tsx';
import { PolicyPanel } from './policy-panel.tsx';

const useStyles = makeStyles({
  view: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXL },
});

/** "My AUP": every policy that applies to me, with what I must sign, and my history. */
export function MyAupView({ session }: { session: Session }) {
  const styles = useStyles();
  const { api } = session;
  const [data, reload] = useLoad(() => Promise.all([api.myPolicies(), api.history()]), [api]);
  return (
    <div className={styles.view}>
      <h1>My AUP</h1>
      {data.status === 'loading' && <Spinner label="Loading your policies…" />}
      {data.status === 'failed' && (
        <ErrorMessage title="Could not load your policies" error={data.error} />
      )}
      {data.status === 'ready' && (
        <>
          {data.value[0].filter((view) => view.status.kind !== 'not-required').length === 0 && (
            <p>There is no policy for you to sign at the moment.</p>
          )}
          {data.value[0]
            .filter((view) => view.status.kind !== 'not-required')
            .map((view) => (
              <PolicyPanel
                key={view.policy.key}
                api={api}
                view={view}
                history={data.value[1]}
                onChanged={reload}
              />
            ))}
          <HistoryList api={api} history={data.value[1]} />
        </>
      )}
    </div>
  );
}
