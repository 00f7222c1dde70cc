import { Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { ApiClient } from '../../api/api-client.ts';
import type { TrustPolicyView } from '../../api/api-types.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { MasterEditor } from './master-editor.tsx';
import { MasterWithdrawal } from './master-withdrawal.tsx';
import { VariantEditor } from './variant-editor.tsx';

const useStyles = makeStyles({
  policy: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
});

function copyLine(copy: TrustPolicyView['schools'][number]): string {
  if (copy.current === undefined) return `${copy.schoolName}: not published there yet`;
  const { number, label, masterVersion, variantVersion } = copy.current;
  const own = variantVersion === 0 ? 'no clauses of its own yet' : `its clauses ${variantVersion}`;
  const republish =
    copy.needsRepublish === undefined
      ? ''
      : `; to publish again: ${copy.needsRepublish.reason} Its admin publishes its clauses again.`;
  return `${copy.schoolName}: version ${number} (${label}), master ${masterVersion}, ${own}${copy.behindMaster ? '; behind the current master' : ''}${republish}`;
}

/**
 * Trust-wide policies (GET /api/trust/policies): the trust lead edits and publishes each master
 * text; a school's admin edits and publishes their own school's clauses. Each sees where every
 * school they may see stands. Who may do which is the API's decision; this only offers it.
 */
export function TrustPoliciesPanel({ api, lead }: { api: ApiClient; lead: boolean }) {
  const styles = useStyles();
  const [loaded, reload] = useLoad(() => api.trustPolicies(), [api]);
  if (loaded.status === 'loading') return <Spinner label="Loading the trust’s policies…" />;
  if (loaded.status === 'failed') {
    return <ErrorMessage title="The trust’s policies could not be loaded" error={loaded.error} />;
  }
  if (loaded.value.length === 0) return <Text>The trust has no trust-wide policies yet.</Text>;
  return (
    <>
      {loaded.value.map((view) => {
        const master = view.versions.find((v) => v.status === 'published');
        return (
          <section key={view.policy.key} aria-label={view.policy.title} className={styles.policy}>
            <h2>{view.policy.title}</h2>
            <p>
              {master === undefined
                ? 'The master is not published yet.'
                : `Master version ${master.number} (${master.label}).`}
            </p>
            <ul aria-label={`Where each school stands on ${view.policy.title}`}>
              {view.schools.map((copy) => (
                <li key={copy.schoolId}>{copyLine(copy)}</li>
              ))}
            </ul>
            {lead && <MasterWithdrawal api={api} view={view} onChanged={reload} />}
            {lead && <MasterEditor api={api} view={view} onChanged={reload} />}
            {!lead &&
              master !== undefined &&
              view.schools.map((copy) => (
                <VariantEditor
                  key={copy.schoolId}
                  api={api}
                  view={view}
                  copy={copy}
                  onChanged={reload}
                />
              ))}
          </section>
        );
      })}
    </>
  );
}
