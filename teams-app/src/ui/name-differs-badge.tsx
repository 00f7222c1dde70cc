import { Badge, makeStyles } from '@fluentui/react-components';

const useStyles = makeStyles({
  // A badge is one 20 px line by default: let the words wrap at narrow widths, and never
  // stretch across a flex column.
  badge: { height: 'auto', minHeight: '20px', alignSelf: 'flex-start', textAlign: 'start' },
});

/**
 * Shown to an approver or admin when the typed name is clearly not the account's display name
 * (the API's typedNameDiffers). The words carry the warning, not the colour alone.
 */
export function NameDiffersBadge() {
  const styles = useStyles();
  return (
    <Badge className={styles.badge} appearance="tint" color="warning" shape="rounded">
      Typed name differs from the account name
    </Badge>
  );
}
