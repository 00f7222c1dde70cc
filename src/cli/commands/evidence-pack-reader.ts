import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { CountersignError } from '../../domain/errors.ts';
import {
  PACK_PATHS,
  packManifestSchema,
  packRowSchema,
  packRowsFileSchema,
} from '../../domain/evidence-pack/pack-files.ts';
import type { PackInput } from '../../domain/evidence-pack/verify-pack.ts';
import { keyRingSchema } from '../../domain/evidence/key-ring.ts';

function readJson<T>(dir: string, path: string, schema: z.ZodType<T>): T {
  const full = join(dir, path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(full, 'utf8')) as unknown;
  } catch (error) {
    throw new CountersignError(
      'validation',
      `The pack's ${path} cannot be read as JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new CountersignError(
      'validation',
      `The pack's ${path} is not valid: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}

/**
 * An evidence pack folder as verify reads it: the manifest (to find the parts), the keys in it,
 * the records as stored and each version's stored text. Nothing is fetched: the pack alone.
 */
export function readEvidencePack(dir: string): PackInput & { policyKey: string } {
  if (!existsSync(join(dir, PACK_PATHS.manifest))) {
    throw new CountersignError(
      'validation',
      `${dir} is not an evidence pack (no ${PACK_PATHS.manifest}).`,
    );
  }
  const manifest = readJson(dir, PACK_PATHS.manifest, packManifestSchema);
  const documents = new Map<number, string>();
  for (const { number } of manifest.versions) {
    const path = join(dir, PACK_PATHS.versionDocument(number));
    // Kept as text, byte for byte: verify hashes what is there, not a re-serialisation.
    if (existsSync(path)) documents.set(number, readFileSync(path, 'utf8'));
  }
  return {
    policyKey: manifest.policyKey,
    keyRing: readJson(dir, PACK_PATHS.keys, keyRingSchema),
    acknowledgements: readJson(dir, PACK_PATHS.acknowledgements, packRowsFileSchema).rows,
    approvalDecisions: readJson(dir, PACK_PATHS.approvalDecisions, packRowsFileSchema).rows,
    versions: readJson(dir, PACK_PATHS.versions, packRowsFileSchema).rows,
    documents,
    checkpoint:
      manifest.checkpoint === null ? null : readJson(dir, PACK_PATHS.checkpoint, packRowSchema),
  };
}
