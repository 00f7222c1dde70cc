import {
  Badge,
  Button,
  Field,
  Input,
  Select,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useMemo, useState, type FormEvent } from 'react';
import type { ApiClient } from '../../api/api-client.ts';
import type { PeopleFilter, Policy } from '../../api/api-types.ts';
import { downloadBlob } from '../../ui/download.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { STATUS_KINDS, statusKindLabel, statusLabel, statusTone } from '../../ui/format.ts';
import { NameDiffersBadge } from '../../ui/name-differs-badge.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { EvidencePackButton } from './evidence-pack-button.tsx';
import { PersonPage } from './person-page.tsx';
import { StatusChart } from './status-chart.tsx';

type SortBy = 'name' | 'audiences' | 'status' | 'signed';
type Direction = 'ascending' | 'descending';

/** A column header that sorts the table: a button inside, aria-sort on the header cell. */
function SortHeader({
  label,
  by,
  sortBy,
  direction,
  onSort,
  className,
}: {
  label: string;
  by: SortBy;
  sortBy: SortBy;
  direction: Direction;
  onSort: (by: SortBy) => void;
  className: string;
}) {
  const active = by === sortBy;
  return (
    <th scope="col" className={className} aria-sort={active ? direction : 'none'}>
      <Button appearance="transparent" size="small" onClick={() => onSort(by)}>
        {label}
        {active ? (direction === 'ascending' ? ' ▲' : ' ▼') : ''}
      </Button>
    </th>
  );
}

