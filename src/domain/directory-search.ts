/**
 * Entra's tokenized `$search` on a directory object's displayName, as Microsoft documents it
 * ("Use the $search query parameter", section "Using $search on directory object collections",
 * https://learn.microsoft.com/graph/search-query-parameter#using-search-on-directory-object-collections):
 * words are split at spaces, symbols and numbers, and where the casing changes from lower to
 * upper ("HelloWorld" is "hello", "world"; "HELLOworld" is one token); words separated only by
 * symbols also match joined ("helloworld" finds "hello-world"); tokens match in any order,
 * whatever their case. A search word matches a token it begins: List users' example
 * (https://learn.microsoft.com/graph/api/user-list, "display names that contain the letters
 * 'wa'") finds "Oscar Ward" with `$search="displayName:wa"`.
 * The memory Directory and the Graph emulator both search with this, so they agree.
 */
export function searchTokens(text: string): string[] {
  const words = text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .flatMap((part) => part.split(/(\p{N}+)/u))
    .map((part) => part.toLowerCase())
    .filter((part) => part !== '');
  // Words separated only by symbols also match joined: "year-7" is also "year7".
  const joined = text
    .split(/\s+/)
    .filter((chunk) => /[^\p{L}\p{N}]/u.test(chunk))
    .map((chunk) => chunk.replace(/[^\p{L}\p{N}]+/gu, '').toLowerCase())
    .filter((chunk) => chunk !== '');
  return [...new Set([...words, ...joined])];
}

/** Every word of the search begins some token of the name (in any order). */
export function matchesSearch(displayName: string, search: string): boolean {
  const wanted = searchTokens(search);
  if (wanted.length === 0) return false;
  const tokens = searchTokens(displayName);
  return wanted.every((word) => tokens.some((token) => token.startsWith(word)));
}
