import { z } from 'zod';
import { CountersignError } from './errors.ts';

/**
 * What a person types when signing (their full name and their role) is evidence that an
 * inspector reads, so it must read the same everywhere it is shown. Bidirectional controls can
 * make stored text display in a different order from how it is stored ("Jane \u202Ehtims" shows
 * as "Jane smith"), and invisible characters make two names that look identical differ. Such
 * text is refused, not silently cleaned: the person types it again and signs what they see.
 */
export type SignatureTextField = 'typedName' | 'statedRole';

/**
 * Unicode's Default_Ignorable_Code_Point is the set a renderer may draw as nothing: it holds every
 * bidi embedding, override, isolate and mark (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
 * U+061C), the zero-width space and joiners (U+200B–U+200D), U+2060, U+FEFF, U+180E, the soft
 * hyphen U+00AD, fillers, variation selectors and tags. Format characters (Cf) add the few
 * controls outside it (interlinear annotation); C0/C1 controls other than whitespace (which is
 * collapsed to one space) are refused too.
 */
const HIDDEN = /\p{Default_Ignorable_Code_Point}|\p{Cf}|(?![\t\n\v\f\r])\p{Cc}/u;

/** The first hidden character in the text, as "U+202E", or undefined when there is none. */
export function hiddenCharacterIn(value: string): string | undefined {
  const found = HIDDEN.exec(value)?.[0];
  if (found === undefined) return undefined;
  const codePoint = found.codePointAt(0) ?? 0;
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

const WHAT: Readonly<Record<SignatureTextField, string>> = {
  typedName: 'Your typed name',
  statedRole: 'Your role',
};

export function hiddenCharacterMessage(field: SignatureTextField): string {
  return `${WHAT[field]} contains an invisible or text-direction character; please type it again without copying and pasting.`;
}

/**
 * Throws a validation error naming the field when the text holds a hidden character. Run it on
 * the text as received, before trimming: String.prototype.trim and \s both treat U+FEFF as
 * space, so normalising first would hide it.
 */
export function assertVisibleText(field: SignatureTextField, value: string): void {
  const character = hiddenCharacterIn(value);
  if (character === undefined) return;
  throw new CountersignError('validation', hiddenCharacterMessage(field), { field, character });
}

/**
 * The same rule for a zod schema at a boundary: a string with no hidden character. Put it before
 * .trim() so a leading or trailing U+FEFF is refused rather than trimmed away.
 */
export function visibleTextSchema(field: SignatureTextField): z.ZodString {
  return z
    .string()
    .refine((value) => hiddenCharacterIn(value) === undefined, hiddenCharacterMessage(field));
}
