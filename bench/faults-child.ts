import { loadEvidenceKeyFile } from '../src/adapters/evidence-keys/local-evidence-keys.ts';
import { createGraphAdapters } from '../src/adapters/graph/create-graph-adapters.ts';
import { createCountersignService } from '../src/services/create-countersign-service.ts';
import { BENCH_SEAL_KEY } from './bench-emulator.ts';
import { z } from 'zod';
import { faultsSchool, signEveryone } from './faults-signing.ts';
import { emulatorAppToken } from '../src/adapters/graph/emulator-app-token.ts';

/**
 * The service instance that `bench:faults -- --kill` kills with SIGKILL mid-burst: it signs the
 * people it is given against the parent's Graph emulator and says, one line each, who was told
 * their signature was stored (`accepted <id>`) and who was told every time that it failed
 * (`refused <id>`). Input: one JSON line on stdin.
 */
const childInput = z.object({
  graphUrl: z.url(),
  siteId: z.string().min(1),
  keyFile: z.string().min(1),
  staffGroupId: z.string().min(1),
  attempts: z.number().int().positive(),
  people: z.array(z.object({ id: z.string(), upn: z.string(), displayName: z.string() })),
});

let raw = '';
for await (const chunk of process.stdin) raw += String(chunk);
const input = childInput.parse(JSON.parse(raw));
const evidence = loadEvidenceKeyFile(input.keyFile);
const graph = createGraphAdapters({
  baseUrl: input.graphUrl,
  accessToken: emulatorAppToken,
  site: input.siteId,
  evidenceSigner: evidence.signer,
});
const service = createCountersignService({
  records: graph.records,
  directory: graph.directory,
  clock: { now: () => new Date() },
  sealKey: BENCH_SEAL_KEY,
  evidence,
  school: faultsSchool(input.staffGroupId),
});
await graph.records.warmUp();
await signEveryone(service, input.people, input.attempts, {
  accepted: (id) => process.stdout.write(`accepted ${id}\n`),
  refused: (id) => process.stdout.write(`refused ${id}\n`),
});
