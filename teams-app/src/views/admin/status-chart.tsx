import { makeStyles, tokens } from '@fluentui/react-components';
import type { PeoplePage, PersonStatusKind, StatusCounts } from '../../api/api-types.ts';
import { STATUS_KINDS, statusKindLabel } from '../../ui/format.ts';

const useStyles = makeStyles({
  chart: { margin: '0' },
  group: { marginBlockEnd: tokens.spacingVerticalM },
  name: { fontWeight: tokens.fontWeightSemibold },
  audience: { textTransform: 'capitalize' },
  sum: { color: tokens.colorNeutralForeground2, marginBlockStart: tokens.spacingVerticalXS },
  row: {
    display: 'grid',
    gridTemplateColumns: '10em minmax(0, 1fr) 3em',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
  },
  track: { height: '12px', backgroundColor: tokens.colorNeutralBackground3 },
  count: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  signed: { backgroundColor: tokens.colorPaletteGreenForeground1 },
  'awaiting-approval': { backgroundColor: tokens.colorPaletteBlueForeground2 },
  rejected: { backgroundColor: tokens.colorPaletteDarkRedBorderActive },
  due: { backgroundColor: tokens.colorPaletteMarigoldForeground1 },
  overdue: { backgroundColor: tokens.colorPaletteRedForeground1 },
  'not-required': { backgroundColor: tokens.colorNeutralForeground3 },
  bar: { height: '100%', forcedColorAdjust: 'none' },
});

function people(n: number): string {
  return `${n} ${n === 1 ? 'person' : 'people'}`;
}

/** "2 signed + 1 due + … = 3 people": the sum a reader can check by eye. */
function sumLine(counts: StatusCounts, all: number): string {
  const parts = STATUS_KINDS.map(
    (kind) => `${counts[kind]} ${statusKindLabel(kind).toLowerCase()}`,
  );
  return `${parts.join(' + ')} = ${people(all)}`;
}

function Bars({ counts, all }: { counts: StatusCounts; all: number }) {
  const styles = useStyles();
  return STATUS_KINDS.map((kind: PersonStatusKind) => {
    const n = counts[kind];
    const percent = all === 0 ? 0 : Math.round((n / all) * 100);
    return (
      <div key={kind} className={styles.row}>
        <span>{statusKindLabel(kind)}</span>
        <div className={styles.track} aria-hidden="true">
          <div className={`${styles.bar} ${styles[kind]}`} style={{ width: `${percent}%` }} />
        </div>
        <span className={styles.count}>{n}</span>
      </div>
    );
  });
}

/**
 * Every status, for everyone and then by audience, as plain CSS bars. Every bar has its number
 * written beside it, and each group its sum, so the figure reads the same to a screen reader and
 * in high contrast, and the rows add up to the people counted.
 */
export function StatusChart({
  page,
  filtered,
}: {
  page: Pick<PeoplePage, 'totals' | 'overall' | 'people'>;
  /** An audience or search filter is set: an empty result is about the filter, not the policy. */
  filtered: boolean;
}) {
  const styles = useStyles();
  const audiences = Object.keys(page.totals).sort();
  return (
    <figure className={styles.chart} aria-labelledby="chart-caption">
      <figcaption id="chart-caption">
        <h3>Status of everyone{filtered ? ' matching the filters' : ''}, by audience</h3>
      </figcaption>
      {page.people === 0 ? (
        <p>
          {filtered ? 'No one matches these filters.' : 'Nobody is in this policy’s audiences yet.'}
        </p>
      ) : (
        <>
          <div className={styles.group}>
            <p className={styles.name}>Everyone ({people(page.people)})</p>
            <Bars counts={page.overall} all={page.people} />
            <p className={styles.sum}>{sumLine(page.overall, page.people)}</p>
          </div>
          {audiences.map((audience) => {
            const counts = page.totals[audience];
            if (counts === undefined) return null;
            const all = STATUS_KINDS.reduce((sum, kind) => sum + counts[kind], 0);
            return (
              <div key={audience} className={styles.group}>
                <p className={styles.name}>
                  <span className={styles.audience}>{audience}</span> ({people(all)})
                </p>
                <Bars counts={counts} all={all} />
              </div>
            );
          })}
        </>
      )}
    </figure>
  );
}
