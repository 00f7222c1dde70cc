import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { DEMO_SCHOOL, type DemoPerson } from '../../src/dev/demo/demo-school.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import type { Actor } from '../../src/services/actor.ts';
import { writeCheckpoint } from '../../src/services/write-checkpoint.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { emulatorGraphAdapters } from '../support/emulator-graph.ts';

/** Moments the demo school's people sign at: one in summer time (BST), the rest in GMT. */
export const SIGNED_AT = {
  bennett: '2026-09-10T08:30:00.000Z',
  poole: '2026-11-03T09:15:00.000Z',
  ellison: '2026-11-03T10:05:00.000Z',
  okafor: '2026-11-04T14:45:00.000Z',
  decided: '2026-11-05T08:00:00.000Z',
} as const;

export interface DemoPack {
  emulator: GraphEmulator;
  dir: string;
  env: Record<string, string>;
  keysFile: string;
  people: Record<'bennett' | 'poole' | 'ellison' | 'okafor', DemoPerson>;
  cli(...argv: string[]): Promise<{ code: number; out: string; err: string }>;
  close(): Promise<void>;
}

function actorOf(person: DemoPerson, roles: Actor['roles'] = []): Actor {
  return { id: person.id, upn: person.userPrincipalName, displayName: person.displayName, roles };
}

function find(name: string): DemoPerson {
  const person = DEMO_SCHOOL.users.find((p) => p.displayName === name);
  if (person === undefined) throw new Error(`no demo person ${name}`);
  return person;
}

/**
 * The demo school on the Graph emulator (its demo seed), signed as the service signs: the DSL
 * publishes the demo AUP, four people sign (one first signature approved with a permission,
 * one rejected, one still pending, one by the approver herself' deputy), all with the service's
 * evidence key. The published key ring is written to a file, as GET /api/evidence/keys gives it.
 */
export async function demoSchoolWithSignatures(): Promise<DemoPack> {
  const emulator = await startGraphEmulator({ dbPath: ':memory:', seed: 'demo' });
  const keys = memoryEvidenceKeys();
  const graph = emulatorGraphAdapters(emulator, {
    evidenceSigner: keys.signer,
  });
  await provisionSite(graph.gateway, graph.records.site);
  let now = new Date('2026-09-01T07:00:00.000Z');
  const service = createCountersignService({
    records: graph.records,
    directory: graph.directory,
    clock: { now: () => now },
    sealKey: 'k'.repeat(48),
    evidence: keys,
    school: DEMO_SCHOOL.school,
    readCache: false,
  });
  await graph.records.putPolicy({
    key: 'staff-aup',
    schoolId: DEMO_SCHOOL.school.id,
    title: 'Staff Acceptable Use Policy',
    audiences: ['staff', 'governors'],
    renewal: { kind: 'fixed-date', month: 9, day: 1 },
    approvalMode: 'first-signature',
  });
  const dsl = actorOf(DEMO_SCHOOL.dsl, ['Policy.Admin']);
  const draft = await service.saveDraft(dsl, {
    policyKey: 'staff-aup',
    label: '2026-27',
    changeKind: 'material',
    document: DEMO_SCHOOL.aup,
  });
  await service.publish(dsl, 'staff-aup', draft.number);

  const people = {
    bennett: find('Sarah Bennett'),
    poole: find('Karen Poole'),
    ellison: find('Margaret Ellison'),
    okafor: DEMO_SCHOOL.dsl,
  };
  const sign = async (
    who: keyof typeof people,
    typedName: string,
    consents: Record<string, boolean>,
  ) => {
    now = new Date(SIGNED_AT[who]);
    const person = people[who];
    const outcome = await service.sign(actorOf(person), {
      policyKey: 'staff-aup',
      versionNumber: draft.number,
      contentHash: draft.contentHash,
      declarationAccepted: true,
      typedName,
      statedRole: person.jobTitle,
      consents,
      channel: who === 'poole' ? 'card' : 'tab',
    });
    if (outcome.kind !== 'signed') throw new Error(`${who} could not sign`);
    return outcome.acknowledgement;
  };
  const bennett = await sign('bennett', 'Sarah J. Bennett', { photo: true });
  const poole = await sign('poole', 'Karen Poole', { photo: false });
  await sign('ellison', 'Margaret Ellison', { photo: true });
  await sign('okafor', 'Daniel Okafor', { photo: true });

  now = new Date(SIGNED_AT.decided);
  const head = actorOf(DEMO_SCHOOL.headteacher, ['Policy.Approver']);
  await service.decide(head, {
    acknowledgementId: bennett.id,
    decision: 'approved',
    additionalPermissions: ['Remote access to the MIS'],
  });
  await service.decide(head, {
    acknowledgementId: poole.id,
    decision: 'rejected',
    additionalPermissions: [],
    comment: 'Role stated does not match the HR record',
  });

  // The scheduled work's signed checkpoint after all that: the pack carries the latest.
  now = new Date('2026-11-05T09:00:00.000Z');
  const written = await writeCheckpoint(
    { ledger: graph.records, archives: [], signer: keys.signer, keyRing: keys.keyRing },
    now,
  );
  if (written.kind !== 'written') throw new Error('no checkpoint written');

  const dir = mkdtempSync(join(tmpdir(), 'countersign-evidence-'));
  const keysFile = join(dir, 'published-keys.json');
  writeFileSync(keysFile, JSON.stringify(keys.keyRing));
  let closed = false;
  const env = {
    COUNTERSIGN_MODE: 'dev',
    COUNTERSIGN_GRAPH_BASE_URL: emulator.url,
    COUNTERSIGN_SITE: emulator.siteId,
    COUNTERSIGN_WORK_DB: join(dir, 'work.sqlite'),
  };
  return {
    emulator,
    dir,
    env,
    keysFile,
    people,
    cli: async (...argv) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(argv, {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
        env,
      });
      return { code, out: out.join(''), err: err.join('') };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await emulator.close();
    },
  };
}

/** Every line of text of a PDF, page by page, as pdf.js reads it. */
export async function pdfText(bytes: Uint8Array): Promise<string[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    useSystemFonts: false,
    // The standard fonts the PDFs name (Helvetica), as pdf.js ships them.
    standardFontDataUrl: `${join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`,
  });
  const doc = await task.promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n += 1) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    let text = '';
    for (const item of content.items) {
      if ('str' in item) text += item.str + (item.hasEOL ? '\n' : ' ');
    }
    pages.push(text);
  }
  await task.destroy();
  return pages;
}
