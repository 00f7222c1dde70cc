import {
  FluentProvider,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../api/api-error.ts';
import { fluentTheme, toThemeName, type ThemeName } from '../host/theme.ts';
import { setSchoolTimeZone } from '../ui/school-time.ts';
import { AppShell } from './app-shell.tsx';
import { ChunkLoadError } from './chunk-load.ts';
import {
  chooseSchool,
  DEV_USER_STORAGE_KEY,
  detectLaunch,
  initialDevUser,
  startDevSession,
  startTeamsSession,
  type Launch,
  type Session,
} from './session.ts';
import { UpdatedMessage } from './view-boundary.tsx';

const useStyles = makeStyles({
  provider: {
    minHeight: '100vh',
    backgroundColor: tokens.colorNeutralBackground2,
    color: tokens.colorNeutralForeground1,
  },
  centre: { padding: tokens.spacingHorizontalXL },
});

type State =
  | { phase: 'starting' }
  | { phase: 'failed'; error: unknown }
  | { phase: 'ready'; launch: Launch; session: Session | null; devUser?: string };

/** Finds out where the tab runs, signs in, then hands over to the shell. */
export function Bootstrap() {
  const styles = useStyles();
  // Outside Teams, ?theme=dark|contrast lets tests and people try the other themes.
  const [theme, setTheme] = useState<ThemeName>(() =>
    toThemeName(new URLSearchParams(window.location.search).get('theme')),
  );
  const [state, setState] = useState<State>({ phase: 'starting' });

  // Native controls (file picker, date input, scroll bars) follow the theme too.
  useEffect(() => {
    document.documentElement.style.colorScheme = theme === 'default' ? 'light' : 'dark';
  }, [theme]);

  useEffect(() => {
    let cancelled = false;
    const start = async () => {
      const launch = await detectLaunch();
      // Before anything shows a date.
      setSchoolTimeZone(launch.config.timeZone);
      if (launch.kind === 'teams') {
        setTheme(launch.host.theme);
        launch.host.onThemeChange((next) => {
          if (!cancelled) setTheme(next);
        });
        const session = await startTeamsSession(launch.config, launch.host);
        if (!cancelled) setState({ phase: 'ready', launch, session });
        return;
      }
      const devUser = initialDevUser(launch.users, window.location.search);
      const session = devUser === undefined ? null : await startDevSession(devUser);
      if (!cancelled) {
        setState({
          phase: 'ready',
          launch,
          session,
          ...(devUser === undefined ? {} : { devUser }),
        });
      }
    };
    start().catch((error: unknown) => {
      if (!cancelled) setState({ phase: 'failed', error });
    });
    return () => {
      cancelled = true;
    };
  }, []);

  const switchUser = useCallback((key: string) => {
    try {
      window.localStorage.setItem(DEV_USER_STORAGE_KEY, key);
    } catch (error) {
      console.warn('Countersign: could not remember the demo user', error);
    }
    setState((previous) =>
      previous.phase === 'ready' ? { ...previous, session: null, devUser: key } : previous,
    );
    startDevSession(key).then(
      (session) =>
        setState((previous) =>
          previous.phase === 'ready' && previous.devUser === key
            ? { ...previous, session }
            : previous,
        ),
      (error: unknown) => setState({ phase: 'failed', error }),
    );
  }, []);

  // Someone in several schools chose another: the session names it on every request from now.
  const chooseSchoolFor = useCallback(async (session: Session, school: string) => {
    const chosen = await chooseSchool(session, school);
    setState((previous) =>
      previous.phase === 'ready' && previous.session?.me.id === chosen.me.id
        ? { ...previous, session: chosen }
        : previous,
    );
  }, []);

  return (
    <FluentProvider theme={fluentTheme(theme)} className={styles.provider} lang="en-GB">
      {state.phase === 'starting' && (
        <main className={styles.centre}>
          <Spinner label="Starting Countersign…" />
        </main>
      )}
      {state.phase === 'failed' && (
        <main className={styles.centre}>
          {state.error instanceof ChunkLoadError ? (
            <UpdatedMessage />
          ) : (
            <MessageBar intent="error">
              <MessageBarBody>
                <MessageBarTitle>Countersign could not start</MessageBarTitle>
                {describeError(state.error)}
              </MessageBarBody>
            </MessageBar>
          )}
        </main>
      )}
      {state.phase === 'ready' && (
        <AppShell
          session={state.session}
          entry={state.launch.kind === 'teams' ? state.launch.host.entry : undefined}
          onChooseSchool={chooseSchoolFor}
          {...(state.launch.kind === 'dev'
            ? {
                devUsers: state.launch.users,
                ...(state.devUser === undefined ? {} : { devUser: state.devUser }),
                onSwitchUser: switchUser,
              }
            : {})}
        />
      )}
    </FluentProvider>
  );
}