const PAGE_SIZE = 25;

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalM,
    alignItems: 'end',
  },
  scroll: {
    overflowX: 'auto',
    ':focus-visible': { outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}` },
  },
  table: { width: '100%', borderCollapse: 'collapse' },
  cell: {
    textAlign: 'start',
    verticalAlign: 'top',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalS}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  email: { overflowWrap: 'anywhere', fontWeight: tokens.fontWeightRegular },
  status: { whiteSpace: 'nowrap' },
  signature: { overflowWrap: 'anywhere', minWidth: '12em' },
  badgeLine: { display: 'flex', marginBlockStart: tokens.spacingVerticalXS },
  field: { minWidth: '0', maxWidth: '100%' },
  pager: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalM,
    alignItems: 'center',
  },
});

/**
 * Everyone in a policy's audiences with their status and the signature it rests on (typed name
 * beside the account, flagged when they clearly differ): filters, paging, chart and CSV.
 */
export function PeoplePanel({
  api,
  policies,
  pageSize = PAGE_SIZE,
}: {
  api: ApiClient;
  policies: Policy[];
  pageSize?: number;
}) {
  const styles = useStyles();
  const [policyKey, setPolicyKey] = useState(policies[0]?.key ?? '');
  const [audience, setAudience] = useState('');
  const [status, setStatus] = useState('');
  const [searchText, setSearchText] = useState('');
  const [q, setQ] = useState('');
  // Cursors of the pages before this one, for "Previous".
  const [cursors, setCursors] = useState<string[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [exportError, setExportError] = useState<unknown>(null);
  const [sortBy, setSortBy] = useState<SortBy>('name');
  const [direction, setDirection] = useState<Direction>('ascending');
  const [personId, setPersonId] = useState<string | undefined>(undefined);
  const policy = policies.find((p) => p.key === policyKey);
  const filter: PeopleFilter = useMemo(
    () => ({
      policyKey,
      ...(audience === '' ? {} : { audience }),
      ...(status === '' ? {} : { status }),
      ...(q === '' ? {} : { q }),
      ...(sortBy === 'name' && direction === 'ascending' ? {} : { sort: sortBy, dir: direction }),
    }),
    [policyKey, audience, status, q, sortBy, direction],
  );
  const sort = (by: SortBy) => {
    resetPaging();
    if (by === sortBy) setDirection(direction === 'ascending' ? 'descending' : 'ascending');
    else {
      setSortBy(by);
      setDirection('ascending');
    }
  };
  const [page] = useLoad(
    () => api.people({ ...filter, pageSize, ...(cursor === undefined ? {} : { cursor }) }),
    [api, filter, cursor, pageSize],
  );
  const resetPaging = () => {
    setCursors([]);
    setCursor(undefined);
  };
  const search = (event: FormEvent) => {
    event.preventDefault();
    resetPaging();
    setQ(searchText.trim());
  };
  const exportCsv = () => {
    setExportError(null);
    api.peopleCsv(filter).then(
      (blob) => downloadBlob(blob, `${policyKey}-status.csv`),
      (e: unknown) => setExportError(e),
    );
  };
  const first = cursors.length * pageSize + 1;

  if (personId !== undefined) {
    return (
      <PersonPage
        api={api}
        policyKey={policyKey}
        userId={personId}
        onBack={() => setPersonId(undefined)}
      />
    );
  }

  return (
    <div className={styles.stack}>
      <h2>People and status</h2>
      <form className={styles.filters} onSubmit={search} role="search" aria-label="Filter people">
        {policies.length > 1 && (
          <Field label="Policy">
            <Select
              value={policyKey}
              onChange={(_e, data) => {
                resetPaging();
                setPolicyKey(data.value);
              }}
            >
              {policies.map((p) => (
                <option key={p.key} value={p.key}>
                  {p.title}
                </option>
              ))}
            </Select>
          </Field>
        )}
        <Field label="Audience">
          <Select
            value={audience}
            onChange={(_e, data) => {
              resetPaging();
              setAudience(data.value);
            }}
          >
            <option value="">Everyone</option>
            {(policy?.audiences ?? []).map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Status">
          <Select
            value={status}
            onChange={(_e, data) => {
              resetPaging();
              setStatus(data.value);
            }}
          >
            <option value="">Any status</option>
            {STATUS_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {statusKindLabel(kind)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Name or email">
          <Input
            type="search"
            value={searchText}
            onChange={(_e, data) => setSearchText(data.value)}
          />
        </Field>
        <Button type="submit">Search</Button>
        <Button onClick={exportCsv}>Export CSV</Button>
        <EvidencePackButton
          label="Evidence pack (PDF)"
          load={() => api.policyEvidencePdf(policyKey)}
        />
      </form>
      {exportError !== null && <ErrorMessage title="The CSV export failed" error={exportError} />}
      {page.status === 'loading' && <Spinner label="Loading people…" />}
      {page.status === 'failed' && (
        <ErrorMessage title="Could not load people" error={page.error} />
      )}
      {page.status === 'ready' && (
        <>
          <StatusChart page={page.value} filtered={audience !== '' || q !== ''} />
          <div
            className={styles.scroll}
            role="region"
            aria-label="People and their status"
            tabIndex={0}
          >
            <table className={styles.table}>
              <caption>
                {page.value.total === 0
                  ? 'Nobody matches these filters.'
                  : `Showing ${first}–${first + page.value.rows.length - 1} of ${page.value.total}`}
              </caption>
              <thead>
                <tr>
                  {(
                    [
                      ['Name', 'name'],
                      ['Audiences', 'audiences'],
                      ['Status', 'status'],
                      ['Signature', 'signed'],
                    ] as const
                  ).map(([label, by]) => (
                    <SortHeader
                      key={by}
                      label={label}
                      by={by}
                      sortBy={sortBy}
                      direction={direction}
                      onSort={sort}
                      className={styles.cell}
                    />
                  ))}
                </tr>
              </thead>
              <tbody>
                {page.value.rows.map((row) => {
                  const rowStatus = row.statuses[policyKey];
                  return (
                    <tr key={row.id}>
                      <th scope="row" className={styles.cell}>
                        <Button
                          appearance="transparent"
                          size="small"
                          aria-label={`Open ${row.displayName}`}
                          onClick={() => setPersonId(row.id)}
                        >
                          {row.displayName}
                        </Button>
                        <br />
                        <small className={styles.email}>{row.upn}</small>
                      </th>
                      <td className={styles.cell}>{row.audiences.join(', ')}</td>
                      <td className={`${styles.cell} ${styles.status}`}>
                        {rowStatus === undefined ? (
                          '—'
                        ) : (
                          <Badge appearance="tint" color={statusTone(rowStatus.kind)}>
                            {statusLabel(rowStatus)}
                          </Badge>
                        )}
                      </td>
                      <td className={`${styles.cell} ${styles.signature}`}>
                        {row.signature === undefined ? (
                          '—'
                        ) : (
                          <>
                            Typed: {row.signature.typedName}
                            <br />
                            <small className={styles.email}>
                              Account: {row.signature.displayName} ({row.signature.upn})
                            </small>
                            {row.signature.typedNameDiffers && (
                              <span className={styles.badgeLine}>
                                <NameDiffersBadge />
                              </span>
                            )}
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <nav className={styles.pager} aria-label="Pages of people">
            <Button
              disabled={cursors.length === 0}
              onClick={() => {
                const previous = cursors.slice(0, -1);
                setCursor(
                  cursors[cursors.length - 1] === '' ? undefined : cursors[cursors.length - 1],
                );
                setCursors(previous);
              }}
            >
              Previous page
            </Button>
            <Button
              disabled={page.value.nextCursor === undefined}
              onClick={() => {
                const next = page.value.nextCursor;
                if (next === undefined) return;
                setCursors([...cursors, cursor ?? '']);
                setCursor(next);
              }}
            >
              Next page
            </Button>
          </nav>
        </>
      )}
    </div>
  );
}
