import { z } from 'zod';

/** The pack's format: bump it when a file changes meaning, so an old verifier refuses a new pack. */
export const PACK_FORMAT = 'countersign-evidence-pack/1';

/** Where each part of a pack lives, relative to its folder. */
export const PACK_PATHS = {
  manifest: 'manifest.json',
  howToVerify: 'HOW-TO-VERIFY.txt',
  keys: 'keys.json',
  checkpoint: 'checkpoint.json',
  acknowledgements: 'records/acknowledgements.json',
  approvalDecisions: 'records/approval-decisions.json',
  versions: 'records/versions.json',
  /** The version's Document column exactly as stored. */
  versionDocument: (n: number) => `texts/v${n}.document.json`,
  versionText: (n: number) => `texts/v${n}.txt`,
  versionPdf: (n: number) => `texts/v${n}.pdf`,
  registerPdf: (n: number) => `register-v${n}.pdf`,
  registerJson: (n: number) => `register-v${n}.json`,
  personPdf: (upn: string) => `people/${upn.toLowerCase().replace(/[^a-z0-9@._-]/g, '_')}.pdf`,
} as const;

/**
 * One stored row of a list holding signed records, copied as stored: the signed record (its
 * canonical JSON text, the bytes the signature covers after the signing tag), the signature and
 * record hash columns, and the plain columns (by record field name) reports read.
 */
export const packRowSchema = z.object({
  itemId: z.string().optional(),
  Record: z.string(),
  Signature: z.string().optional(),
  RecordHash: z.string().optional(),
  columns: z.record(z.string(), z.unknown()).default({}),
});
export type PackRow = z.infer<typeof packRowSchema>;

export const packRowsFileSchema = z.object({ rows: z.array(packRowSchema) });

/** What a pack says about itself. Not evidence (unsigned): verify reads it to find the parts. */
export const packManifestSchema = z.object({
  format: z.literal(PACK_FORMAT),
  school: z.string(),
  policyKey: z.string(),
  policyTitle: z.string(),
  /** ISO 8601 UTC. */
  createdAt: z.iso.datetime(),
  versions: z.array(z.object({ number: z.number().int().min(1), label: z.string() })),
  people: z.array(z.string()),
  /** The checkpoint's id, or null when the site had none when the pack was made. */
  checkpoint: z.string().nullable(),
});
export type PackManifest = z.infer<typeof packManifestSchema>;
