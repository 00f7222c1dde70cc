import { Button, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  nav: { minWidth: '0' },
  // Wraps onto a second line at narrow widths: a sideways-scrolling strip hid its last items.
  list: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalXS,
    listStyleType: 'none',
    margin: '0',
    padding: '0',
  },
  item: { flexShrink: 0 },
  button: {
    borderRadius: '0',
    borderBottom: `${tokens.strokeWidthThicker} solid transparent`,
    fontWeight: tokens.fontWeightRegular,
  },
  current: {
    borderBottom: `${tokens.strokeWidthThicker} solid ${tokens.colorCompoundBrandStroke}`,
    fontWeight: tokens.fontWeightSemibold,
  },
});

export interface SectionNavProps<K extends string> {
  label: string;
  items: readonly { key: K; label: string }[];
  current: K;
  onSelect: (key: K) => void;
  className?: string;
}

/**
 * Switches between views: plain buttons in a labelled nav, the current one marked with
 * aria-current. (Fluent's TabList adds focus-trap helper elements that axe reports as focusable
 * inside aria-hidden, and these are views, not tab panels.)
 */
export function SectionNav<K extends string>({
  label,
  items,
  current,
  onSelect,
  className,
}: SectionNavProps<K>) {
  const styles = useStyles();
  return (
    <nav aria-label={label} className={mergeClasses(styles.nav, className)}>
      <ul className={styles.list}>
        {items.map((item) => (
          <li key={item.key} className={styles.item}>
            <Button
              appearance="subtle"
              className={mergeClasses(styles.button, item.key === current && styles.current)}
              aria-current={item.key === current ? 'page' : undefined}
              onClick={() => onSelect(item.key)}
            >
              {item.label}
            </Button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
