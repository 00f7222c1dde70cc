import { adaptiveCard, heading, text, type AdaptiveCard } from './card-kit.ts';

export interface ErrorCardInput {
  title: string;
  message: string;
  /** A stable code (CountersignError code) so support can tell errors apart. */
  code?: string;
}

/** Answers a card action that could not be done, in place of the card acted on. */
export function errorCard(input: ErrorCardInput): AdaptiveCard {
  return adaptiveCard(
    [
      heading(input.title),
      text(input.message, { color: 'Attention', spacing: 'Small' }),
      ...(input.code === undefined
        ? []
        : [text(`Reference: ${input.code}`, { isSubtle: true, size: 'Small' })]),
    ],
    { fallbackText: `${input.title}: ${input.message}` },
  );
}
