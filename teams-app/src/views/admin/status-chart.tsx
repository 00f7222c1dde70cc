import { makeStyles, tokens } from '@fluentui/react-components';
import type { PeoplePage, PersonStatusKind } from '../../api/api-types.ts';

const useStyles = makeStyles({
  chart: { margin: '0' },
  group: { marginBlockEnd: tokens.spacingVerticalM },
  name: { fontWeight: tokens.fontWeightSemibold },
  audience: { textTransform: 'capitalize' },
  row: {
    display: 'grid',
    gridTemplateColumns: '6.5em minmax(0, 1fr) 3em',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
  },
  track: { height: '12px', backgroundColor: tokens.colorNeutralBackground3 },
  count: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  signed: { backgroundColor: tokens.colorPaletteGreenForeground1 },
  due: { backgroundColor: tokens.colorPaletteMarigoldForeground1 },
  overdue: { backgroundColor: tokens.colorPaletteRedForeground1 },
  bar: { height: '100%', forcedColorAdjust: 'none' },
});

const SHOWN = ['signed', 'due', 'overdue'] as const satisfies readonly PersonStatusKind[];
const LABELS: Record<(typeof SHOWN)[number], string> = {
  signed: 'Signed',
  due: 'Due',
  overdue: 'Overdue',
};

/**
 * Signed / due / overdue by audience as plain CSS bars. Every bar has its number written beside
 * it, so the figure reads the same to a screen reader and in high contrast.
 */
export function StatusChart({ totals }: { totals: PeoplePage['totals'] }) {
  const styles = useStyles();
  const audiences = Object.keys(totals).sort();
  return (
    <figure className={styles.chart} aria-labelledby="chart-caption">
      <figcaption id="chart-caption">
        <h3>Signed, due and overdue by audience</h3>
      </figcaption>
      {audiences.length === 0 && <p>Nobody is in this policy’s audiences yet.</p>}
      {audiences.map((audience) => {
        const counts = totals[audience] ?? {};
        const all = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
        return (
          <div key={audience} className={styles.group}>
            <p className={styles.name}>
              <span className={styles.audience}>{audience}</span> ({all}{' '}
              {all === 1 ? 'person' : 'people'})
            </p>
            {SHOWN.map((kind) => {
              const n = counts[kind] ?? 0;
              const percent = all === 0 ? 0 : Math.round((n / all) * 100);
              return (
                <div key={kind} className={styles.row}>
                  <span>{LABELS[kind]}</span>
                  <div className={styles.track} aria-hidden="true">
                    <div
                      className={`${styles.bar} ${styles[kind]}`}
                      style={{ width: `${percent}%` }}
                    />
                  </div>
                  <span className={styles.count}>{n}</span>
                </div>
              );
            })}
          </div>
        );
      })}
    </figure>
  );
}
