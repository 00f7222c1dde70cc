import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createGraphAdapters,
  graphConfigFromEnv,
} from '../../adapters/graph/create-graph-adapters.ts';
import { PdfLibRenderer } from '../../adapters/pdf/pdf-lib-renderer.ts';
import { loadEnv } from '../../config/env.ts';
import { CountersignError } from '../../domain/errors.ts';
import { assembleEvidencePack, renderPackFiles } from '../../services/evidence-pack.ts';
import { loadKeyRing } from '../key-ring-source.ts';
import type { CliCommand } from '../run-cli.ts';
import { schoolFrom } from '../school-from-env.ts';

const USAGE = `usage: countersign evidence --policy KEY [--version N] [--person UPN]... [--out DIR]
                             [--keys FILE] [--site S] [--json]
  Writes an evidence pack for an inspector into a new folder (default evidence-KEY-<time>):
  a PDF register per version (who signed, with typed and Entra names, role, time in the school's
  zone, approval and consents; who has not, in words; counts that reconcile), a PDF per person
  asked for, each version's exact text (as stored, and readable), the signed records as stored,
  the public keys (--keys: the JSON of GET /api/evidence/keys; else fetched from
  COUNTERSIGN_PUBLIC_URL), the latest checkpoint if any, and HOW-TO-VERIFY.txt. The pack is
  checked as it is written, as "countersign verify --pack DIR" will check it: exit 1 if a record
  in it does not hold (the pack is written all the same, findings printed).
`;

interface Options {
  policy: string;
  version?: number;
  people: string[];
  out?: string;
  keys?: string;
  site?: string;
  json: boolean;
}

function parseOptions(args: string[]): Options | { help: true } | string {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        policy: { type: 'string' },
        version: { type: 'string' },
        person: { type: 'string', multiple: true },
        out: { type: 'string' },
        keys: { type: 'string' },
        site: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (values.help === true) return { help: true };
  if (values.policy === undefined) return '--policy KEY is required';
  const version = values.version === undefined ? undefined : Number(values.version);
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
    return '--version needs a version number (1, 2, …)';
  }
  return {
    policy: values.policy,
    ...(version === undefined ? {} : { version }),
    people: values.person ?? [],
    ...(values.out === undefined ? {} : { out: values.out }),
    ...(values.keys === undefined ? {} : { keys: values.keys }),
    ...(values.site === undefined ? {} : { site: values.site }),
    json: values.json === true,
  };
}

function writeFile(dir: string, path: string, content: string | Uint8Array): void {
  const full = join(dir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content, { flag: 'wx' });
}

function defaultOut(policyKey: string, at: Date): string {
  return `evidence-${policyKey}-${at.toISOString().slice(0, 16).replace(/[-:]/g, '')}Z`;
}

/** `countersign evidence`: writes an evidence pack of one policy for an inspector. */
export const evidenceCommand: CliCommand = async (args, io) => {
  const options = parseOptions(args);
  if (typeof options === 'string') {
    io.stderr(`${options}\n${USAGE}`);
    return 2;
  }
  if ('help' in options) {
    io.stdout(USAGE);
    return 0;
  }
  try {
    const env = loadEnv(io.env);
    const school = await schoolFrom(env);
    const keyRing = await loadKeyRing(options.keys, env.COUNTERSIGN_PUBLIC_URL);
    const now = new Date();
    const out = resolve(options.out ?? defaultOut(options.policy, now));
    if (existsSync(out) && readdirSync(out).length > 0) {
      io.stderr(
        `countersign evidence: ${out} is not empty; a pack is written only into a new or empty folder.\n`,
      );
      return 2;
    }
    const graph = createGraphAdapters(graphConfigFromEnv(env, options.site));
    // The pack is assembled by the service's use case (the Admin view's download runs the same).
    const pack = await assembleEvidencePack(
      { records: graph.records, rows: graph.records, directory: graph.directory, school, keyRing },
      {
        policyKey: options.policy,
        ...(options.version === undefined ? {} : { version: options.version }),
        people: options.people,
      },
      now,
    );
    const files = await renderPackFiles(pack, new PdfLibRenderer());
    mkdirSync(out, { recursive: true });
    for (const [path, content] of files) writeFile(out, path, content);
    if (options.json) {
      io.stdout(
        `${JSON.stringify({ out, files: [...files.keys()].sort(), ok: pack.ok, findings: pack.findings, summary: pack.summary }, null, 2)}\n`,
      );
    } else {
      io.stdout(`Evidence pack written to ${out} (${files.size} files).\n`);
      for (const line of pack.summary) io.stdout(`${line}\n`);
      for (const line of pack.findings) io.stdout(`${line}\n`);
      io.stdout(
        pack.ok
          ? 'All signed records in the pack hold.\n'
          : 'Some records in the pack do not hold (above): the pack was written so they can be seen.\n',
      );
    }
    return pack.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof CountersignError) {
      io.stderr(`countersign evidence: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
};
