import {
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  type Theme,
} from '@fluentui/react-components';

/** The three Teams themes (teams-js `app.theme`), mapped to Fluent's Teams themes. */
export type ThemeName = 'default' | 'dark' | 'contrast';

export function toThemeName(value: string | null | undefined): ThemeName {
  if (value === null || value === undefined) return 'default';
  switch (value) {
    case 'dark':
      return 'dark';
    case 'contrast':
    case 'high-contrast':
      return 'contrast';
    default:
      return 'default';
  }
}

export function fluentTheme(name: ThemeName): Theme {
  switch (name) {
    case 'dark':
      return teamsDarkTheme;
    case 'contrast':
      return teamsHighContrastTheme;
    case 'default':
      return teamsLightTheme;
  }
}
