import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';

/**
 * Long policy texts for the contract suites (issue 12, item 6): a version's document must
 * round-trip byte-exact however long it is, through whatever storage an adapter uses.
 */

export const AUP_FIXTURES = '/work/shared/fixtures/aup';

/** The largest AUP fixture file, or why there is none (the suites skip, saying so). */
export function largestAupFixture(dir = AUP_FIXTURES): { path: string } | { missing: string } {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile());
  } catch {
    return { missing: `${dir} does not exist` };
  }
  const [largest] = names
    .map((n) => ({ path: join(dir, n), size: statSync(join(dir, n)).size }))
    .sort((a, b) => b.size - a.size);
  return largest === undefined ? { missing: `${dir} holds no files` } : { path: largest.path };
}

/**
 * 200 clauses over 20 sections (over 64 K characters as JSON, past what a multiple-lines column
 * holds), with text a column or a careless encoder would mangle: quotes, accents, <tags>, 🙂.
 */
export function longPolicy(): PolicyDocument {
  return {
    title: 'Staff Acceptable Use Policy — 200 clauses',
    sections: Array.from({ length: 20 }, (_, s) => ({
      heading: `Section ${s + 1}: “Devices”, données & 🙂`,
      clauses: Array.from({ length: 10 }, (_, c) => ({
        number: `${s + 1}.${c + 1}`,
        text: `Clause ${s * 10 + c + 1}: I will use school devices, accounts and networks responsibly; I will not share "passwords", café Wi-Fi keys or <tags> & I will report concerns without delay. `.repeat(
          3,
        ),
        items: c % 3 === 0 ? ['First point.', 'Second point — with a dash.'] : [],
      })),
    })),
    declaration: 'I have read, understood and agreed to this policy.',
    consents: [{ key: 'photo', text: 'You may use my photograph on the school website.' }],
    approval: null,
  };
}
