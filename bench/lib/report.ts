import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { round } from "./stats";

export const RESULTS_DIR = path.resolve(import.meta.dirname, "../results");

/**
 * One line of a bench table. `better` says which way is good, so the ratio reads the same everywhere: project /
 * baseline, and `met` compares the project figure with the target.
 */
export type Figure = {
  figure: string;
  unit: string;
  baseline: number;
  project: number;
  better: "lower" | "higher";
  target: string;
  met: boolean;
};

export type BenchResult = {
  bench: string;
  title: string;
  at: string;
  machine: { cpus: number; cpu: string; memory_gb: number; node: string; platform: string; load_avg_1m: number };
  params: Record<string, unknown>;
  figures: Array<Figure & { ratio: number }>;
  notes: string[];
};

export function machine(): BenchResult["machine"] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpu: cpus[0]?.model ?? "unknown",
    memory_gb: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    // Other work on the machine skews sub-millisecond figures; recorded so a noisy run can be recognised.
    load_avg_1m: round(os.loadavg()[0], 2),
  };
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + " ".repeat(width - text.length));

export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => pad(cell, widths[c])).join(" | ")} |`;
  return [line(rows[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
}

export function figureRows(result: BenchResult): string[][] {
  return [
    ["figure", "baseline", "project", "ratio", "target", "met"],
    ...result.figures.map((f) => [
      f.figure,
      `${f.baseline} ${f.unit}`,
      `${f.project} ${f.unit}`,
      `${f.ratio}x`,
      f.target,
      f.met ? "yes" : "NO",
    ]),
  ];
}

/** Prints the bench's table and writes bench/results/<bench>.json. */
export function report(bench: string, title: string, params: Record<string, unknown>, figures: Figure[], notes: string[] = []) {
  const result: BenchResult = {
    bench,
    title,
    at: new Date().toISOString(),
    machine: machine(),
    params,
    figures: figures.map((f) => ({ ...f, ratio: f.baseline === 0 ? Number.NaN : round(f.project / f.baseline, 3) })),
    notes,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, `${bench}.json`), JSON.stringify(result, null, 2) + "\n");
  console.log(`\n${title}\n${formatTable(figureRows(result))}${notes.length ? `\n${notes.map((n) => `  - ${n}`).join("\n")}` : ""}\n`);
  return result;
}
