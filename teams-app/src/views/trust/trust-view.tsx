import {
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { Session } from '../../app/session.ts';
import { SectionNav } from '../../ui/section-nav.tsx';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { EvidencePackButton } from '../admin/evidence-pack-button.tsx';
import { TrustPoliciesPanel } from './trust-policies-panel.tsx';
import { STATUS_KINDS, statusKindLabel } from '../../ui/format.ts';
import { useLoad } from '../../ui/use-load.ts';

const useStyles = makeStyles({
  school: { marginBlockEnd: tokens.spacingVerticalXL },
  scroll: { overflowX: 'auto' },
  number: { textAlign: 'end' },
});

/**
 * The trust's schools side by side (GET /api/trust/compliance): for each school, each policy's
 * current version and, per audience, how many people stand where. The trust lead sees every
 * school; a school's admin their own. Read-only: acting is each school's Admin view, or, for
 * trust-wide policies, the "Trust policies" section (the lead's master text, a school admin's own
 * clauses: trust-policies-panel.tsx). Each
 * published policy offers its current version's register PDF, the evidence pack that school's
 * admin downloads (GET /api/trust/schools/:schoolId/policies/:key/evidence.pdf).
 */
export default function TrustView({ session }: { session: Session }) {
  const styles = useStyles();
  const [part, setPart] = useState<'schools' | 'policies'>('schools');
  const [loaded] = useLoad(() => session.api.trustCompliance(), [session.api]);
  if (loaded.status === 'loading') return <Spinner label="Loading the schools…" />;
  if (loaded.status === 'failed') {
    return <ErrorMessage title="The schools could not be loaded" error={loaded.error} />;
  }
  const { trust, schools, view } = loaded.value;
  return (
    <>
      <h1>{trust.name}</h1>
      <SectionNav
        label="Trust sections"
        current={part}
        onSelect={setPart}
        items={[
          { key: 'schools', label: 'Schools side by side' },
          { key: 'policies', label: 'Trust policies' },
        ]}
      />
      {part === 'policies' && <TrustPoliciesPanel api={session.api} lead={view === 'trust-lead'} />}
      {part === 'schools' &&
        schools.map((school) => (
          <section key={school.id} aria-label={school.name} className={styles.school}>
            <h2>{school.name}</h2>
            {school.policies.length === 0 && <Text>No policies yet.</Text>}
            {school.policies.map((policy) => (
              <div key={policy.key} className={styles.scroll}>
                <h3>
                  {policy.title}
                  {policy.version === undefined
                    ? ' (not published yet)'
                    : ` (version ${policy.version.number}, ${policy.version.label})`}
                </h3>
                {policy.version !== undefined && (
                  <EvidencePackButton
                    label={`Download ${school.name}'s evidence pack for ${policy.title}`}
                    load={() => session.api.schoolEvidencePdf(school.id, policy.key)}
                  />
                )}
                <Table size="small" aria-label={`${school.name}: ${policy.title}`}>
                  <TableHeader>
                    <TableRow>
                      <TableHeaderCell>Audience</TableHeaderCell>
                      {STATUS_KINDS.map((kind) => (
                        <TableHeaderCell key={kind}>{statusKindLabel(kind)}</TableHeaderCell>
                      ))}
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {[
                      ...policy.audiences,
                      { key: '*', label: `Everyone (${policy.people})`, counts: policy.overall },
                    ].map((audience) => (
                      <TableRow key={audience.key}>
                        <TableCell>{audience.label}</TableCell>
                        {STATUS_KINDS.map((kind) => (
                          <TableCell key={kind} className={styles.number}>
                            {audience.counts[kind] ?? 0}
                          </TableCell>
                        ))}
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </div>
            ))}
          </section>
        ))}
    </>
  );
}
