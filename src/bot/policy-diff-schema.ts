import { z } from 'zod';
import type { ListedDiff } from './cards/policy-changes.ts';

/**
 * The service's `whatChanged` types its diff as `unknown` (the API passes it through as JSON), so
 * the bot checks the parts a card lists before reading them. The shape is the domain's PolicyDiff.
 */
const clause = z.object({
  sectionHeading: z.string(),
  number: z.string().optional(),
  text: z.string(),
  items: z.array(z.string()),
  audience: z.array(z.string()).optional(),
});
const consent = z.object({ key: z.string(), text: z.string() });
const textChange = z.object({ before: z.string(), after: z.string() });

const cardDiffSchema = z.object({
  added: z.array(clause),
  removed: z.array(clause),
  reworded: z.array(z.object({ before: clause, after: clause, similarity: z.number() })),
  audienceChanged: z.array(z.object({ before: clause, after: clause })),
  declaration: textChange.nullable(),
  consents: z.object({
    added: z.array(consent),
    removed: z.array(consent),
    reworded: z.array(z.object({ key: z.string(), before: z.string(), after: z.string() })),
  }),
});

/** The diff when it has the expected shape; undefined otherwise (the card then shows the summary). */
export function readDiff(value: unknown): ListedDiff | undefined {
  const parsed = cardDiffSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
