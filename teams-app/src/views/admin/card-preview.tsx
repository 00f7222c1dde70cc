import { makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { ErrorMessage } from '../../ui/error-message.tsx';

const useStyles = makeStyles({
  frame: {
    maxWidth: '480px',
    padding: tokens.spacingHorizontalM,
    // Always a light card, as Teams shows it in its default theme. The host config's colours are
    // for a light background, and the card's native inputs follow color-scheme: in a dark tab
    // they would turn dark inside the white card, their placeholders unreadable.
    colorScheme: 'light',
    backgroundColor: '#ffffff',
    color: '#242424',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    overflowWrap: 'anywhere',
    forcedColorAdjust: 'auto',
  },
});

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * The little Markdown Teams renders in a TextBlock (bold, italic, line breaks and links), with
 * CommonMark's rule that a delimiter touching a space opens or closes nothing: the bot keeps
 * data's own asterisks and underscores from forming emphasis with hair spaces
 * (src/bot/cards/card-kit.ts, escapeMarkdown), and JavaScript's \s counts those as spaces. Links
 * only to https addresses (the bot offers no other); nothing in the text becomes markup.
 */
export function processMarkdown(
  text: string,
  result: { didProcess: boolean; outputHtml?: unknown },
): void {
  // Cards from before the bot stopped backslash-escaping: an escaped character is literal text.
  const held = text.replace(
    /\\([!-/:-@[-`{-~])/g,
    (_, ch: string) => `\uE000${ch.charCodeAt(0)}\uE000`,
  );
  result.outputHtml = escapeHtml(held)
    .replace(
      /\[([^\]\n]+)\]\((https:\/\/[^)\s]+)\)/g,
      '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>',
    )
    .replace(/\*\*(?!\s)(.+?)(?<!\s)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|\s)_(?!\s)(.+?)(?<!\s)_(?=\s|$)/g, '$1<em>$2</em>')
    .replace(/\n/g, '<br>')
    .replace(/\uE000(\d+)\uE000/g, (_, code: string) =>
      escapeHtml(String.fromCharCode(Number(code))),
    );
  result.didProcess = true;
}

/**
 * The exact card the bot sends (GET /api/admin/campaigns/preview-card), rendered by the
 * adaptivecards library as Teams would. The library is loaded here only, when a preview is asked
 * for. Actions are shown but do nothing: this is a preview.
 */
export function CardPreview({ card }: { card: Record<string, unknown> }) {
  const styles = useStyles();
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<unknown>(null);
  // The card last drawn (or that failed to draw): until it is this one, the preview is busy.
  const [drawn, setDrawn] = useState<Record<string, unknown> | null>(null);
  useEffect(() => {
    let cancelled = false;
    import('adaptivecards')
      .then((ac) => {
        if (cancelled || host.current === null) return;
        ac.AdaptiveCard.onProcessMarkdown = processMarkdown;
        const adaptive = new ac.AdaptiveCard();
        adaptive.hostConfig = new ac.HostConfig({
          fontFamily: '"Segoe UI", system-ui, sans-serif',
          supportsInteractivity: true,
          // Headings in the card sit under the tab's "Launch a campaign" (h2).
          textBlock: { headingLevel: 3 },
        });
        adaptive.parse(card, new ac.SerializationContext());
        const problems = adaptive.validateProperties().validationEvents;
        adaptive.onExecuteAction = () => undefined;
        const element = adaptive.render();
        if (element === undefined) throw new Error('The card did not render.');
        host.current.replaceChildren(element);
        if (problems.length > 0) setError(new Error(problems.map((e) => e.message).join(' ')));
        setDrawn(card);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        setError(e);
        setDrawn(card);
      });
    return () => {
      cancelled = true;
    };
  }, [card]);
  return (
    <>
      {error !== null && <ErrorMessage title="The card preview has problems" error={error} />}
      <div
        className={styles.frame}
        ref={host}
        role="region"
        aria-label="Card preview"
        aria-busy={drawn !== card}
      />
    </>
  );
}
