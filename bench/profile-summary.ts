import { readFileSync } from 'node:fs';

/**
 * Where a V8 CPU profile's time went, as JSON: the functions with the most self time and the
 * most total time (self plus everything they called), each as `name file:line`.
 *
 *   node bench/profile-summary.ts cold.cpuprofile [--top 25]
 *
 * For `bench:report -- --cpu-prof FILE` (or `node --cpu-prof`); file paths are cut to the repo.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args[0];
if (file === undefined) throw new Error('usage: profile-summary.ts FILE [--top N]');
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 25;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: ProfileNode) => {
  const url = n.callFrame.url.replace(/^file:\/\/.*?\/(src|bench|node_modules)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};
const selfMs = new Map<string, number>();
const totalMs = new Map<string, number>();
let sampled = 0;
profile.samples.forEach((id, i) => {
  const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  const node = byId.get(id);
  if (node === undefined) return;
  if (node.callFrame.functionName === '(idle)') return;
  sampled += ms;
  selfMs.set(label(node), (selfMs.get(label(node)) ?? 0) + ms);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at);
    if (frame === undefined) break;
    const key = label(frame);
    if (seen.has(key)) continue;
    seen.add(key);
    totalMs.set(key, (totalMs.get(key) ?? 0) + ms);
  }
});
const rank = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, ms]) => ({ fn, ms: Math.round(ms) }));
process.stdout.write(
  `${JSON.stringify({ busyMs: Math.round(sampled), self: rank(selfMs), total: rank(totalMs) }, null, 1)}\n`,
);
