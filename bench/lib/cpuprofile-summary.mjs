// Summarizes a V8 CPU profile (.cpuprofile, as `node --cpu-prof` writes it; bench 9 with BENCH_CPU_PROF_DIR):
//   node bench/lib/cpuprofile-summary.mjs <file.cpuprofile> [how many functions]
// Three views: each sample's time to one category (by what its stack contains, first rule that matches, so a pg
// socket write inside a drizzle query counts as the pg driver), self time by function, and inclusive time by
// function (each function once per sample). Times are the samples' time deltas; "busy" leaves out (idle).
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: node bench/lib/cpuprofile-summary.mjs <file.cpuprofile> [how many functions]");
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const CATEGORIES = [
  ["idle", (f) => f.functionName === "(idle)"],
  ["garbage collector", (f) => f.functionName === "(garbage collector)"],
  ["gzip of responses (node:zlib)", (f) => f.url.startsWith("node:zlib")],
  ["pg driver (pg, pg-pool, pg-protocol: socket I/O, parsing rows)", (f) => /node_modules\/pg(-pool|-protocol|-types)?\//.test(f.url)],
  ["drizzle-orm (building SQL, mapping rows)", (f) => f.url.includes("drizzle-orm")],
  ["zod", (f) => f.url.includes("zod")],
  ["HMAC signing (node:crypto)", (f) => f.url === "node:internal/crypto/hash" || f.functionName === "Hmac"],
  ["request and response bodies (web streams, undici)", (f) => f.url.includes("webstreams") || f.url.includes("undici")],
  ["node http (parsing, headers, sockets)", (f) => /^node:(_http|net|internal\/(stream_base|streams|http))/.test(f.url)],
  ["next server (routing, base-server, app-route runtime)", (f) => f.url.includes("node_modules/next/")],
  ["app bundle (the route, the handler, the session)", (f) => /\.next[^/]*\/server\//.test(f.url)],
  ["async_hooks (AsyncLocalStorage)", (f) => f.url.includes("async_hooks")],
];

const short = (f) => {
  const where = f.url.replace(/^file:\/\//, "").replace(/.*node_modules\//, "").replace(/.*\/(\.next[^/]*)\//, "$1/");
  return `${f.functionName || "(anonymous)"} ${where}:${f.lineNumber + 1}`;
};

const category = new Map();
const self = new Map();
const inclusive = new Map();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const frames = [];
  for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) frames.push(byId.get(id).callFrame);
  const cat = CATEGORIES.find(([, test]) => frames.some(test))?.[0] ?? "other";
  category.set(cat, (category.get(cat) ?? 0) + dt);
  self.set(short(frames[0]), (self.get(short(frames[0])) ?? 0) + dt);
  for (const key of new Set(frames.map(short))) inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
}
const busy = total - (category.get("idle") ?? 0);
const line = (us, label) => `${(us / 1e6).toFixed(2).padStart(7)} s ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${label}`;
const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);

console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages: of busy)`);
console.log("\nby category");
for (const [k, us] of sorted(category)) if (k !== "idle") console.log(line(us, k));
console.log("\nself time by function");
for (const [k, us] of sorted(self).filter(([k]) => !k.startsWith("(idle)")).slice(0, top)) console.log(line(us, k));
console.log("\ninclusive time by function");
for (const [k, us] of sorted(inclusive).filter(([k]) => !k.startsWith("(root)") && !k.startsWith("(idle)")).slice(0, top)) console.log(line(us, k));
