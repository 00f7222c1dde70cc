import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from '@fluentui/react-components';
import { Component, type ReactNode } from 'react';
import { ChunkLoadError } from './chunk-load.ts';

export interface ViewBoundaryProps {
  children: ReactNode;
  /** Reloads the tab; tests pass their own. */
  reload?: () => void;
}

type State = { failed: false } | { failed: true; error: unknown };

function reloadTab(): void {
  window.location.reload();
}

/** What the tab says when a chunk it needs is gone (see ChunkLoadError). */
export function UpdatedMessage({ reload = reloadTab }: { reload?: () => void }) {
  return (
    <MessageBar intent="warning" layout="multiline" role="alert">
      <MessageBarBody>
        <MessageBarTitle>Countersign was updated: reload</MessageBarTitle>A newer version of
        Countersign was published while this tab was open, so part of it could not be loaded. Reload
        to carry on; nothing you have saved is lost.
      </MessageBarBody>
      <MessageBarActions>
        <Button appearance="primary" onClick={reload}>
          Reload
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}

/**
 * Catches what a view throws while loading or rendering, so the tab never goes blank: a view
 * whose chunk is gone after a deploy asks for a reload; any other failure says so in words
 * and offers to try again. React reports the error itself (console.error).
 */
export class ViewBoundary extends Component<ViewBoundaryProps, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(error: unknown): State {
    return { failed: true, error };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    const reload = this.props.reload ?? reloadTab;
    if (this.state.error instanceof ChunkLoadError) return <UpdatedMessage reload={reload} />;
    return (
      <MessageBar intent="error" layout="multiline" role="alert">
        <MessageBarBody>
          <MessageBarTitle>Something went wrong</MessageBarTitle>
          This part of Countersign stopped working. Try again, or reload the tab; if it keeps
          happening, tell the school office.
        </MessageBarBody>
        <MessageBarActions>
          <Button onClick={() => this.setState({ failed: false })}>Try again</Button>
          <Button onClick={reload}>Reload</Button>
        </MessageBarActions>
      </MessageBar>
    );
  }
}
