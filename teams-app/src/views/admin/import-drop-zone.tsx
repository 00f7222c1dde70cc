import { Spinner, makeStyles, mergeClasses, tokens, useId } from '@fluentui/react-components';
import { useState, type DragEvent } from 'react';

const useStyles = makeStyles({
  zone: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalL,
    border: `${tokens.strokeWidthThick} dashed ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  over: {
    border: `${tokens.strokeWidthThick} dashed ${tokens.colorBrandStroke1}`,
    backgroundColor: tokens.colorBrandBackground2,
  },
  input: { maxWidth: '100%' },
});

export const ACCEPTED_IMPORT = '.docx,.txt,.md';

/** Drop a Word or text file here, or pick one with the (keyboard-reachable) file input. */
export function ImportDropZone({ busy, onFile }: { busy: boolean; onFile: (file: File) => void }) {
  const styles = useStyles();
  const inputId = useId('import-file');
  const [over, setOver] = useState(false);
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file !== undefined) onFile(file);
  };
  return (
    <div
      className={mergeClasses(styles.zone, over && styles.over)}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <label htmlFor={inputId}>
        Drop the school’s AUP here (.docx or .txt), or choose the file:
      </label>
      <input
        id={inputId}
        className={styles.input}
        type="file"
        accept={ACCEPTED_IMPORT}
        disabled={busy}
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file !== undefined) onFile(file);
          event.target.value = '';
        }}
      />
      {busy && <Spinner size="tiny" label="Reading the document…" />}
    </div>
  );
}
