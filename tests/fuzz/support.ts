import fc from "fast-check";

/**
 * How the fuzz properties run. `npm test`: a fixed seed per property (reproducible), the run counts given here, and a
 * time limit per property (fast-check's interruptAfterTimeLimit: a property stopped by it passes with the runs it
 * made, and its summary line says so), so the suite cannot blow up. `npm run fuzz` (FUZZ=long): FUZZ_RUNS times as
 * many runs and as much time (default 20), with a random seed per property, printed on its summary line;
 * FUZZ_SEED=<n> runs every property with that seed (to replay a failure, with fast-check's reported path if needed).
 * "cases" on a summary line counts every execution of the predicate, the replays of shrinking included.
 */
export const LONG = process.env.FUZZ === "long";
export const MULTIPLIER = Math.max(1, Number(process.env.FUZZ_RUNS ?? (LONG ? 20 : 1)) || 1);

/** What a property saw, for its summary line (counted over every execution, shrinking included). */
export type FuzzStats = { cases: number; fiveXX: number; wrongful: number; notes: Map<string, number> };

export function newStats(): FuzzStats {
  return { cases: 0, fiveXX: 0, wrongful: 0, notes: new Map() };
}

/** Counts a labelled outcome (e.g. a status) for the summary line. */
export function note(stats: FuzzStats, label: string) {
  stats.notes.set(label, (stats.notes.get(label) ?? 0) + 1);
}

/** A stable 32-bit seed from the property's name: the same cases on every `npm test`. */
function fixedSeed(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h | 0;
}

function seedFor(name: string): number {
  if (process.env.FUZZ_SEED) return Number(process.env.FUZZ_SEED) | 0;
  return LONG ? (Math.random() * 2 ** 32) | 0 : fixedSeed(name);
}

export type Budget = { runs: number; ms: number };

/** The vitest timeout for a property with this budget: its time limit, plus room for the last case and shrinking. */
export const timeoutFor = (budget: Budget) => budget.ms * MULTIPLIER + 60_000;

/** Grand totals of this file, printed by printTotals(). */
const fileTotals = { properties: 0, cases: 0, runs: 0, fiveXX: 0, wrongful: 0, interrupted: 0 };

/**
 * Runs one property with its budget, prints one summary line (runs, cases, 5xx, wrongful signatures, seed, time),
 * and fails with fast-check's report (seed, path and minimal counterexample) when the property does.
 */
export async function runProperty<Ts>(
  name: string,
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
  budget: Budget,
  stats: FuzzStats = newStats(),
): Promise<fc.RunDetails<unknown>> {
  const seed = seedFor(name);
  const numRuns = budget.runs * MULTIPLIER;
  const timeLimit = budget.ms * MULTIPLIER;
  const started = performance.now();
  const details: fc.RunDetails<unknown> = await fc.check(property as fc.IRawProperty<unknown>, {
    seed,
    numRuns,
    includeErrorInReport: true,
    plugins: [fc.interruptAfterTimeLimit(timeLimit)],
  });
  const ms = Math.round(performance.now() - started);
  const notes = [...stats.notes].map(([k, v]) => `${k}=${v}`).join(" ");
  console.log(
    `[fuzz] ${name}: ${details.numRuns}/${numRuns} runs${details.interrupted ? " (time limit reached)" : ""}, ` +
      `${stats.cases} cases, 5xx: ${stats.fiveXX}, wrongful signatures: ${stats.wrongful}, seed ${seed}, ${ms} ms` +
      `${details.failed ? " FAILED" : ""}${notes ? ` | ${notes}` : ""}`,
  );
  fileTotals.properties++;
  fileTotals.cases += stats.cases;
  fileTotals.runs += details.numRuns;
  fileTotals.fiveXX += stats.fiveXX;
  fileTotals.wrongful += stats.wrongful;
  if (details.interrupted) fileTotals.interrupted++;
  if (details.failed) throw new Error(`${name}: ${fc.defaultReportMessage(details) ?? "failed"}`);
  return details;
}

/** One line per file with its totals (call in afterAll). */
export function printTotals(file: string) {
  const t = fileTotals;
  console.log(
    `[fuzz] TOTAL ${file}: ${t.properties} properties, ${t.runs} runs, ${t.cases} cases, 5xx: ${t.fiveXX}, ` +
      `wrongful signatures: ${t.wrongful}${t.interrupted ? `, ${t.interrupted} stopped by their time limit` : ""}`,
  );
}
