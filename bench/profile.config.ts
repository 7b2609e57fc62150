import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config";

/**
 * The benches with V8's CPU profiler on in the process that runs them (the publisher, and in benches 1 and 5 the
 * clients): `npx vitest run --config bench/profile.config.ts bench/3-throughput.ts` writes a .cpuprofile into
 * BENCH_CPU_PROF_DIR (default /tmp/bench-profiles), to be read with `node bench/lib/cpuprofile-summary.mjs <file>`.
 * Sampled every 50 us: the publish path's stages are tens of microseconds. The profiler slows the code it
 * samples, so the figures of a profiled run are not the bench's.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      execArgv: ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR ?? "/tmp/bench-profiles"}`, "--cpu-prof-interval=50"],
    },
  }),
);
