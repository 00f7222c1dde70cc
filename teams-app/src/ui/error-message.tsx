import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { describeError } from '../api/api-error.ts';

export function ErrorMessage({ title, error }: { title: string; error: unknown }) {
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {describeError(error)}
      </MessageBarBody>
    </MessageBar>
  );
}
