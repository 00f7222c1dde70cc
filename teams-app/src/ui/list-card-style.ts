import { tokens } from '@fluentui/react-components';

/**
 * One item of a list shown as a card (a campaign, an approval request, a pending approval): the
 * same surface everywhere, spread into each view's makeStyles.
 */
export const listCardStyle = {
  display: 'flex',
  flexDirection: 'column',
  gap: tokens.spacingVerticalS,
  padding: tokens.spacingHorizontalM,
  marginBlockEnd: tokens.spacingVerticalM,
  backgroundColor: tokens.colorNeutralBackground1,
  border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  borderRadius: tokens.borderRadiusMedium,
  overflowWrap: 'anywhere',
} as const;
