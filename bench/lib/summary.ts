import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { RESULTS_DIR, figureRows, formatTable, machine, type BenchResult } from "./report";

const started = Date.now();

export function setup() {}

/** One table of every figure written by this run (older result files are left alone), after vitest's report. */
export function teardown() {
  const results = readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(RESULTS_DIR, f), "utf8")) as BenchResult)
    .filter((r) => Date.parse(r.at) >= started);
  const m = machine();
  const rows = results.flatMap((r, i) => figureRows(r).slice(i === 0 ? 0 : 1));
  process.stdout.write(
    `\nBenchmarks: baseline = naive (awaited pusher.trigger per signal, one invalidateQueries per signal); ratio = project / baseline\n` +
      `${m.cpus} x ${m.cpu}, ${m.memory_gb} GB, Node ${m.node}, ${m.platform}; 1-min load during each bench ${results.map((r) => r.machine.load_avg_1m).join(" / ")}; ${((Date.now() - started) / 1000).toFixed(0)} s in all\n` +
      (rows.length ? formatTable(rows) : "(no results)") +
      "\n",
  );
}
