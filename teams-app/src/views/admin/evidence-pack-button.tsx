import { Button } from '@fluentui/react-components';
import { useState } from 'react';
import type { DownloadedFile } from '../../api/api-client.ts';
import { downloadBlob } from '../../ui/download.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';

/**
 * One click to the evidence pack's PDF (the service assembles and checks it at the request, so
 * it can take a few seconds for a large school): busy while it is made, then downloaded under
 * the name the service gave it; a failure says why.
 */
export function EvidencePackButton({
  label,
  load,
}: {
  label: string;
  load: () => Promise<DownloadedFile>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const download = () => {
    setBusy(true);
    setError(null);
    load().then(
      (file) => {
        setBusy(false);
        downloadBlob(file.blob, file.fileName);
      },
      (e: unknown) => {
        setBusy(false);
        setError(e);
      },
    );
  };
  return (
    <>
      <Button onClick={download} disabled={busy} aria-busy={busy}>
        {busy ? 'Making the evidence pack…' : label}
      </Button>
      {error !== null && <ErrorMessage title="The evidence pack could not be made" error={error} />}
    </>
  );
}
