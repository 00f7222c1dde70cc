/** What the page says about this pack. */
export interface HowToVerifyFacts {
  schoolName: string;
  policyTitle: string;
  /** When the pack was made, in the school's zone. */
  createdAtLocal: string;
  /** Key ids in keys.json. */
  keyIds: readonly string[];
  /** "checkpoint:12 of 3 December 2026, 17:30 GMT", or null when the site had none. */
  checkpoint: string | null;
}

/** The verifier command an inspector runs: the same in the text, the PDFs and the tests. */
export const PACK_VERIFY_COMMAND = 'countersign verify --pack <this folder>';

/**
 * The one page that says how to check this pack with nothing but the pack and the published
 * verifier, offline: what is evidence in it and what is only a rendering, the command, what its
 * answer means, and how to check a signature by hand. Paragraphs; a blank string between them.
 */
export function howToVerify(facts: HowToVerifyFacts): string[] {
  return [
    'HOW TO VERIFY THIS EVIDENCE PACK',
    `${facts.schoolName}: ${facts.policyTitle}. Pack made ${facts.createdAtLocal}.`,
    '',
    "What is evidence. records/ holds every record exactly as Countersign stored it: the signed record (Record, canonical JSON), its digital signature (Signature) and its SHA-256 (RecordHash), with the plain columns reports read. keys.json holds the public keys the school publishes (key id, algorithm, validity); a public key can check a signature but cannot make one. texts/vN.document.json is the exact text of each version as stored; the version's signed record names its content hash. The PDFs and .txt files are readable renderings of the same records: where they differ, the records are right.",
    '',
    'To verify, offline (no network, no account, no access to the school):',
    `  1. Install Node.js 24 and Countersign's command line ("countersign", bin/countersign.mjs in its source).`,
    `  2. Run: ${PACK_VERIFY_COMMAND}`,
    "  3. It checks every record's signature with the keys in keys.json only, every plain column against its signed record, each approval state against the signed decisions, that each version signed is in the pack, each version's text against its signed content hash, and the checkpoint's signature.",
    '  4. "All signed records in the pack hold" with exit code 0: nothing in records/ or texts/ changed after Countersign signed it. Otherwise each finding names the record and what is wrong (field-edited, version-text-edited, row-deleted, unknown-key, record-forged) and the exit code is 1.',
    '',
    `Check the keys are the school's: compare keys.json (key ids ${facts.keyIds.join(', ') || 'none'}) with the keys the service publishes at /api/evidence/keys, or a copy the school gave you separately. Keys taken only from this pack prove the pack is consistent, not who made it.`,
    '',
    facts.checkpoint === null
      ? 'Checkpoint: none existed when this pack was made.'
      : `Checkpoint: checkpoint.json is the latest signed checkpoint (${facts.checkpoint}): chain heads and counts of every evidence list then. Compare it with the copy kept outside the site (the school's immutable storage) to confirm the site's history up to that point.`,
    '',
    'What a pack cannot show: it is a part of the school\'s evidence (one policy), so it cannot prove no other record of it exists. Completeness (deleted rows, the audit chain, checkpoints) is checked with "countersign verify" against the school\'s site.',
    '',
    'By hand: each signature covers the UTF-8 bytes "countersign.evidence/<kind>/v1", a newline, then the Record text; Ed25519 signs those bytes, ES256 their SHA-256 (r||s, base64url in "sig"). RecordHash is the SHA-256 of the same bytes. The key is the keys.json entry whose kid the signature names, valid at the record\'s own signing time.',
  ];
}
