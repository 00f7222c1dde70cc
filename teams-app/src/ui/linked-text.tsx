import { Fragment } from 'react';

/** An https address in policy text; its trailing full stop, comma or bracket is the sentence's. */
const HTTPS = /https:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'’]/g;

/**
 * Policy text with its https addresses as links (opened in a new tab); everything else, http
 * and javascript: addresses included, stays plain text. React escapes the rest.
 */
export function LinkedText({ text }: { text: string }) {
  const parts: (string | { href: string })[] = [];
  let at = 0;
  for (const match of text.matchAll(HTTPS)) {
    if (match.index > at) parts.push(text.slice(at, match.index));
    parts.push({ href: match[0] });
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return (
    <>
      {parts.map((part, index) =>
        typeof part === 'string' ? (
          <Fragment key={index}>{part}</Fragment>
        ) : (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.href}
          </a>
        ),
      )}
    </>
  );
}
