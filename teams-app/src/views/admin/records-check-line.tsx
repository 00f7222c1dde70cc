import { makeStyles, tokens } from '@fluentui/react-components';
import type { ApiClient } from '../../api/api-client.ts';
import { useLoad } from '../../ui/use-load.ts';

const useStyles = makeStyles({
  line: { margin: 0 },
  ok: { color: tokens.colorPaletteGreenForeground1 },
  failed: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  details: { margin: 0, paddingLeft: tokens.spacingHorizontalXL },
});

/**
 * "Records check: all N hold, last checked …" (the service verifies every record nightly with
 * the published keys), or what failed, in the words the admin digest uses too.
 */
export function RecordsCheckLine({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const [loaded] = useLoad(() => api.recordsCheck(), [api]);
  if (loaded.status !== 'ready') return null;
  const { check, line, details } = loaded.value;
  const failed = check !== null && !check.ok;
  return (
    <section aria-label="Records check">
      <p
        role="status"
        className={`${styles.line} ${failed ? styles.failed : check === null ? '' : styles.ok}`}
      >
        {line}
      </p>
      {details.length > 0 && (
        <ul className={styles.details}>
          {details.map((detail, i) => (
            <li key={i}>{detail}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
